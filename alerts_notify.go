package main

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/switchboard-rtm/switchboard/alerts"
	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/mail"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// alertNotifier tells an app's team that one of its alert rules fired or
// resolved: an alert.fired or alert.resolved webhook event to the app's
// endpoints that want it, and an email to each member who keeps
// notification emails on, in their language with an unsubscribe link.
// (The portal's notifications page lists the app's alert history itself.)
type alertNotifier struct {
	console  *console.Service
	forum    *forum.Store
	mail     *mail.Outbox
	webhooks *webhooks.Service
	bundle   *i18n.Bundle
	baseURL  func() string
	log      *slog.Logger
}

// alertData is the webhook payload's data object.
type alertData struct {
	AlertID   int64   `json:"alert_id"`
	RuleID    int64   `json:"rule_id"`
	Metric    string  `json:"metric"`
	Code      string  `json:"code,omitempty"`
	Threshold float64 `json:"threshold"`
	Window    int     `json:"window_minutes"`
	Value     float64 `json:"value"`
}

func (n alertNotifier) notify(ctx context.Context, e alerts.Event) {
	typ, kind := webhooks.TypeAlertFired, mail.KindAlertFired
	if e.Kind == alerts.KindResolved {
		typ, kind = webhooks.TypeAlertResolved, mail.KindAlertResolved
	}
	n.webhooks.Enqueue(webhooks.Event{Type: typ, AppID: e.AppID, Time: e.At, Data: alertData{AlertID: e.ID, RuleID: e.RuleID,
		Metric: string(e.Metric), Code: e.Code, Threshold: e.Threshold, Window: e.Window, Value: e.Value}})
	name, _, members, err := n.console.AppMembers(ctx, e.AppID)
	if err != nil {
		n.log.ErrorContext(ctx, "alert mail", "app", e.AppID, "err", err)
		return
	}
	base := strings.TrimRight(n.baseURL(), "/")
	for _, id := range members {
		u, err := n.forum.FindUser(ctx, id)
		if err != nil || !u.EmailNotifications || u.Email == "" {
			continue
		}
		tok, err := n.forum.MailToken(ctx, u.ID)
		if err != nil {
			n.log.ErrorContext(ctx, "alert mail", "user", u.ID, "err", err)
			continue
		}
		lang := "en"
		if u.Lang == "zh" {
			lang = "zh"
		}
		rule, err := i18n.NewLocalizer(n.bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: "console.alerts.cond." + string(e.Metric),
			TemplateData: map[string]any{"Threshold": e.Threshold, "Window": e.Window, "Code": e.Code}})
		if err != nil {
			n.log.ErrorContext(ctx, "alert mail", "err", err)
			return
		}
		if _, err := n.mail.Send(ctx, mail.Letter{Kind: kind, To: u.Email, Lang: lang, Name: u.Name,
			Data: map[string]any{"App": name, "Rule": rule, "Value": strconv.FormatFloat(e.Value, 'f', 2, 64)},
			Link: base + "/" + lang + "/console/apps/" + e.AppID + "#alerts-h", Unsubscribe: base + "/" + lang + "/unsubscribe/" + tok}); err != nil {
			n.log.ErrorContext(ctx, "alert mail", "user", u.ID, "err", err)
		}
	}
}

// startAlerts opens the alert rules and starts their evaluator, which
// notifies through the console, forum accounts, mail and webhooks.
func (m *Main) startAlerts(ctx context.Context) error {
	bundle, err := locales.NewBundle(locales.FS())
	if err != nil {
		return err
	}
	n := alertNotifier{console: m.Console, forum: m.Forum, mail: m.Mail, webhooks: m.Webhooks, bundle: bundle,
		log: m.Log.With("component", "alerts"), baseURL: func() string {
			if m.Config.PublicURL != "" {
				return m.Config.PublicURL
			}
			return m.URL()
		}}
	if m.Alerts, err = alerts.New(ctx, alerts.Config{DB: m.DB, Usage: m.Usage, Logger: n.log, OnEvent: n.notify}); err != nil {
		return err
	}
	actx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stopAlerts, m.alertsDone = stop, make(chan struct{})
	go func() {
		defer close(m.alertsDone)
		m.Alerts.Run(actx)
	}()
	return nil
}
