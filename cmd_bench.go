package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/bench"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// runBench implements "switchboard bench": it parses the flags, starts a
// throwaway server as a child process unless -url is given, runs the load
// and prints the report as the last line of stdout. Progress goes to stderr.
func runBench(ctx context.Context, _ Config, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c bench.Config
	fs.IntVar(&c.Subscribers, "subscribers", 100, "subscriber connections")
	fs.IntVar(&c.Channels, "channels", 1, "channels; subscribers are spread evenly over them")
	fs.Float64Var(&c.Rate, "rate", 100, "messages per second published into each channel")
	fs.IntVar(&c.Size, "size", bench.DefaultSize, fmt.Sprintf("payload bytes (at least %d)", bench.MinPayloadBytes))
	fs.DurationVar(&c.Duration, "duration", bench.DefaultDuration, "how long to publish (with -idle: how long to hold the connections)")
	fs.DurationVar(&c.Grace, "grace", bench.DefaultGrace, "longest wait for outstanding deliveries after publishing stops")
	fs.IntVar(&c.Idle, "idle", 0, "idle mode: connect this many clients (each subscribed to one of -channels, if given) that stay idle, and report server memory per connection")
	fs.Float64Var(&c.PublisherRate, "pub-conn-rate", bench.DefaultPublisherRate, "messages per second per publisher connection (keep under the engine's publish rate limit)")
	fs.DurationVar(&c.CutEvery, "cut-every", 0, "cut the TCP connections of the subscribers (a share -cut-fraction of them) this often while publishing, as a network failure does, and report how fast each gets its first message again (recovery_p50_ms, recovery_p99_ms, ...); 0: no cuts")
	fs.Float64Var(&c.CutFraction, "cut-fraction", 1, "with -cut-every: share of the subscribers cut each time, chosen at random per cut")
	fs.DurationVar(&c.BackoffMin, "backoff-min", 0, "subscribers' shortest reconnect back-off (client.WithBackoff); 0: the Go SDK's default, 250ms")
	fs.DurationVar(&c.BackoffMax, "backoff-max", 0, "subscribers' longest reconnect back-off; 0: the Go SDK's default, 10s")
	urls := fs.String("url", "", "engine to target (http://host:port or ws://host:port/v1/ws), or comma-separated cluster nodes the subscribers are spread over; default: start this binary as a child server")
	fs.StringVar(&c.PubURL, "pub-url", "", "with -url: engine (cluster node) the publishers connect to; default: the first -url")
	fs.StringVar(&c.AppID, "app-id", "", "App ID for -url")
	fs.StringVar(&c.AppCert, "app-cert", "", "App Certificate for -url")
	serverFlags := fs.String("server-flags", "", "without -url: extra global flags for the child server, space-separated (e.g. \"-log-level info\")")
	fs.IntVar(&c.ServerPID, "server-pid", 0, "with -url: PID of the server on this host, to report its RSS (otherwise server_rss_bytes is 0)")
	pin := fs.Bool("pin", false, "keep the server and the load generator on separate CPUs (Linux, 2+ CPUs): the child server gets the first half of the CPUs this process may use, the load the rest; with -url only the load is pinned (start the server with taskset -c on the others)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load generator (not the server) to this file")
	withWebhooks := fs.Bool("webhooks", false, "without -url: give the bench app a webhook endpoint for every event type (publish on every channel), delivered to a receiver in this process that checks each signature; the report adds webhook_events and webhook_bad_signatures")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: switchboard bench [flags]\n\n"+
			"Load-tests the messaging engine over real WebSockets and prints one JSON line:\n"+
			"sent, expected, delivered, delivery_rate, deliveries_per_sec, p50_ms, p90_ms,\n"+
			"p99_ms, max_ms, connect_ms, server_rss_bytes (plus idle_connections,\n"+
			"server_rss_baseline_bytes and bytes_per_conn with -idle, webhook_events\n"+
			"and webhook_bad_signatures with -webhooks, and cuts, recoveries,\n"+
			"recoveries_unfinished, recoveries_incomplete, recovery_p50_ms, recovery_p99_ms,\n"+
			"recovery_max_ms, lost and duplicated with -cut-every).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	if c.Idle > 0 && !flagSet(fs, "channels") {
		c.Channels = 0 // idle clients only connect unless -channels is given
	}
	c.Progress = stderr
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if os.Getenv("GOGC") == "" {
		// The load generator shares the CPU with the server it measures:
		// collecting its garbage (mostly the SDK's per-message decoding)
		// less often leaves more for the server. The child server is a
		// separate process and keeps the default.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}

	if c.SubURLs = splitList(*urls); len(c.SubURLs) > 0 {
		c.URL = c.SubURLs[0]
	}
	var sink *webhookSink
	var serverCPUs []int
	if *pin {
		server, load, err := splitCPUs()
		if err != nil {
			return err
		}
		if c.URL != "" {
			server = nil
		}
		if err := bench.PinSelf(load); err != nil {
			return err
		}
		serverCPUs = server
		fmt.Fprintf(stderr, "bench: load generator on CPUs %v, server on %v\n", load, pinnedCPUs(server))
	}

	if c.URL == "" {
		if c.AppID != "" || c.AppCert != "" || c.ServerPID != 0 || c.PubURL != "" {
			return errors.New("bench: -app-id, -app-cert, -server-pid and -pub-url need -url")
		}
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: find this binary: %w", err)
		}
		sc := bench.ServerConfig{Exe: exe, Args: strings.Fields(*serverFlags), Log: stderr, CPUs: serverCPUs}
		if *withWebhooks {
			if sink, err = startWebhookSink(); err != nil {
				return err
			}
			defer sink.close()
			sc.Webhook = &bench.Webhook{URL: sink.url, Events: webhooks.Types, Channels: "*"}
		}
		srv, err := bench.StartServer(ctx, sc)
		if err != nil {
			return err
		}
		defer srv.Close()
		if sink != nil {
			sink.secret.Store(&srv.WebhookSecret)
		}
		fmt.Fprintf(stderr, "bench: started server %s (pid %d, data %s)\n", srv.URL, srv.PID, srv.DataDir)
		c.URL, c.AppID, c.AppCert, c.ServerPID = srv.URL, srv.AppID, srv.AppCert, srv.PID
	} else if c.AppID == "" || c.AppCert == "" {
		return errors.New("bench: -url needs -app-id and -app-cert")
	} else if *serverFlags != "" || *withWebhooks {
		return errors.New("bench: -server-flags and -webhooks are for the child server, not with -url")
	}

	r, err := bench.Run(ctx, c)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("bench: interrupted, no report: %w", ctx.Err())
		}
		return err
	}
	if sink != nil {
		// The events of the clients' disconnects come after the run, one
		// endpoint's strictly in order: wait for them to stop.
		sink.settle(ctx, 2*time.Second, time.Minute)
		events, bads := sink.events.Load(), sink.bads.Load()
		fmt.Fprintf(stderr, "bench: webhook deliveries by type: %s; bad signatures %d\n", sink.counts(), bads)
		r.WebhookEvents, r.WebhookBadSignatures = &events, &bads
	}
	return r.WriteJSON(stdout)
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// splitCPUs divides the CPUs this process may use: the first half (at
// least one) for the server, the rest for the load generator.
func splitCPUs() (server, load []int, err error) {
	cpus, err := bench.AllowedCPUs()
	if err != nil {
		return nil, nil, err
	}
	if len(cpus) < 2 {
		return nil, nil, fmt.Errorf("bench: -pin needs at least 2 CPUs; this process may use %v", cpus)
	}
	n := max(1, len(cpus)/2)
	return cpus[:n], cpus[n:], nil
}

// pinnedCPUs describes where the server runs.
func pinnedCPUs(cpus []int) string {
	if len(cpus) == 0 {
		return "(not started here: pin it yourself)"
	}
	return fmt.Sprint(cpus)
}
