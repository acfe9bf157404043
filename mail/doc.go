// Package mail keeps the portal's outgoing email in a durable outbox in
// SQLite and delivers it through SMTP.
//
// The path of a message:
//
//	Outbox.Send (compose en or zh, plain text + HTML) → mail_outbox row: accepted
//	  → Outbox.Run: oldest due first, one SMTP transaction each (STARTTLS, AUTH)
//	  → sent (kept for the admin page), or retried with backoff until MaxAge
//
// A message is accepted once its row is committed: a crash or kill -9 after
// that loses nothing, and it is delivered at least once with a stable
// Message-ID (a crash between the server's accepting it and the row being
// marked sent sends it again). Without SMTP configured, Run delivers
// nothing: messages stay in the outbox, where admins read them.
//
// Inbound mail (replying to a notification by email) is not handled.
package mail
