package status_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/status"
)

func newIncident() status.NewIncident {
	return status.NewIncident{
		Title: "Messages delayed", Severity: status.SeverityMajor,
		Components: []status.Component{status.ComponentMessaging, status.ComponentMessaging, status.ComponentPeer},
		StartedAt:  at("2026-11-25T11:40:00Z"),
		Update:     status.NewUpdate{Status: status.Investigating, Message: "We are looking into it.", AuthorID: 7, AuthorName: "Li Wei"},
	}
}

func TestIncidentLifecycle(t *testing.T) {
	s := newStore(t) // clock at 12:00
	ctx := context.Background()
	in, err := s.m.CreateIncident(ctx, newIncident())
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != status.Investigating || !in.Open() || len(in.Updates) != 1 || len(in.Components) != 2 {
		t.Fatalf("created %+v", in)
	}
	// Fault response time: first update 12:00 - start 11:40.
	if in.FaultResponseSeconds != 20*60 || !in.FirstResponseAt.Equal(at("2026-11-25T12:00:00Z")) {
		t.Errorf("fault response %v s, first response %v; want 1200 s at 12:00", in.FaultResponseSeconds, in.FirstResponseAt)
	}
	s.clock.Add(10 * time.Minute)
	if in, err = s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Identified, Message: "A full disk.", AuthorID: 8, AuthorName: "Ann"}); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(10 * time.Minute)
	if in, err = s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Resolved, Message: "Fixed.", AuthorID: 8, AuthorName: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if in.Status != status.Resolved || in.Open() || !in.ResolvedAt.Equal(at("2026-11-25T12:20:00Z")) || len(in.Updates) != 3 {
		t.Fatalf("after resolve: %+v", in)
	}
	if in.FaultResponseSeconds != 20*60 {
		t.Errorf("fault response changed to %v by later updates", in.FaultResponseSeconds)
	}
	if u := in.Updates[1]; u.Status != status.Identified || u.AuthorName != "Ann" || u.AuthorID != 8 || !u.CreatedAt.Equal(at("2026-11-25T12:10:00Z")) {
		t.Errorf("second update %+v", u)
	}
	open, err := s.m.ListIncidents(ctx, status.IncidentFilter{OpenOnly: true})
	if err != nil || len(open) != 0 {
		t.Fatalf("open incidents = %d, %v; want none", len(open), err)
	}
	// Reopened by a later update.
	if in, err = s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Monitoring, Message: "It came back.", AuthorID: 8, AuthorName: "Ann"}); err != nil || !in.Open() {
		t.Fatalf("reopen: %+v, %v", in, err)
	}
	if _, err := s.m.AddIncidentUpdate(ctx, 999, status.NewUpdate{Status: status.Resolved, Message: "x", AuthorID: 1, AuthorName: "x"}); !errors.Is(err, status.ErrNotFound) {
		t.Errorf("update of a missing incident: %v, want ErrNotFound", err)
	}
	// A second incident, posted 5 minutes after it started, then 2 hours.
	for _, late := range []time.Duration{5 * time.Minute, 2 * time.Hour} {
		n := newIncident()
		n.StartedAt = s.clock.Now().Add(-late)
		if _, err := s.m.CreateIncident(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	fr, err := s.m.FaultResponse(ctx, at("2026-11-01T00:00:00Z"))
	if err != nil || fr.Incidents != 3 || val(fr.MedianSeconds) != 20*60 || val(fr.MaxSeconds) != 2*3600 {
		t.Errorf("fault response stats = %+v, %v; want 3 incidents, median 1200 s, max 7200 s", fr, err)
	}
	if _, err := s.m.Incident(ctx, 999); !errors.Is(err, status.ErrNotFound) {
		t.Errorf("missing incident: %v, want ErrNotFound", err)
	}
	for i := len(in.Updates); i < status.MaxUpdates; i++ {
		if _, err := s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Monitoring, Message: "still", AuthorID: 8, AuthorName: "Ann"}); err != nil {
			t.Fatalf("update %d: %v", i+1, err)
		}
	}
	var ve *status.ValidationError
	if _, err := s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Resolved, Message: "x", AuthorID: 8, AuthorName: "Ann"}); !errors.As(err, &ve) || ve.Field != "updates" {
		t.Errorf("update %d: %v, want a ValidationError for updates", status.MaxUpdates+1, err)
	}
	// The summary lists it.
	sum := s.summary(s.clock.Now())
	// Newest start first: 12:15, 11:40 (the first one), 10:20.
	if len(sum.Incidents) != 3 || sum.Incidents[1].ID != in.ID || len(sum.Incidents[1].Updates) != status.MaxUpdates || sum.FaultResponse90d.Incidents != 3 {
		t.Errorf("summary: %d incidents, fault response %+v", len(sum.Incidents), sum.FaultResponse90d)
	}
}

func TestListIncidents(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	mk := func(start string, resolve bool) int64 {
		n := newIncident()
		n.StartedAt = at(start)
		in, err := s.m.CreateIncident(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if resolve {
			if _, err := s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Resolved, Message: "ok", AuthorID: 1, AuthorName: "A"}); err != nil {
				t.Fatal(err)
			}
		}
		return in.ID
	}
	oldOpen := mk("2026-09-01T00:00:00Z", false)
	oldResolved := mk("2026-09-02T00:00:00Z", true)
	recent := mk("2026-11-24T00:00:00Z", true)
	ids := func(f status.IncidentFilter) []int64 {
		ins, err := s.m.ListIncidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, in := range ins {
			out = append(out, in.ID)
		}
		return out
	}
	since := at("2026-11-11T00:00:00Z")
	for _, tc := range []struct {
		name string
		f    status.IncidentFilter
		want []int64
	}{
		{"since", status.IncidentFilter{Since: since}, []int64{recent}},
		{"since or open", status.IncidentFilter{Since: since, IncludeOpen: true}, []int64{recent, oldOpen}},
		{"open only", status.IncidentFilter{OpenOnly: true}, []int64{oldOpen}},
		{"all, newest first", status.IncidentFilter{}, []int64{recent, oldResolved, oldOpen}},
		{"limit", status.IncidentFilter{Limit: 1}, []int64{recent}},
	} {
		if got := ids(tc.f); !equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := s.m.ListIncidents(ctx, status.IncidentFilter{Limit: 201}); !errors.Is(err, status.ErrInvalid) {
		t.Errorf("limit 201: %v, want ErrInvalid", err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIncidentValidation(t *testing.T) {
	s := newStore(t) // now 2026-11-25T12:00Z
	tests := []struct {
		field string
		mod   func(*status.NewIncident)
	}{
		{"title", func(n *status.NewIncident) { n.Title = "   " }},
		{"title", func(n *status.NewIncident) { n.Title = strings.Repeat("长", 201) }},
		{"severity", func(n *status.NewIncident) { n.Severity = "huge" }},
		{"components", func(n *status.NewIncident) { n.Components = nil }},
		{"components", func(n *status.NewIncident) { n.Components = []status.Component{status.ComponentOverall} }},
		{"started_at", func(n *status.NewIncident) { n.StartedAt = at("2026-11-25T12:02:00Z") }},
		{"started_at", func(n *status.NewIncident) { n.StartedAt = at("2025-11-01T00:00:00Z") }},
		{"status", func(n *status.NewIncident) { n.Update.Status = "done" }},
		{"message", func(n *status.NewIncident) { n.Update.Message = "" }},
		{"message", func(n *status.NewIncident) { n.Update.Message = strings.Repeat("x", 5001) }},
		{"author", func(n *status.NewIncident) { n.Update.AuthorID = 0 }},
		{"author", func(n *status.NewIncident) { n.Update.AuthorName = " " }},
	}
	for _, tc := range tests {
		n := newIncident()
		tc.mod(&n)
		_, err := s.m.CreateIncident(context.Background(), n)
		var ve *status.ValidationError
		if !errors.Is(err, status.ErrInvalid) || !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: err = %v, want a ValidationError for %s", tc.field, err, tc.field)
		} else if ve.MessageID() != "status.invalid_"+tc.field {
			t.Errorf("message ID %q", ve.MessageID())
		}
	}
	// A title of exactly 200 Chinese characters and a zero start (now) are fine.
	n := newIncident()
	n.Title, n.StartedAt = strings.Repeat("长", 200), time.Time{}
	in, err := s.m.CreateIncident(context.Background(), n)
	if err != nil || !in.StartedAt.Equal(s.clock.Now()) || in.FaultResponseSeconds != 0 {
		t.Errorf("200-character title, zero start: %+v, %v", in, err)
	}
	ins, _ := s.m.ListIncidents(context.Background(), status.IncidentFilter{})
	if len(ins) != 1 {
		t.Errorf("%d incidents stored, want only the valid one", len(ins))
	}
}
