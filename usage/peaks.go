package usage

import (
	"context"
	"fmt"
	"time"
)

// Peaks are an app's busiest minutes in a window, beside which the
// console shows a registered event's expected peak.
type Peaks struct {
	// Minutes is how many minutes of the window had activity (0: no data).
	Minutes int
	// Conns is the most connections at once in any of them.
	Conns int64
	// PublishesPerSec is the busiest minute's publishes divided by 60: an
	// average over that minute, so a burst within it reads lower.
	PublishesPerSec float64
}

// Peaks returns the app's peaks over the minute periods that start in
// [from, to).
func (s *Service) Peaks(ctx context.Context, appID string, from, to time.Time) (Peaks, error) {
	var p Peaks
	var pubs int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(peak), 0), coalesce(max(publishes), 0)
		FROM usage_periods WHERE app_id = ? AND step = ? AND t >= ? AND t < ?`,
		appID, stepMinute, from.Unix(), to.Unix()).Scan(&p.Minutes, &p.Conns, &pubs)
	if err != nil {
		return Peaks{}, fmt.Errorf("usage peaks: %w", err)
	}
	p.PublishesPerSec = float64(pubs) / 60
	return p, nil
}
