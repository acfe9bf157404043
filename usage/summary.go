package usage

import (
	"context"
	"fmt"
	"time"
)

// Summary merges the app's minute periods that start in [from, to) into
// one Period (T is from; Conns is the latest minute's), and reports how
// many minutes had activity. Support snapshots the last hour of an app
// with it when a customer attaches diagnostics to a ticket.
func (s *Service) Summary(ctx context.Context, appID string, from, to time.Time) (Period, int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+periodColumns+` FROM usage_periods WHERE app_id = ? AND step = ? AND t >= ? AND t < ? ORDER BY t`,
		appID, stepMinute, from.Unix(), to.Unix())
	if err != nil {
		return Period{}, 0, fmt.Errorf("usage summary: %w", err)
	}
	defer rows.Close()
	out := Period{T: from.Unix()}
	n := 0
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return Period{}, 0, fmt.Errorf("usage summary: %w", err)
		}
		out.merge(&p)
		n++
	}
	if err := rows.Err(); err != nil {
		return Period{}, 0, fmt.Errorf("usage summary: %w", err)
	}
	return out, n, nil
}
