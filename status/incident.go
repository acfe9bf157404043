package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Severity of an incident.
type Severity string

// Severities.
const (
	SeverityMinor    Severity = "minor"
	SeverityMajor    Severity = "major"
	SeverityCritical Severity = "critical"
)

// IncidentStatus is the stage an incident update reports.
type IncidentStatus string

// Incident statuses, in their usual order.
const (
	Investigating IncidentStatus = "investigating"
	Identified    IncidentStatus = "identified"
	Monitoring    IncidentStatus = "monitoring"
	Resolved      IncidentStatus = "resolved"
)

// Limits on incident input.
const (
	MaxTitleRunes      = 200
	MaxMessageRunes    = 5000
	MaxAuthorNameRunes = 100
	// MaxStartedAgo: an incident cannot start more than a year ago.
	MaxStartedAgo = 365 * 24 * time.Hour
	// MaxUpdates per incident.
	MaxUpdates = 100
)

// Incident is a fault staff report on the status page, with its updates.
type Incident struct {
	ID         int64       `json:"id"`
	Title      string      `json:"title"`
	Severity   Severity    `json:"severity"`
	Components []Component `json:"components"`
	// Status is the status of the latest update.
	Status IncidentStatus `json:"status"`
	// StartedAt is when the fault began (given by staff; it may be before
	// CreatedAt, when the incident was posted).
	StartedAt time.Time `json:"started_at"`
	CreatedAt time.Time `json:"created_at"`
	// ResolvedAt is the time of the latest update if its status is
	// resolved; null while the incident is open.
	ResolvedAt *time.Time `json:"resolved_at"`
	// FirstResponseAt is the time of the first update (every incident is
	// posted with one). FaultResponseSeconds = FirstResponseAt - StartedAt,
	// at least 0: the fault response time the SLA speaks of.
	FirstResponseAt      time.Time        `json:"first_response_at"`
	FaultResponseSeconds float64          `json:"fault_response_seconds"`
	Updates              []IncidentUpdate `json:"updates"` // oldest first
}

// Open reports whether the incident is not resolved.
func (in *Incident) Open() bool { return in.ResolvedAt == nil }

// IncidentUpdate is one timestamped status update by a staff member.
type IncidentUpdate struct {
	ID         int64          `json:"id"`
	IncidentID int64          `json:"incident_id"`
	Status     IncidentStatus `json:"status"`
	Message    string         `json:"message"` // plain text; escape when rendering
	AuthorID   int64          `json:"author_id"`
	AuthorName string         `json:"author_name"`
	CreatedAt  time.Time      `json:"created_at"`
}

// NewIncident is the input of CreateIncident: the incident and its first
// update. The portal checks that the author is staff.
type NewIncident struct {
	Title      string
	Severity   Severity
	Components []Component // 1-4 measured components
	// StartedAt is when the fault began; zero means now. It may not lie in
	// the future (beyond 1 minute of clock skew) or over MaxStartedAgo back.
	StartedAt time.Time
	Update    NewUpdate
}

// NewUpdate is the input of an incident update.
type NewUpdate struct {
	Status     IncidentStatus
	Message    string // 1-MaxMessageRunes characters
	AuthorID   int64  // > 0
	AuthorName string // 1-MaxAuthorNameRunes characters
}

func (u *NewUpdate) validate() error {
	switch u.Status {
	case Investigating, Identified, Monitoring, Resolved:
	default:
		return invalid("status", "unknown status %q", u.Status)
	}
	u.Message = strings.TrimSpace(u.Message)
	if n := utf8.RuneCountInString(u.Message); n == 0 || n > MaxMessageRunes || !utf8.ValidString(u.Message) {
		return invalid("message", "must be 1-%d characters of UTF-8", MaxMessageRunes)
	}
	u.AuthorName = strings.TrimSpace(u.AuthorName)
	if n := utf8.RuneCountInString(u.AuthorName); u.AuthorID <= 0 || n == 0 || n > MaxAuthorNameRunes {
		return invalid("author", "author ID must be positive and name 1-%d characters", MaxAuthorNameRunes)
	}
	return nil
}

func (in *NewIncident) validate(now time.Time) error {
	in.Title = strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > MaxTitleRunes || !utf8.ValidString(in.Title) {
		return invalid("title", "must be 1-%d characters of UTF-8", MaxTitleRunes)
	}
	switch in.Severity {
	case SeverityMinor, SeverityMajor, SeverityCritical:
	default:
		return invalid("severity", "unknown severity %q", in.Severity)
	}
	var comps []Component
	for _, c := range in.Components {
		if !c.Valid() {
			return invalid("components", "unknown component %q", c)
		}
		if !slices.Contains(comps, c) {
			comps = append(comps, c)
		}
	}
	if len(comps) == 0 {
		return invalid("components", "at least one component is required")
	}
	in.Components = comps
	if in.StartedAt.IsZero() {
		in.StartedAt = now
	}
	if in.StartedAt.After(now.Add(time.Minute)) || in.StartedAt.Before(now.Add(-MaxStartedAgo)) {
		return invalid("started_at", "must be within the last year and not in the future")
	}
	return in.Update.validate()
}

// CreateIncident stores an incident with its first update, timestamped
// now. Errors: ErrInvalid (a *ValidationError).
func (m *Monitor) CreateIncident(ctx context.Context, in NewIncident) (Incident, error) {
	now := m.now().UTC()
	if err := in.validate(now); err != nil {
		return Incident{}, fmt.Errorf("create incident: %w", err)
	}
	comps, _ := json.Marshal(in.Components) // cannot fail for strings
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return Incident{}, fmt.Errorf("create incident: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO status_incidents (title, severity, components, started_at, created_at)
		VALUES (?, ?, ?, ?, ?)`, in.Title, string(in.Severity), string(comps), in.StartedAt.UnixMilli(), now.UnixMilli())
	if err != nil {
		return Incident{}, fmt.Errorf("create incident: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Incident{}, fmt.Errorf("create incident: %w", err)
	}
	if err := addUpdate(ctx, tx, id, in.Update, now); err != nil {
		return Incident{}, fmt.Errorf("create incident: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Incident{}, fmt.Errorf("create incident: %w", err)
	}
	return m.Incident(ctx, id)
}

// AddIncidentUpdate adds a status update, timestamped now, and returns the
// incident. A resolved update closes the incident; a later update with
// another status reopens it. Errors: ErrNotFound, ErrInvalid (also when
// the incident already has MaxUpdates updates).
func (m *Monitor) AddIncidentUpdate(ctx context.Context, id int64, u NewUpdate) (Incident, error) {
	if err := u.validate(); err != nil {
		return Incident{}, fmt.Errorf("update incident: %w", err)
	}
	now := m.now().UTC()
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return Incident{}, fmt.Errorf("update incident: %w", err)
	}
	defer tx.Rollback()
	var n, updates int
	if err := tx.QueryRowContext(ctx, `SELECT count(*), (SELECT count(*) FROM status_incident_updates WHERE incident_id = ?)
		FROM status_incidents WHERE id = ?`, id, id).Scan(&n, &updates); err != nil {
		return Incident{}, fmt.Errorf("update incident: %w", err)
	}
	if n == 0 {
		return Incident{}, fmt.Errorf("update incident %d: %w", id, ErrNotFound)
	}
	if updates >= MaxUpdates {
		return Incident{}, fmt.Errorf("update incident %d: %w", id, invalid("updates", "at most %d updates per incident", MaxUpdates))
	}
	if err := addUpdate(ctx, tx, id, u, now); err != nil {
		return Incident{}, fmt.Errorf("update incident: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Incident{}, fmt.Errorf("update incident: %w", err)
	}
	return m.Incident(ctx, id)
}

func addUpdate(ctx context.Context, tx *sql.Tx, id int64, u NewUpdate, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_incident_updates (incident_id, status, message, author_id, author_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, string(u.Status), u.Message, u.AuthorID, u.AuthorName, now.UnixMilli()); err != nil {
		return err
	}
	var resolved any
	if u.Status == Resolved {
		resolved = now.UnixMilli()
	}
	_, err := tx.ExecContext(ctx, `UPDATE status_incidents SET resolved_at = ? WHERE id = ?`, resolved, id)
	return err
}

// Incident returns one incident with its updates, or ErrNotFound.
func (m *Monitor) Incident(ctx context.Context, id int64) (Incident, error) {
	ins, err := m.queryIncidents(ctx, `WHERE id = ?`, id)
	if err != nil {
		return Incident{}, fmt.Errorf("get incident: %w", err)
	}
	if len(ins) == 0 {
		return Incident{}, fmt.Errorf("get incident %d: %w", id, ErrNotFound)
	}
	return ins[0], nil
}

// IncidentFilter selects incidents for ListIncidents.
type IncidentFilter struct {
	// Since selects incidents started at or after it (zero: all).
	Since time.Time
	// IncludeOpen also selects every open incident, however old.
	IncludeOpen bool
	// OpenOnly selects only open incidents (Since is then ignored).
	OpenOnly bool
	// Limit is 1-200; 0 means 50.
	Limit int
}

// ListIncidents returns incidents newest first (by StartedAt), with their
// updates. Errors: ErrInvalid for a bad limit.
func (m *Monitor) ListIncidents(ctx context.Context, f IncidentFilter) ([]Incident, error) {
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 200 {
		return nil, fmt.Errorf("list incidents: %w", invalid("limit", "must be 1-200, got %d", f.Limit))
	}
	var where string
	var args []any
	switch {
	case f.OpenOnly:
		where = `WHERE resolved_at IS NULL`
	case f.IncludeOpen:
		where, args = `WHERE started_at >= ? OR resolved_at IS NULL`, []any{f.Since.UnixMilli()}
	default:
		where, args = `WHERE started_at >= ?`, []any{f.Since.UnixMilli()}
	}
	ins, err := m.queryIncidents(ctx, where+` ORDER BY started_at DESC, id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return ins, nil
}

func (m *Monitor) queryIncidents(ctx context.Context, where string, args ...any) ([]Incident, error) {
	rows, err := m.db.QueryContext(ctx, `SELECT id, title, severity, components, started_at, created_at, resolved_at
		FROM status_incidents `+where, args...)
	if err != nil {
		return nil, err
	}
	var ins []Incident
	byID := map[int64]int{}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var in Incident
		var comps string
		var started, created int64
		var resolved sql.NullInt64
		if err := r.Scan(&in.ID, &in.Title, &in.Severity, &comps, &started, &created, &resolved); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(comps), &in.Components); err != nil {
			return fmt.Errorf("incident %d components: %w", in.ID, err)
		}
		in.StartedAt, in.CreatedAt = time.UnixMilli(started).UTC(), time.UnixMilli(created).UTC()
		if resolved.Valid {
			t := time.UnixMilli(resolved.Int64).UTC()
			in.ResolvedAt = &t
		}
		byID[in.ID] = len(ins)
		ins = append(ins, in)
		return nil
	}); err != nil {
		return nil, err
	}
	if len(ins) == 0 {
		return nil, nil
	}
	ph := strings.Repeat("?,", len(ins))
	ids := make([]any, len(ins))
	for i := range ins {
		ids[i] = ins[i].ID
	}
	rows, err = m.db.QueryContext(ctx, `SELECT id, incident_id, status, message, author_id, author_name, created_at
		FROM status_incident_updates WHERE incident_id IN (`+ph[:len(ph)-1]+`) ORDER BY created_at, id`, ids...)
	if err != nil {
		return nil, err
	}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var u IncidentUpdate
		var at int64
		if err := r.Scan(&u.ID, &u.IncidentID, &u.Status, &u.Message, &u.AuthorID, &u.AuthorName, &at); err != nil {
			return err
		}
		u.CreatedAt = time.UnixMilli(at).UTC()
		in := &ins[byID[u.IncidentID]]
		in.Updates = append(in.Updates, u)
		return nil
	}); err != nil {
		return nil, err
	}
	for i := range ins {
		in := &ins[i]
		if len(in.Updates) == 0 {
			return nil, errors.New("incident without updates") // CreateIncident always adds one
		}
		in.Status = in.Updates[len(in.Updates)-1].Status
		in.FirstResponseAt = in.Updates[0].CreatedAt
		in.FaultResponseSeconds = max(0, in.FirstResponseAt.Sub(in.StartedAt).Seconds())
	}
	return ins, nil
}
