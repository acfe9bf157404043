package status

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// FaultResponseStats summarize the fault response times (first update
// minus incident start) of the incidents started in a window.
type FaultResponseStats struct {
	From      time.Time `json:"from"`
	Incidents int       `json:"incidents"`
	// MedianSeconds is the middle value (the mean of the two middle ones
	// for an even count); MaxSeconds the longest. Both null without incidents.
	MedianSeconds *float64 `json:"median_seconds"`
	MaxSeconds    *float64 `json:"max_seconds"`
}

// FaultResponse returns the fault response statistics of the incidents
// that started at or after from.
func (m *Monitor) FaultResponse(ctx context.Context, from time.Time) (FaultResponseStats, error) {
	st := FaultResponseStats{From: from.UTC()}
	rows, err := m.db.QueryContext(ctx, `SELECT i.started_at, min(u.created_at) FROM status_incidents i
		JOIN status_incident_updates u ON u.incident_id = i.id
		WHERE i.started_at >= ? GROUP BY i.id`, from.UnixMilli())
	if err != nil {
		return st, fmt.Errorf("fault response: %w", err)
	}
	var secs []float64
	if err := scanRows(rows, func(r *sql.Rows) error {
		var started, first int64
		if err := r.Scan(&started, &first); err != nil {
			return err
		}
		secs = append(secs, max(0, float64(first-started)/1000))
		return nil
	}); err != nil {
		return st, fmt.Errorf("fault response: %w", err)
	}
	st.Incidents = len(secs)
	if len(secs) == 0 {
		return st, nil
	}
	slices.Sort(secs)
	med := secs[len(secs)/2]
	if len(secs)%2 == 0 {
		med = (secs[len(secs)/2-1] + secs[len(secs)/2]) / 2
	}
	st.MedianSeconds, st.MaxSeconds = &med, &secs[len(secs)-1]
	return st, nil
}
