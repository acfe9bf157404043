package engine

import "context"

// Member is one user present in a channel.
type Member struct {
	User        string            `json:"user"`
	Connections int               `json:"connections"`
	State       map[string]string `json:"state"`
	// Clients are the IDs of the user's connections in the channel,
	// sorted. The server API shows them; the protocol's presence op does
	// not tell one client another's IDs.
	Clients []string `json:"-"`
}

// PresenceManager tracks which users' connections are subscribed to which
// channels, with per-user temporary state. MemoryPresence is the
// single-node implementation.
type PresenceManager interface {
	// Join records that client (a connection of user) is in ch. first is
	// true if it is the user's first connection there.
	Join(ctx context.Context, ch ChannelID, user, client string) (first bool, err error)
	// Leave removes the client; last is true if it was the user's last
	// connection there (the user's state in ch is then cleared).
	Leave(ctx context.Context, ch ChannelID, user, client string) (last bool, err error)
	// SetState replaces the user's state in ch. It returns ErrNotFound if
	// the user is not present in ch.
	SetState(ctx context.Context, ch ChannelID, user string, state map[string]string) error
	// Presence lists the members of ch, sorted by user ID.
	Presence(ctx context.Context, ch ChannelID) ([]Member, error)
	// WhereNow lists, sorted, the channels of app where user is present.
	WhereNow(ctx context.Context, app, user string) ([]string, error)
	// RemoveApp forgets all presence of app.
	RemoveApp(ctx context.Context, app string) error
}
