package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

const webhookUsage = `usage: apps webhook add APP -url URL -events LIST [-channels PATTERN] [-json]
       apps webhook list APP [-json]
       apps webhook remove APP ENDPOINT_ID
       apps webhook test APP ENDPOINT_ID [-json]
APP is an App ID or an app name; LIST is comma-separated, of: ` + "connect, disconnect, subscribe, unsubscribe, channel.occupied, channel.vacated, presence.join, presence.leave, peer.stored, alert.fired, alert.resolved, publish (publish needs -channels, e.g. 'orders:*')"

// runWebhooks implements "apps webhook ..." against dataDir's database.
// A running server picks up added and removed endpoints within seconds.
func runWebhooks(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, webhookUsage)
		if len(args) == 0 {
			return errors.New("apps webhook: missing subcommand")
		}
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("apps webhook "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("url", "", "endpoint URL (http or https)")
	events := fs.String("events", "", "comma-separated event types")
	channels := fs.String("channels", "", "channel pattern of publish events")
	asJSON := fs.Bool("json", false, "print JSON")
	// Flags may come before or after APP and ENDPOINT_ID.
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return fmt.Errorf("%w\n%s", err, webhookUsage)
	}
	wantArgs := map[string]int{"add": 0, "list": 0, "remove": 1, "test": 1}
	n, ok := wantArgs[sub]
	if !ok {
		return fmt.Errorf("unknown apps webhook command %q\n%s", sub, webhookUsage)
	}
	if len(pos) != n+1 {
		return errors.New(webhookUsage)
	}
	appArg, pos := pos[0], pos[1:]
	if sub != "add" && (*url != "" || *events != "" || *channels != "") {
		return fmt.Errorf("-url, -events and -channels go with add\n%s", webhookUsage)
	}

	e, d, closeEngine, err := openEngine(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeEngine()
	app, err := findApp(ctx, e, appArg)
	if err != nil {
		return err
	}
	wh, err := webhooks.New(ctx, webhooks.Config{DB: d, DenyPrivate: cfg.WebhooksDenyPrivate})
	if err != nil {
		return err
	}

	switch sub {
	case "add":
		if *url == "" || *events == "" {
			return fmt.Errorf("add needs -url and -events\n%s", webhookUsage)
		}
		ep, err := wh.Add(ctx, webhooks.NewEndpoint{AppID: app.ID, URL: *url, Events: splitList(*events), Channels: *channels})
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(endpointToJSON(ep))
		}
		_, err = fmt.Fprintf(stdout, "Endpoint ID:    %s\nSigning secret: %s\nURL:            %s\nEvents:         %s\n",
			ep.ID, ep.Secret, ep.URL, describeEvents(ep))
		return err
	case "list":
		eps, err := wh.Endpoints(ctx, app.ID)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]endpointJSON, len(eps))
			for i, ep := range eps {
				out[i] = endpointToJSON(ep)
			}
			return json.NewEncoder(stdout).Encode(out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ENDPOINT ID\tURL\tEVENTS\tCREATED")
		for _, ep := range eps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ep.ID, ep.URL, describeEvents(ep), ep.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	case "remove":
		if err := wh.Remove(ctx, app.ID, pos[0]); err != nil {
			return err
		}
		_, err := fmt.Fprintf(stdout, "Removed %s\n", pos[0])
		return err
	default: // test
		dl, err := wh.Test(ctx, app.ID, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			if err := json.NewEncoder(stdout).Encode(map[string]any{"event_id": dl.EventID, "status": dl.Status,
				"error": dl.Error, "duration_ms": dl.Duration.Milliseconds(), "ok": dl.OK()}); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(stdout, "Sent %s %s: HTTP %d in %v\n", webhooks.TypeTest, dl.EventID, dl.Status, dl.Duration.Round(time.Millisecond))
		}
		if !dl.OK() {
			return fmt.Errorf("test delivery failed: %s", dl.Error)
		}
		return nil
	}
}

// findApp resolves an App ID or a unique app name.
func findApp(ctx context.Context, e *engine.Engine, idOrName string) (engine.App, error) {
	if a, err := e.GetApp(ctx, idOrName); err == nil {
		return a, nil
	} else if !errors.Is(err, engine.ErrNotFound) {
		return engine.App{}, err
	}
	apps, err := e.ListApps(ctx)
	if err != nil {
		return engine.App{}, err
	}
	var found []engine.App
	for _, a := range apps {
		if a.Name == idOrName {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return engine.App{}, fmt.Errorf("no app with ID or name %q (see apps list)", idOrName)
	default:
		return engine.App{}, fmt.Errorf("%d apps are named %q: give the App ID", len(found), idOrName)
	}
}

func describeEvents(ep webhooks.Endpoint) string {
	s := strings.Join(ep.Events, ",")
	if ep.Channels != "" {
		s += " (publish on " + ep.Channels + ")"
	}
	return s
}

type endpointJSON struct {
	ID        string   `json:"id"`
	AppID     string   `json:"app_id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Channels  string   `json:"channels,omitempty"`
	Secret    string   `json:"secret"`
	CreatedAt string   `json:"created_at"`
}

func endpointToJSON(ep webhooks.Endpoint) endpointJSON {
	return endpointJSON{ID: ep.ID, AppID: ep.AppID, URL: ep.URL, Events: ep.Events, Channels: ep.Channels,
		Secret: ep.Secret, CreatedAt: ep.CreatedAt.Format(time.RFC3339Nano)}
}
