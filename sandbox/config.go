package sandbox

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// Engine is what the sandbox needs from the real-time engine.
// *engine.Engine implements it.
type Engine interface {
	CreateApp(ctx context.Context, name string, opts ...engine.AppOption) (engine.App, error)
	GetApp(ctx context.Context, id string) (engine.App, error)
	DeleteApp(ctx context.Context, id string) error
	AppByAPIKey(ctx context.Context, key string) (engine.App, error)
}

var _ Engine = (*engine.Engine)(nil)

// Config configures a Service. Zero fields get the defaults of Limits.
type Config struct {
	DB     *sql.DB // required
	Engine Engine  // required
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests move it to expire apps.
	Now func() time.Time
	// WSURL returns the engine's WebSocket URL as the load-test runner on
	// this machine reaches it (ws://127.0.0.1:port/v1/ws). It is called
	// when a load test starts, after the server listens.
	WSURL func() string
	// Limits are the quotas; zero fields get the documented defaults.
	Limits Limits
	// SweepInterval is how often expired apps are deleted (default 1 min).
	SweepInterval time.Duration
}

// Limits are the sandbox quotas. Every field is documented on the
// "Sandbox" docs page; zero means the default given here.
type Limits struct {
	AppsPerIP       int           // 5 sandbox apps per client IP ...
	AppsPerIPWindow time.Duration // ... per hour
	AppTTL          time.Duration // 24 h until an app and its data are deleted
	DefaultUsers    int           // 2 demo users unless the request asks for more
	MaxUsers        int           // 10 demo users at most

	AppMaxConns     int     // 550 connections per sandbox app (500 load-test clients + 50 interactive)
	AppPublishRate  float64 // 20 publish+peer messages per second per connection
	AppPublishBurst int     // 20

	LoadTestsPerApp int           // 1 load test at a time per app
	LoadTestsGlobal int           // 2 load tests at a time on the server
	MaxClients      int           // 500 load-test clients
	MaxChannels     int           // 50 channels
	MaxRate         int           // 1000 messages per second published, all clients together
	MaxFanout       int           // 2000 deliveries per second (rate × subscribers per channel)
	MaxPayloadBytes int           // 4096 bytes of payload per message
	MaxDuration     time.Duration // 60 s of publishing
	ReportTTL       time.Duration // 30 days a report stays readable
}

// DefaultLimits returns the documented defaults.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

func (l Limits) withDefaults() Limits {
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	defD := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&l.AppsPerIP, 5)
	defD(&l.AppsPerIPWindow, time.Hour)
	defD(&l.AppTTL, 24*time.Hour)
	def(&l.DefaultUsers, 2)
	def(&l.MaxUsers, 10)
	def(&l.AppMaxConns, 550)
	if l.AppPublishRate <= 0 {
		l.AppPublishRate = 20
	}
	def(&l.AppPublishBurst, 20)
	def(&l.LoadTestsPerApp, 1)
	def(&l.LoadTestsGlobal, 2)
	def(&l.MaxClients, 500)
	def(&l.MaxChannels, 50)
	def(&l.MaxRate, 1000)
	def(&l.MaxFanout, 2000)
	def(&l.MaxPayloadBytes, 4096)
	defD(&l.MaxDuration, 60*time.Second)
	defD(&l.ReportTTL, 30*24*time.Hour)
	return l
}
