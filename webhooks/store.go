package webhooks

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// store is the SQLite side: endpoints, outbox rows and delivery attempts.
type store struct{ db *sql.DB }

func (s *store) addEndpoint(ctx context.Context, e Endpoint) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO webhook_endpoints (id, app_id, url, events, channels, secret, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, e.AppID, e.URL, strings.Join(e.Events, ","), e.Channels, e.Secret, e.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("add webhook endpoint: %w", err)
	}
	return nil
}

// endpoints lists the endpoints of app, or of every app when app is "",
// in the order they were added (rowid breaks ties within a millisecond;
// the random IDs would not).
func (s *store) endpoints(ctx context.Context, app string) ([]Endpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, app_id, url, events, channels, secret, created_at
		FROM webhook_endpoints WHERE ? = '' OR app_id = ? ORDER BY created_at, rowid`, app, app)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		var e Endpoint
		var events string
		var created int64
		if err := rows.Scan(&e.ID, &e.AppID, &e.URL, &events, &e.Channels, &e.Secret, &created); err != nil {
			return nil, fmt.Errorf("list webhook endpoints: %w", err)
		}
		e.Events = strings.Split(events, ",")
		e.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *store) removeEndpoint(ctx context.Context, app, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = ? AND app_id = ?`, id, app)
	if err != nil {
		return fmt.Errorf("remove webhook endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("remove webhook endpoint %s: %w", id, ErrNotFound)
	}
	return nil
}

// outRow is one event waiting for one endpoint.
type outRow struct {
	Seq       int64
	EventID   string
	Type      string
	Body      []byte
	CreatedAt time.Time
	Attempts  int
	NextAt    time.Time
}

// insert is one accepted event for one endpoint, written by the batch writer.
type insert struct {
	endpoint, eventID, typ string
	body                   []byte
	at                     time.Time
}

// insertBatch commits rows in one transaction: all accepted, or none.
func (s *store) insertBatch(ctx context.Context, rows []insert) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox: begin: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO webhook_outbox (endpoint_id, event_id, type, body, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("outbox: prepare: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		ms := r.at.UnixMilli()
		if _, err := stmt.ExecContext(ctx, r.endpoint, r.eventID, r.typ, r.body, ms, ms); err != nil {
			return fmt.Errorf("outbox: insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outbox: commit: %w", err)
	}
	return nil
}

// heads returns up to n of the endpoint's oldest pending events, oldest first.
func (s *store) heads(ctx context.Context, endpoint string, n int) ([]outRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, event_id, type, body, created_at, attempts, next_at FROM webhook_outbox
		WHERE endpoint_id = ? AND state = 'pending' ORDER BY seq LIMIT ?`, endpoint, n)
	if err != nil {
		return nil, fmt.Errorf("outbox head: %w", err)
	}
	defer rows.Close()
	var out []outRow
	for rows.Next() {
		var r outRow
		var created, next int64
		if err := rows.Scan(&r.Seq, &r.EventID, &r.Type, &r.Body, &created, &r.Attempts, &next); err != nil {
			return nil, fmt.Errorf("outbox head: %w", err)
		}
		r.CreatedAt, r.NextAt = time.UnixMilli(created), time.UnixMilli(next)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *store) pendingCount(ctx context.Context, endpoint string) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM webhook_outbox WHERE endpoint_id = ? AND state = 'pending'`, endpoint).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("outbox count: %w", err)
	}
	return n, nil
}

// Delivery is one attempt to deliver an event to an endpoint.
type Delivery struct {
	EventID  string
	Type     string
	Attempt  int           // 1 for the first try
	Status   int           // HTTP status; 0 when there was no answer
	Error    string        // why it failed; empty on success
	Duration time.Duration // from sending to the end of the answer's headers
	At       time.Time
}

// OK reports whether the endpoint answered 2xx.
func (d Delivery) OK() bool { return d.Status >= 200 && d.Status < 300 }

// KeepDeliveries is how many attempts are kept per endpoint.
const KeepDeliveries = 100

// outcome is one attempt of one outbox row and what follows from it.
type outcome struct {
	row    outRow
	d      Delivery
	done   bool      // delivered: delete the row
	failed bool      // given up: mark the row failed
	next   time.Time // otherwise: retry then
}

// finish records attempts and applies their outcomes in one transaction.
func (s *store) finish(ctx context.Context, endpoint string, outs []outcome) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	defer tx.Rollback()
	for _, o := range outs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, type, attempt, status, error, duration_us, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, endpoint, o.d.EventID, o.d.Type, o.d.Attempt, o.d.Status, o.d.Error, o.d.Duration.Microseconds(), o.d.At.UnixMilli()); err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
		switch {
		case o.done:
			_, err = tx.ExecContext(ctx, `DELETE FROM webhook_outbox WHERE seq = ?`, o.row.Seq)
		case o.failed:
			_, err = tx.ExecContext(ctx, `UPDATE webhook_outbox SET state = 'failed', attempts = ?, last_error = ? WHERE seq = ?`, o.d.Attempt, o.d.Error, o.row.Seq)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE webhook_outbox SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?`, o.d.Attempt, o.next.UnixMilli(), o.d.Error, o.row.Seq)
		}
		if err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
	}
	if err := prune(ctx, tx, endpoint); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record delivery: commit: %w", err)
	}
	return nil
}

func prune(ctx context.Context, tx *sql.Tx, endpoint string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = ? AND id <= (
		SELECT id FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`, endpoint, endpoint, KeepDeliveries); err != nil {
		return fmt.Errorf("prune deliveries: %w", err)
	}
	return nil
}

// record stores a delivery that belongs to no outbox row (a test event).
func (s *store) record(ctx context.Context, endpoint string, d Delivery) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, type, attempt, status, error, duration_us, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, endpoint, d.EventID, d.Type, d.Attempt, d.Status, d.Error, d.Duration.Microseconds(), d.At.UnixMilli()); err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	if err := prune(ctx, tx, endpoint); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *store) deliveries(ctx context.Context, endpoint string) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT event_id, type, attempt, status, error, duration_us, at FROM webhook_deliveries
		WHERE endpoint_id = ? ORDER BY id DESC`, endpoint)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var us, at int64
		if err := rows.Scan(&d.EventID, &d.Type, &d.Attempt, &d.Status, &d.Error, &us, &at); err != nil {
			return nil, fmt.Errorf("list deliveries: %w", err)
		}
		d.Duration, d.At = time.Duration(us)*time.Microsecond, time.UnixMilli(at).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
