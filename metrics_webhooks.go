package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-rtm/switchboard/webhooks"
)

// registerWebhookMetrics exports the webhook service's counters on
// /metrics as switchboard_webhook_events_total{outcome}: an operator sees
// events dropped for a full queue or endpoint, or lost to a failed outbox
// transaction, without reading the logs.
func registerWebhookMetrics(reg *prometheus.Registry, wh *webhooks.Service) {
	const help = "Webhook events since the server started, by outcome: accepted (outbox rows committed, one per event and endpoint), " +
		"delivered, retried (failed attempts to be retried), failed (given up after 24 h), dropped_queue, dropped_endpoint_full, lost (outbox transaction failed)."
	for outcome, get := range map[string]func(webhooks.Stats) uint64{
		"accepted":              func(s webhooks.Stats) uint64 { return s.Accepted },
		"delivered":             func(s webhooks.Stats) uint64 { return s.Delivered },
		"retried":               func(s webhooks.Stats) uint64 { return s.Retried },
		"failed":                func(s webhooks.Stats) uint64 { return s.Failed },
		"dropped_queue":         func(s webhooks.Stats) uint64 { return s.DroppedQueue },
		"dropped_endpoint_full": func(s webhooks.Stats) uint64 { return s.DroppedFull },
		"lost":                  func(s webhooks.Stats) uint64 { return s.Lost },
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "switchboard_webhook_events_total", Help: help, ConstLabels: prometheus.Labels{"outcome": outcome},
		}, func() float64 { return float64(get(wh.Stats())) }))
	}
}
