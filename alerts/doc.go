// Package alerts keeps per-app alert rules on the measured usage series
// (delivery rate, server p99 latency, protocol errors, connections, each
// over a window of minutes), evaluates them after every usage flush, and
// records each firing and resolution as history. A rule fires once when
// its condition starts to hold and resolves once when it stops; the
// Config.OnEvent callback tells the team (notifications, email, webhooks).
//
// Who may read or change an app's rules is the console's policy
// (console.ActViewApp, console.ActManageAlerts): callers authorize first.
package alerts
