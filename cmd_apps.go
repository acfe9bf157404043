package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

const appsUsage = `usage:
  apps create NAME [-json]        create an app; prints its App ID, App Certificate and API key
  apps list [-json]               list the apps
  apps show APP [-json]           an app's limit overrides and API keys (not the keys themselves)
  apps set APP [-publish-rate N] [-publish-burst N] [-max-conns N] [-api-rate N]
                                  change an app's limit overrides (0 = engine default); a running
                                  server applies them within 2 seconds
  apps rotate-key APP [-overlap 24h] [-json]
                                  give the app a new API key; the old one keeps working for -overlap
  apps webhook add|list|remove|test APP ...
                                  an app's webhook endpoints (apps webhook -help)`

// runApps implements the "apps" subcommands against the engine's apps in
// dataDir's database. Flags may come before or after the positional
// arguments. Arguments are checked before the database is opened, so a
// mistake or -help never creates one.
func runApps(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, appsUsage)
		if len(args) == 0 {
			return errors.New("apps: missing subcommand")
		}
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("apps "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, appsUsage) }
	asJSON := fs.Bool("json", false, "print JSON")
	var nargs int
	var setLimits func(*engine.AppLimits)
	var overlap *time.Duration
	switch sub {
	case "create", "show":
		nargs = 1
	case "list":
	case "set":
		nargs = 1
		rate := fs.Float64("publish-rate", -1, "publish and peer messages per second per connection (0 = engine default)")
		burst := fs.Int("publish-burst", -1, "burst of the publish rate (0 = engine default)")
		conns := fs.Int("max-conns", -1, "connections of the app (0 = engine default)")
		apiRate := fs.Float64("api-rate", -1, "server API requests per second for the app, burst the same (0 = engine default)")
		setLimits = func(l *engine.AppLimits) {
			fs.Visit(func(f *flag.Flag) {
				switch f.Name {
				case "publish-rate":
					l.PublishRate = *rate
				case "publish-burst":
					l.PublishBurst = *burst
				case "max-conns":
					l.MaxConns = *conns
				case "api-rate":
					l.APIRate = *apiRate
				}
			})
		}
	case "rotate-key":
		nargs = 1
		overlap = fs.Duration("overlap", 24*time.Hour, "how long the old key keeps working (0: it stops now)")
	default:
		return fmt.Errorf("unknown apps command %q\n%s", sub, appsUsage)
	}
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != nargs {
		return fmt.Errorf("apps %s: want %d argument(s), got %d\n%s", sub, nargs, len(pos), appsUsage)
	}
	if setLimits != nil && fs.NFlag() == 0 {
		return fmt.Errorf("apps set: give at least one of -publish-rate, -publish-burst, -max-conns, -api-rate\n%s", appsUsage)
	}

	e, _, closeEngine, err := openEngine(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeEngine()

	switch sub {
	case "create":
		a, err := e.CreateApp(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(appJSON{AppID: a.ID, AppCert: a.Certificate, APIKey: a.APIKey, Name: a.Name})
		}
		_, err = fmt.Fprintf(stdout, "App:             %s\nApp ID:          %s\nApp Certificate: %s\nAPI key:         %s\n\nThe API key is shown only now; \"apps rotate-key\" makes a new one.\n",
			a.Name, a.ID, a.Certificate, a.APIKey)
		return err
	case "list":
		apps, err := e.ListApps(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]appJSON, len(apps))
			for i, a := range apps {
				out[i] = appJSON{AppID: a.ID, AppCert: a.Certificate, Name: a.Name}
			}
			return json.NewEncoder(stdout).Encode(out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "APP ID\tNAME\tCREATED")
		for _, a := range apps {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", a.ID, a.Name, a.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	case "show":
		return showApp(ctx, e, pos[0], *asJSON, stdout)
	case "set":
		a, err := e.GetApp(ctx, pos[0])
		if err != nil {
			return err
		}
		setLimits(&a.Limits)
		if err := e.SetAppLimits(ctx, a.ID, a.Limits); err != nil {
			return err
		}
		return showApp(ctx, e, a.ID, *asJSON, stdout)
	case "rotate-key":
		key, err := e.RotateAPIKey(ctx, pos[0], *overlap)
		if err != nil {
			return err
		}
		until := time.Now().Add(*overlap).UTC().Truncate(time.Second)
		if *asJSON {
			return json.NewEncoder(stdout).Encode(struct {
				AppID           string    `json:"app_id"`
				APIKey          string    `json:"api_key"`
				OldKeysValidTil time.Time `json:"old_keys_valid_until"`
			}{pos[0], key, until})
		}
		_, err = fmt.Fprintf(stdout, "API key:   %s\nOld keys work until %s.\n", key, until.Format(time.RFC3339))
		return err
	}
	return nil
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

type appJSON struct {
	AppID   string `json:"app_id"`
	AppCert string `json:"app_cert"`
	APIKey  string `json:"api_key,omitempty"`
	Name    string `json:"name"`
}

type appLimitsJSON struct {
	MaxConns     int     `json:"max_conns"`
	PublishRate  float64 `json:"publish_rate"`
	PublishBurst int     `json:"publish_burst"`
	APIRate      float64 `json:"api_rate"`
}

type apiKeyJSON struct {
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

type appShowJSON struct {
	AppID     string        `json:"app_id"`
	Name      string        `json:"name"`
	CreatedAt time.Time     `json:"created_at"`
	Limits    appLimitsJSON `json:"limits"`
	APIKeys   []apiKeyJSON  `json:"api_keys"`
}

// showApp prints an app's overrides (0 = the engine default) and keys.
func showApp(ctx context.Context, e *engine.Engine, id string, asJSON bool, stdout io.Writer) error {
	a, err := e.GetApp(ctx, id)
	if err != nil {
		return err
	}
	keys, err := e.APIKeys(ctx, a.ID)
	if err != nil {
		return err
	}
	out := appShowJSON{AppID: a.ID, Name: a.Name, CreatedAt: a.CreatedAt,
		Limits:  appLimitsJSON{a.Limits.MaxConns, a.Limits.PublishRate, a.Limits.PublishBurst, a.Limits.APIRate},
		APIKeys: []apiKeyJSON{}}
	for _, k := range keys {
		kj := apiKeyJSON{Prefix: k.Prefix + "…", CreatedAt: k.CreatedAt}
		if !k.ExpiresAt.IsZero() {
			kj.ExpiresAt = &k.ExpiresAt
		}
		out.APIKeys = append(out.APIKeys, kj)
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	orDefault := func(v any, zero bool) string {
		if zero {
			return "engine default"
		}
		return fmt.Sprint(v)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "App:\t%s\nApp ID:\t%s\nCreated:\t%s\n", a.Name, a.ID, a.CreatedAt.Format(time.RFC3339))
	fmt.Fprintf(tw, "Publish rate:\t%s\n", orDefault(a.Limits.PublishRate, a.Limits.PublishRate == 0))
	fmt.Fprintf(tw, "Publish burst:\t%s\n", orDefault(a.Limits.PublishBurst, a.Limits.PublishBurst == 0))
	fmt.Fprintf(tw, "Max connections:\t%s\n", orDefault(a.Limits.MaxConns, a.Limits.MaxConns == 0))
	fmt.Fprintf(tw, "Server API rate:\t%s\n", orDefault(a.Limits.APIRate, a.Limits.APIRate == 0))
	for _, k := range out.APIKeys {
		state := "current"
		if k.ExpiresAt != nil {
			state = "works until " + k.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "API key:\t%s (created %s, %s)\n", k.Prefix, k.CreatedAt.Format(time.RFC3339), state)
	}
	return tw.Flush()
}

// openEngine opens the database in cfg's data dir and an engine on it, for
// the commands that manage apps while the server may be running; on a
// cluster (cfg.NATS) the engine changes the shared registry (and deletes an
// app's stream), so every node sees the change within a second.
// closeEngine shuts all of it down.
func openEngine(ctx context.Context, cfg Config, stderr io.Writer) (e *engine.Engine, d *sql.DB, closeEngine func(), err error) {
	d, err = db.Open(ctx, filepath.Join(cfg.DataDir, db.FileName))
	if err != nil {
		return nil, nil, nil, err
	}
	ecfg := engine.Config{DB: d}
	closeNATS := func() {}
	if len(cfg.NATS) > 0 {
		c, err := openCluster(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err != nil {
			d.Close()
			return nil, nil, nil, err
		}
		closeNATS = c.nc.Close
		c.engineConfig(&ecfg)
	}
	e, err = engine.New(ctx, ecfg)
	if err != nil {
		closeNATS()
		d.Close()
		return nil, nil, nil, err
	}
	return e, d, func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		e.Shutdown(sctx)
		closeNATS()
		d.Close()
	}, nil
}
