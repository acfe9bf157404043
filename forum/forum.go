// Package forum is Switchboard's community forum: accounts and sessions,
// roles, categories, topics and replies in Markdown, votes, accepted
// answers, moderation, notifications and search, stored in SQLite.
//
// The Store is the service: every exported method checks permissions
// itself (see policy.go) against the user carried in the context
// (NewContext), so the HTTP layer cannot forget a check. Errors a user can
// cause are *Error values wrapping one of the sentinel errors in error.go,
// with a message ID from locales/forum.*.toml.
//
// Every post records its author's role at the time of posting, and every
// state change of a topic is appended to forum_events with a timestamp and
// the actor's role: the response-time (SLA) clock is computed from them.
package forum
