package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// insertNodeProbes stores one run's node probes and sets their IDs.
func (m *Monitor) insertNodeProbes(ctx context.Context, nps []NodeProbe) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store node probes: %w", err)
	}
	defer tx.Rollback()
	for i := range nps {
		np := &nps[i]
		lat := make([]int64, len(np.Latencies))
		for j, d := range np.Latencies {
			lat[j] = d.Microseconds()
		}
		latJSON, _ := json.Marshal(lat) // cannot fail for integers
		res, err := tx.ExecContext(ctx, `INSERT INTO status_node_probes
			(url, node, at, connect_ok, messaging_ok, peer_ok, connect_us, sent, expected, delivered, latencies_us, error,
			cross_from, cross_ok, cross_expected, cross_delivered)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			np.URL, np.Node, np.At.UnixMilli(), outcomeToDB(np.Connect), outcomeToDB(np.Messaging), outcomeToDB(np.Peer),
			np.ConnectTime.Microseconds(), np.Sent, np.Expected, np.Delivered, string(latJSON), np.Error,
			np.CrossFrom, outcomeToDB(np.Cross), np.CrossExpected, np.CrossDelivered)
		if err != nil {
			return fmt.Errorf("store node probes: %w", err)
		}
		if np.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("store node probes: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store node probes: %w", err)
	}
	return nil
}

const nodeProbeColumns = `id, url, node, at, connect_ok, messaging_ok, peer_ok, connect_us, sent, expected, delivered, latencies_us, error,
	cross_from, cross_ok, cross_expected, cross_delivered`

func queryNodeProbes(ctx context.Context, q querier, query string, args ...any) ([]NodeProbe, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+nodeProbeColumns+` FROM status_node_probes `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var nps []NodeProbe
	for rows.Next() {
		np := NodeProbe{Probe: Probe{HTTP: Skipped}}
		var at, connectUS int64
		var c, msg, peer, cross sql.NullInt64
		var lat string
		if err := rows.Scan(&np.ID, &np.URL, &np.Node, &at, &c, &msg, &peer, &connectUS,
			&np.Sent, &np.Expected, &np.Delivered, &lat, &np.Error,
			&np.CrossFrom, &cross, &np.CrossExpected, &np.CrossDelivered); err != nil {
			return nil, err
		}
		np.Cross = outcomeFromDB(cross)
		np.At = time.UnixMilli(at).UTC()
		np.Connect, np.Messaging, np.Peer = outcomeFromDB(c), outcomeFromDB(msg), outcomeFromDB(peer)
		np.ConnectTime = time.Duration(connectUS) * time.Microsecond
		var us []int64
		if err := json.Unmarshal([]byte(lat), &us); err != nil {
			return nil, fmt.Errorf("node probe %d latencies: %w", np.ID, err)
		}
		for _, v := range us {
			np.Latencies = append(np.Latencies, time.Duration(v)*time.Microsecond)
		}
		nps = append(nps, np)
	}
	return nps, rows.Err()
}

// RecentNodeProbes returns the stored node probes started in [since,
// now], newest first, at most limit (1-1000). They are kept RawRetention.
func (m *Monitor) RecentNodeProbes(ctx context.Context, since time.Time, limit int) ([]NodeProbe, error) {
	if limit < 1 || limit > 1000 {
		return nil, invalid("limit", "must be 1-1000, got %d", limit)
	}
	nps, err := queryNodeProbes(ctx, m.db, `WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?`, since.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("recent node probes: %w", err)
	}
	return nps, nil
}
