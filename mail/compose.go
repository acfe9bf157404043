package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var templatesFS embed.FS

var (
	textTmpl = texttemplate.Must(texttemplate.ParseFS(templatesFS, "templates/letter.txt.tmpl"))
	htmlTmpl = htmltemplate.Must(htmltemplate.ParseFS(templatesFS, "templates/letter.html.tmpl"))
)

// Kinds of letter. Each has the locale messages mail.KIND.subject,
// mail.KIND.body (paragraphs separated by blank lines) and, when it has a
// Link, mail.KIND.action.
const (
	KindReset         = "reset"          // a password-reset link
	KindVerify        = "verify"         // an address-verification link
	KindForumMention  = "forum_mention"  // someone @mentioned the recipient
	KindForumReply    = "forum_reply"    // a reply in a watched topic
	KindForumDigest   = "forum_digest"   // a day's mentions and replies, as Items
	KindTicketCreated = "ticket_created" // Data["ID"]: the ticket's number
	KindTicketReplied = "ticket_replied"
	KindTicketSolved  = "ticket_solved"
	// Data["App"], ["Rule"] (the rule's condition, localized by the
	// caller), ["Value"]: an alert rule of one of the recipient's apps.
	KindAlertFired    = "alert_fired"
	KindAlertResolved = "alert_resolved"
)

// Notification reports whether letters of kind are notifications, which
// carry an unsubscribe link, rather than transactional mail the recipient
// asked for.
func Notification(kind string) bool { return kind != KindReset && kind != KindVerify }

// Letter is what a caller wants said; Compose turns it into a Message in
// the recipient's language.
type Letter struct {
	Kind        string
	To          string
	Lang        string // en or zh; anything else is en
	Name        string // the recipient's display name
	Data        map[string]any
	Link        string // the letter's one action, absolute URL
	Unsubscribe string // absolute URL; required for notifications
	// Items are the entries of a list letter (a digest), in order.
	Items []Item
}

// Item is one entry of a list letter: the locale message ID that says it,
// with its data, and its link.
type Item struct {
	ID   string
	Data map[string]any
	Link string
}

// item is an Item as the templates show it.
type item struct{ Text, Link string }

// Compose renders l in its language, plain text and HTML.
func (o *Outbox) Compose(l Letter) (Message, error) {
	if o.cfg.Localize == nil {
		return Message{}, fmt.Errorf("compose mail: Config.Localize is not set: %w", ErrInvalid)
	}
	if Notification(l.Kind) && l.Unsubscribe == "" {
		return Message{}, fmt.Errorf("compose mail %s: a notification needs an unsubscribe link: %w", l.Kind, ErrInvalid)
	}
	lang := l.Lang
	if lang != "zh" {
		lang = "en"
	}
	name := l.Name
	if name == "" {
		name = l.To
	}
	data := map[string]any{"Name": name}
	for k, v := range l.Data {
		data[k] = v
	}
	var firstErr error
	loc := func(id string) string {
		s, err := o.cfg.Localize(lang, id, data)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("compose mail %s: %w", l.Kind, err)
		}
		return s
	}
	v := struct {
		Lang, Subject, Greeting, Action, Link, Footer, Unsubscribe, UnsubscribeLabel string
		Paragraphs                                                                   []string
		Items                                                                        []item
	}{
		Lang:        lang,
		Subject:     loc("mail." + l.Kind + ".subject"),
		Greeting:    loc("mail.greeting"),
		Link:        l.Link,
		Footer:      loc("mail.footer"),
		Unsubscribe: l.Unsubscribe,
	}
	if l.Link != "" {
		v.Action = loc("mail." + l.Kind + ".action")
	}
	if l.Unsubscribe != "" {
		v.UnsubscribeLabel = loc("mail.unsubscribe")
	}
	for _, p := range strings.Split(loc("mail."+l.Kind+".body"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Paragraphs = append(v.Paragraphs, p)
		}
	}
	for _, it := range l.Items {
		s, err := o.cfg.Localize(lang, it.ID, it.Data)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("compose mail %s: %w", l.Kind, err)
		}
		v.Items = append(v.Items, item{Text: s, Link: it.Link})
	}
	if firstErr != nil {
		return Message{}, firstErr
	}
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, v); err != nil {
		return Message{}, fmt.Errorf("compose mail %s: %w", l.Kind, err)
	}
	if err := htmlTmpl.Execute(&html, v); err != nil {
		return Message{}, fmt.Errorf("compose mail %s: %w", l.Kind, err)
	}
	return Message{Kind: l.Kind, To: l.To, Lang: lang, Subject: v.Subject, Text: text.String(), HTML: html.String(), Unsubscribe: l.Unsubscribe}, nil
}

// Send composes l and stores it for delivery.
func (o *Outbox) Send(ctx context.Context, l Letter) (int64, error) {
	msg, err := o.Compose(l)
	if err != nil {
		return 0, err
	}
	return o.Enqueue(ctx, msg)
}
