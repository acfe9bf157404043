package status

import (
	"context"
	"database/sql"

	"github.com/switchboard-rtm/switchboard/histogram"
)

// InsertProbe stores a hand-made probe, for the arithmetic tests.
func (m *Monitor) InsertProbe(ctx context.Context, p *Probe) error { return m.insertProbe(ctx, p) }

// DB exposes the database so tests can check that storage stays bounded.
func (m *Monitor) DB() *sql.DB { return m.db }

// DecodeHistogram exposes the stored form to the fuzz test.
func DecodeHistogram(s string) (Histogram, error) { return histogram.Decode(s) }
