package support

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// App is one of a team's console apps, as a ticket names it.
type App struct {
	ID   string
	Name string
}

// Apps answers support's questions about the console's apps and their
// usage; the console and usage packages implement it (wired in main).
type Apps interface {
	// TeamApps lists the team's apps. Support has checked that the
	// signed-in user is a member of the team.
	TeamApps(ctx context.Context, teamID int64) ([]App, error)
	// Snapshot summarizes the app's usage and health over [from, to).
	Snapshot(ctx context.Context, appID string, from, to time.Time) (Diagnostics, error)
}

// DiagnosticsWindow is how far back attached diagnostics reach.
const DiagnosticsWindow = time.Hour

// Diagnostics are an app's usage and health figures over a window,
// attached to a ticket when it is opened. Only the team and staff see
// them. Rates and latencies are nil where nothing was due.
type Diagnostics struct {
	AppID           string           `json:"app_id"`
	From            time.Time        `json:"from"`
	To              time.Time        `json:"to"`
	Minutes         int              `json:"active_minutes"` // minutes with any activity
	Connections     int64            `json:"connections"`    // at the latest active minute
	PeakConnections int64            `json:"peak_connections"`
	NewConnections  int64            `json:"new_connections"`
	Publishes       int64            `json:"publishes"`
	DeliveriesDue   int64            `json:"deliveries_due"`
	Deliveries      int64            `json:"deliveries"`
	DeliveryRate    *float64         `json:"delivery_rate"`
	P50ms           *float64         `json:"p50_ms"`
	P99ms           *float64         `json:"p99_ms"`
	PeerFailed      int64            `json:"peer_failed"`
	HistoryRequests int64            `json:"history_requests"`
	Errors          int64            `json:"errors"`
	ErrorsByCode    map[string]int64 `json:"errors_by_code"`
	Disconnects     map[string]int64 `json:"disconnects_by_code"`
	SDKs            map[string]int64 `json:"sdks"`
}

// TeamApps lists the apps of one of the signed-in user's teams, for the
// ticket form; ErrNotFound for a team the user is not a member of.
func (s *Service) TeamApps(ctx context.Context, teamID int64) ([]App, error) {
	a := s.actor(ctx)
	if a.UserID == 0 {
		return nil, ErrUnauthorized
	}
	if s.cfg.Apps == nil {
		return nil, nil
	}
	member, err := s.cfg.Teams.IsMember(ctx, teamID, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("team apps: %w", err)
	}
	if !member {
		return nil, ErrNotFound
	}
	apps, err := s.cfg.Apps.TeamApps(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("team apps: %w", err)
	}
	return apps, nil
}

// checkApp validates the ticket's optional app and takes the diagnostics
// snapshot when asked: the app must be one of the ticket's team (the
// server checks; the form's select is only a convenience).
func (s *Service) checkApp(ctx context.Context, in *NewTicket) (*Diagnostics, error) {
	if in.AppID == "" {
		if in.Diagnostics {
			return nil, invalid("diagnostics", "tickets.error.diagnostics_app")
		}
		return nil, nil
	}
	if s.cfg.Apps == nil {
		return nil, invalid("app", "tickets.error.app")
	}
	apps, err := s.cfg.Apps.TeamApps(ctx, in.TeamID)
	if err != nil {
		return nil, fmt.Errorf("ticket app: %w", err)
	}
	found := false
	for _, app := range apps {
		found = found || app.ID == in.AppID
	}
	if !found {
		return nil, invalid("app", "tickets.error.app")
	}
	if !in.Diagnostics {
		return nil, nil
	}
	now := s.now()
	d, err := s.cfg.Apps.Snapshot(ctx, in.AppID, now.Add(-DiagnosticsWindow), now)
	if err != nil {
		return nil, fmt.Errorf("ticket diagnostics: %w", err)
	}
	d.AppID = in.AppID
	return &d, nil
}

func saveDiagnostics(ctx context.Context, tx *sql.Tx, ticketID int64, d *Diagnostics, now int64) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("ticket diagnostics: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO support_diagnostics (ticket_id, app_id, taken_at, figures) VALUES (?, ?, ?, ?)`,
		ticketID, d.AppID, now, string(b)); err != nil {
		return fmt.Errorf("ticket diagnostics: %w", err)
	}
	return nil
}

// Diagnostics returns the diagnostics attached to ticket id, or nil when
// none were; ErrNotFound for anyone who may not see the ticket.
func (s *Service) Diagnostics(ctx context.Context, id int64) (*Diagnostics, error) {
	if _, _, err := s.authorize(ctx, id, ActionView); err != nil {
		return nil, err
	}
	var figures string
	err := s.db.QueryRowContext(ctx, `SELECT figures FROM support_diagnostics WHERE ticket_id = ?`, id).Scan(&figures)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ticket diagnostics: %w", err)
	}
	var d Diagnostics
	if err := json.Unmarshal([]byte(figures), &d); err != nil {
		return nil, fmt.Errorf("ticket diagnostics: %w", err)
	}
	return &d, nil
}
