package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// offlineStore keeps peer messages for offline recipients in SQLite. Its
// statements are prepared once: every login runs replay, and parsing its
// SQL each time was a third of a connection's set-up cost.
type offlineStore struct {
	replayStmt, countStmt, insertStmt, ackStmt, sweepStmt *sql.Stmt
}

// newOfflineStore prepares the store's statements on db (after the
// engine's migrations).
func newOfflineStore(ctx context.Context, db *sql.DB) (*offlineStore, error) {
	s := &offlineStore{}
	if err := prepareAll(ctx, db, s.statements()); err != nil {
		return nil, fmt.Errorf("offline store: %w", err)
	}
	return s, nil
}

// statements lists the store's statements with their SQL.
func (s *offlineStore) statements() []stmtSpec {
	return []stmtSpec{
		{&s.replayStmt, `SELECT id, from_user, data, created_at FROM engine_offline
			WHERE app_id = ? AND to_user = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?`},
		{&s.countStmt, `SELECT count(*) FROM engine_offline WHERE app_id = ? AND to_user = ? AND expires_at > ?`},
		{&s.insertStmt, `INSERT INTO engine_offline (app_id, to_user, from_user, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`},
		{&s.ackStmt, `DELETE FROM engine_offline WHERE app_id = ? AND to_user = ? AND id <= ?`},
		{&s.sweepStmt, `DELETE FROM engine_offline WHERE expires_at <= ?`},
	}
}

// close releases the prepared statements.
func (s *offlineStore) close() { closeAll(s.statements()) }

// replayBatch is how many stored messages are read per query at login.
const replayBatch = 256

// replay queues the user's stored messages, oldest first. They stay stored
// until the client acknowledges them with peer_ack.
func (s *offlineStore) replay(ctx context.Context, c *conn, now time.Time) error {
	after := int64(0)
	for {
		rows, err := s.replayStmt.QueryContext(ctx, c.app.ID, c.user, after, now.UnixMilli(), replayBatch)
		if err != nil {
			return fmt.Errorf("replay offline: %w", err)
		}
		n := 0
		for rows.Next() {
			var p peerPush
			var data []byte
			if err := rows.Scan(&p.MessageID, &p.From, &data, &p.Time); err != nil {
				rows.Close()
				return fmt.Errorf("replay offline: %w", err)
			}
			p.Type, p.Data, p.Offline = "peer", data, true
			after = p.MessageID
			n++
			if !c.send(encodeFrame(p)) {
				rows.Close()
				return nil
			}
			c.e.stats.offlineSends.Add(1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("replay offline: %w", err)
		}
		if n < replayBatch {
			return nil
		}
	}
}

// store saves a message unless the recipient's quota is full.
func (s *offlineStore) store(ctx context.Context, app, from, to string, data json.RawMessage, now time.Time, ttl time.Duration, quota int) (id int64, full bool, err error) {
	var n int
	if err := s.countStmt.QueryRowContext(ctx, app, to, now.UnixMilli()).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("store offline: %w", err)
	}
	if n >= quota {
		return 0, true, nil
	}
	res, err := s.insertStmt.ExecContext(ctx, app, to, from, []byte(data), now.UnixMilli(), now.Add(ttl).UnixMilli())
	if err != nil {
		return 0, false, fmt.Errorf("store offline: %w", err)
	}
	id, err = res.LastInsertId()
	return id, false, err
}

func (s *offlineStore) ack(ctx context.Context, app, user string, upTo int64) error {
	_, err := s.ackStmt.ExecContext(ctx, app, user, upTo)
	if err != nil {
		return fmt.Errorf("ack offline: %w", err)
	}
	return nil
}

func (s *offlineStore) sweep(ctx context.Context, now time.Time) error {
	if _, err := s.sweepStmt.ExecContext(ctx, now.UnixMilli()); err != nil {
		return fmt.Errorf("sweep offline: %w", err)
	}
	return nil
}

// PeerReceipt is the result of a peer message: delivered to at least one
// of the recipient's connections, stored for later, or failed with a
// reason. MessageID and ExpiresAt (Unix seconds) are set when stored.
type PeerReceipt struct {
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	MessageID int64  `json:"message_id,omitempty"`
	ExpiresAt int64  `json:"expires_at,omitempty"`
}

// Peer receipt statuses and failure reasons (see PROTOCOL.md, op peer).
const (
	PeerDelivered    = "delivered"
	PeerStored       = "stored"
	PeerFailed       = "failed"
	ReasonOffline    = "offline"
	ReasonOfflineMax = "offline_quota"
)

func (c *conn) opPeer(ctx context.Context, r *request) (any, *Error) {
	if !validUser(r.To) {
		return nil, errf(CodeUserInvalid, "to must be 1-%d bytes without control characters", MaxUserIDBytes)
	}
	if err := c.checkData(r.Data); err != nil {
		return nil, err
	}
	if err := c.checkRate(ctx); err != nil {
		return nil, err
	}
	rec, err := c.e.sendPeer(ctx, c.app.ID, c.user, r.To, r.Data, r.Store == nil || *r.Store)
	if err != nil {
		return nil, internal(c, ctx, "peer", err)
	}
	return rec, nil
}

// sendPeer delivers data from user from (or "" for the server) to every
// connection of to, or stores it for to when to is offline and store is
// set. data must have been checked.
func (e *Engine) sendPeer(ctx context.Context, app, from, to string, data json.RawMessage, store bool) (PeerReceipt, error) {
	now := e.now()
	data = append(json.RawMessage(nil), data...)
	frame := encodeFrame(peerPush{Type: "peer", From: from, Data: data, Time: now.UnixMilli()})
	pl := e.peerLock(app, to)
	pl.Lock()
	defer pl.Unlock()
	delivered := e.hub.sendToUser(app, to, frame)
	var liveID string
	if e.peers != nil {
		remote, id, err := e.peers.send(app, to, frame.payload(), delivered)
		if err != nil {
			return PeerReceipt{}, err
		}
		delivered, liveID = remote, id
	}
	if delivered {
		e.stats.peerDelivered.Add(1)
		e.usage.of(app).peerDelivered.Add(1)
		return PeerReceipt{Status: PeerDelivered}, nil
	}
	if !store {
		e.stats.peerFailed.Add(1)
		e.usage.of(app).peerFailed.Add(1)
		return PeerReceipt{Status: PeerFailed, Reason: ReasonOffline}, nil
	}
	var id int64
	var full bool
	var err error
	if e.peers != nil {
		id, full, err = e.peers.store(ctx, app, from, to, data, now, liveID)
	} else {
		id, full, err = e.offline.store(ctx, app, from, to, data, now, e.limits.OfflineTTL, e.limits.MaxOfflinePerUser)
	}
	if err != nil {
		return PeerReceipt{}, err
	}
	if full {
		e.stats.peerFailed.Add(1)
		e.usage.of(app).peerFailed.Add(1)
		return PeerReceipt{Status: PeerFailed, Reason: ReasonOfflineMax}, nil
	}
	e.stats.peerStored.Add(1)
	e.usage.of(app).peerStored.Add(1)
	exp := now.Add(e.limits.OfflineTTL).Unix()
	if f := e.cfg.OnPeerStored; f != nil {
		f(PeerStoredEvent{AppID: app, From: from, To: to, MessageID: id, ExpiresAt: exp, Data: data})
	}
	return PeerReceipt{Status: PeerStored, MessageID: id, ExpiresAt: exp}, nil
}

func (c *conn) opPeerAck(ctx context.Context, r *request) (any, *Error) {
	// Message IDs are SQLite row IDs, 1..2^63-1 (not request IDs, which
	// stay under 2^53 for JavaScript).
	if r.MessageID == 0 || r.MessageID > math.MaxInt64 {
		return nil, errf(CodeBadRequest, "peer_ack: message_id must be 1..2^63-1")
	}
	ack := c.e.offline.ack
	if c.e.peers != nil {
		ack = c.e.peers.ack
	}
	if err := ack(ctx, c.app.ID, c.user, int64(r.MessageID)); err != nil {
		return nil, internal(c, ctx, "peer_ack", err)
	}
	return nil, nil
}
