package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

const (
	metaLastProbe  = "last_probe_at"  // Unix ms of the latest stored probe's start
	metaFirstProbe = "first_probe_at" // Unix ms of the earliest stored probe's start
)

func outcomeToDB(o Outcome) sql.NullInt64 {
	switch o {
	case OK:
		return sql.NullInt64{Int64: 1, Valid: true}
	case Failed:
		return sql.NullInt64{Int64: 0, Valid: true}
	}
	return sql.NullInt64{}
}

func outcomeFromDB(v sql.NullInt64) Outcome {
	switch {
	case !v.Valid:
		return Skipped
	case v.Int64 == 1:
		return OK
	}
	return Failed
}

// insertProbe stores p and sets p.ID.
func (m *Monitor) insertProbe(ctx context.Context, p *Probe) error {
	lat := make([]int64, len(p.Latencies))
	for i, d := range p.Latencies {
		lat[i] = d.Microseconds()
	}
	latJSON, _ := json.Marshal(lat) // cannot fail for integers
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store probe: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO status_probes
		(at, connect_ok, messaging_ok, peer_ok, http_ok, connect_us, http_us, sent, expected, delivered, latencies_us, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.At.UnixMilli(), outcomeToDB(p.Connect), outcomeToDB(p.Messaging), outcomeToDB(p.Peer), outcomeToDB(p.HTTP),
		p.ConnectTime.Microseconds(), p.HTTPTime.Microseconds(), p.Sent, p.Expected, p.Delivered, string(latJSON), p.Error)
	if err != nil {
		return fmt.Errorf("store probe: %w", err)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store probe: %w", err)
	}
	// Kept apart from status_probes, whose old rows are deleted, so that
	// CheckGap finds the last probe after any downtime.
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
		metaLastProbe, strconv.FormatInt(p.At.UnixMilli(), 10)); err != nil {
		return fmt.Errorf("store probe: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = min(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
		metaFirstProbe, strconv.FormatInt(p.At.UnixMilli(), 10)); err != nil {
		return fmt.Errorf("store probe: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store probe: %w", err)
	}
	return nil
}

const probeColumns = `id, at, connect_ok, messaging_ok, peer_ok, http_ok, connect_us, http_us, sent, expected, delivered, latencies_us, error`

func scanProbe(row interface{ Scan(...any) error }) (Probe, error) {
	var p Probe
	var at, connectUS, httpUS int64
	var c, msg, peer, h sql.NullInt64
	var lat string
	if err := row.Scan(&p.ID, &at, &c, &msg, &peer, &h, &connectUS, &httpUS, &p.Sent, &p.Expected, &p.Delivered, &lat, &p.Error); err != nil {
		return p, err
	}
	p.At = time.UnixMilli(at).UTC()
	p.Connect, p.Messaging, p.Peer, p.HTTP = outcomeFromDB(c), outcomeFromDB(msg), outcomeFromDB(peer), outcomeFromDB(h)
	p.ConnectTime = time.Duration(connectUS) * time.Microsecond
	p.HTTPTime = time.Duration(httpUS) * time.Microsecond
	var us []int64
	if err := json.Unmarshal([]byte(lat), &us); err != nil {
		return p, fmt.Errorf("probe %d latencies: %w", p.ID, err)
	}
	for _, v := range us {
		p.Latencies = append(p.Latencies, time.Duration(v)*time.Microsecond)
	}
	return p, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryProbes(ctx context.Context, q querier, query string, args ...any) ([]Probe, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+probeColumns+` FROM status_probes `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []Probe
	for rows.Next() {
		p, err := scanProbe(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// RecentProbes returns the stored probes started in [since, now], newest
// first, at most limit (1-1000). Raw probes are kept 48 hours.
func (m *Monitor) RecentProbes(ctx context.Context, since time.Time, limit int) ([]Probe, error) {
	if limit < 1 || limit > 1000 {
		return nil, invalid("limit", "must be 1-1000, got %d", limit)
	}
	ps, err := queryProbes(ctx, m.db, `WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?`, since.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("recent probes: %w", err)
	}
	return ps, nil
}
