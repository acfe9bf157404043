package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

func init() {
	commands["apps"] = func(ctx context.Context, cfg Config, args []string, _ io.Reader, stdout, _ io.Writer) error {
		if len(args) > 0 && args[0] == "webhook" { // cmd_webhooks.go
			return runWebhooks(ctx, cfg, args[1:], stdout)
		}
		return runApps(ctx, args, cfg.DataDir, stdout)
	}
	extraUsage += "  apps          apps create NAME [-json] | apps list [-json]: engine apps and their certificates\n"
}

// runApps implements "apps create NAME [-json]" and "apps list [-json]"
// against the engine's apps in dataDir's database.
func runApps(ctx context.Context, args []string, dataDir string, stdout io.Writer) error {
	const usage = "usage: apps create NAME [-json] | apps list [-json]"
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("apps "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON")
	// Accept the flag before or after NAME.
	var rest []string
	for _, a := range args[1:] {
		if a == "-json" || a == "--json" {
			*asJSON = true
			continue
		}
		rest = append(rest, a)
	}
	if err := fs.Parse(rest); err != nil {
		return fmt.Errorf("%s: %w", usage, err)
	}
	d, err := db.Open(ctx, filepath.Join(dataDir, db.FileName))
	if err != nil {
		return err
	}
	defer d.Close()
	e, err := engine.New(ctx, engine.Config{DB: d})
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		e.Shutdown(sctx)
	}()

	switch args[0] {
	case "create":
		if fs.NArg() != 1 {
			return errors.New(usage)
		}
		a, err := e.CreateApp(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(appJSON{AppID: a.ID, AppCert: a.Certificate, Name: a.Name})
		}
		_, err = fmt.Fprintf(stdout, "App:             %s\nApp ID:          %s\nApp Certificate: %s\n", a.Name, a.ID, a.Certificate)
		return err
	case "list":
		if fs.NArg() != 0 {
			return errors.New(usage)
		}
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
	default:
		return fmt.Errorf("unknown apps command %q; %s", args[0], usage)
	}
}

type appJSON struct {
	AppID   string `json:"app_id"`
	AppCert string `json:"app_cert"`
	Name    string `json:"name"`
}
