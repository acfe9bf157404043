package client

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// encodeData turns data into JSON; json.RawMessage and []byte holding JSON
// are sent as they are.
func encodeData(data any) (json.RawMessage, error) {
	switch d := data.(type) {
	case json.RawMessage:
		return d, nil
	case []byte:
		if !json.Valid(d) {
			return nil, fmt.Errorf("switchboard: data []byte is not JSON")
		}
		return d, nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("switchboard: encode data: %w", err)
	}
	return b, nil
}

// Publish publishes data (any JSON-encodable value) to channel and returns
// its position. Errors include ErrMessageTooLarge, ErrRateLimited and
// ErrPermissionDenied.
func (c *Client) Publish(ctx context.Context, channel string, data any) (Position, error) {
	d, err := encodeData(data)
	if err != nil {
		return Position{}, err
	}
	raw, err := c.call(ctx, "publish", map[string]any{"channel": channel, "data": d})
	if err != nil {
		return Position{}, err
	}
	var p struct {
		Offset uint64 `json:"offset"`
		Epoch  string `json:"epoch"`
	}
	json.Unmarshal(raw, &p)
	return Position{Offset: p.Offset, Epoch: p.Epoch}, nil
}

// PeerMessage is a message sent to this user by another user.
type PeerMessage struct {
	From      string
	Data      json.RawMessage
	Time      time.Time
	Offline   bool  // stored while the user was offline
	MessageID int64 // set for stored messages
}

// ReceiptStatus says what happened to a peer message.
type ReceiptStatus string

// Receipt statuses.
const (
	Delivered ReceiptStatus = "delivered" // queued to the recipient's live connection(s)
	Stored    ReceiptStatus = "stored"    // recipient offline; kept for the next login
	Failed    ReceiptStatus = "failed"    // see Receipt.Reason
)

// Receipt is the server's answer to SendPeer.
type Receipt struct {
	Status    ReceiptStatus
	Reason    string    // for Failed: "offline" or "offline_quota"
	MessageID int64     // for Stored
	ExpiresAt time.Time // for Stored: when the stored message is dropped
}

// PeerOption configures SendPeer.
type PeerOption func(*peerOptions)

type peerOptions struct{ noStore bool }

// WithoutStore makes SendPeer fail with reason "offline" instead of storing
// the message when the recipient is offline.
func WithoutStore() PeerOption { return func(o *peerOptions) { o.noStore = true } }

// SendPeer sends data to user to (in the same app) and returns the receipt.
func (c *Client) SendPeer(ctx context.Context, to string, data any, opts ...PeerOption) (Receipt, error) {
	d, err := encodeData(data)
	if err != nil {
		return Receipt{}, err
	}
	var po peerOptions
	for _, o := range opts {
		o(&po)
	}
	p := map[string]any{"to": to, "data": d}
	if po.noStore {
		p["store"] = false
	}
	raw, err := c.call(ctx, "peer", p)
	if err != nil {
		return Receipt{}, err
	}
	var r struct {
		Status    string `json:"status"`
		Reason    string `json:"reason"`
		MessageID int64  `json:"message_id"`
		ExpiresAt int64  `json:"expires_at"`
	}
	json.Unmarshal(raw, &r)
	rc := Receipt{Status: ReceiptStatus(r.Status), Reason: r.Reason, MessageID: r.MessageID}
	if r.ExpiresAt != 0 {
		rc.ExpiresAt = time.Unix(r.ExpiresAt, 0)
	}
	return rc, nil
}

// Member is a user present in a channel.
type Member struct {
	User        string            `json:"user"`
	Connections int               `json:"connections"`
	State       map[string]string `json:"state"`
}

// Presence lists the users subscribed to channel, sorted by user ID.
func (c *Client) Presence(ctx context.Context, channel string) ([]Member, error) {
	raw, err := c.call(ctx, "presence", map[string]any{"channel": channel})
	if err != nil {
		return nil, err
	}
	var r struct {
		Members []Member `json:"members"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("switchboard: presence: %w", err)
	}
	return r.Members, nil
}

// SetState replaces this user's temporary state in channel (the client must
// be subscribed). Subscribers with presence events get a "state" event.
func (c *Client) SetState(ctx context.Context, channel string, state map[string]string) error {
	if state == nil {
		state = map[string]string{}
	}
	_, err := c.call(ctx, "set_state", map[string]any{"channel": channel, "state": state})
	return err
}

// WhereNow lists the channels where user is currently subscribed.
func (c *Client) WhereNow(ctx context.Context, user string) ([]string, error) {
	raw, err := c.call(ctx, "where_now", map[string]any{"user": user})
	if err != nil {
		return nil, err
	}
	var r struct {
		Channels []string `json:"channels"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("switchboard: where_now: %w", err)
	}
	return r.Channels, nil
}

// HistoryOptions selects publications: offsets in (Since, Until], at most
// Limit (default 100, max 1000), the newest ones if Latest.
type HistoryOptions struct {
	Since  uint64
	Until  uint64
	Limit  int
	Latest bool
}

// History is a page of a channel's history.
type History struct {
	Position     Position  // the channel's latest position
	Oldest       uint64    // oldest offset still kept (0 if none)
	Publications []Message // oldest first
}

// History reads kept publications of channel.
func (c *Client) History(ctx context.Context, channel string, o HistoryOptions) (History, error) {
	p := map[string]any{"channel": channel}
	if o.Since > 0 {
		p["since"] = o.Since
	}
	if o.Until > 0 {
		p["until"] = o.Until
	}
	if o.Limit > 0 {
		p["limit"] = o.Limit
	}
	if o.Latest {
		p["latest"] = true
	}
	raw, err := c.call(ctx, "history", p)
	if err != nil {
		return History{}, err
	}
	var r struct {
		Offset       uint64 `json:"offset"`
		Epoch        string `json:"epoch"`
		Oldest       uint64 `json:"oldest"`
		Publications []struct {
			Offset uint64          `json:"offset"`
			Data   json.RawMessage `json:"data"`
			From   string          `json:"from"`
			Time   int64           `json:"time"`
		} `json:"publications"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return History{}, fmt.Errorf("switchboard: history: %w", err)
	}
	h := History{Position: Position{Offset: r.Offset, Epoch: r.Epoch}, Oldest: r.Oldest, Publications: make([]Message, len(r.Publications))}
	for i, p := range r.Publications {
		h.Publications[i] = Message{Channel: channel, Offset: p.Offset, Epoch: r.Epoch, Data: p.Data, From: p.From, Time: time.UnixMilli(p.Time)}
	}
	return h, nil
}
