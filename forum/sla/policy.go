package sla

import (
	"fmt"
	"time"
)

// Priority is a topic's urgency, set by staff.
type Priority string

const (
	Normal Priority = "normal"
	High   Priority = "high"
	Urgent Priority = "urgent"
)

// Priorities lists the priorities from least to most urgent.
var Priorities = []Priority{Normal, High, Urgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p == Normal || p == High || p == Urgent }

// Policy maps a category and a priority to response targets. Policies are
// plain values: the forum stores them and copies the one that applies onto
// each topic when it is created, so that editing a policy later never
// rewrites history.
type Policy struct {
	Category      string   `json:"category"` // the category's slug
	Priority      Priority `json:"priority"`
	FirstResponse Target   `json:"first_response"`
	NextResponse  Target   `json:"next_response"`
}

// Validate checks the policy's fields.
func (p Policy) Validate() error {
	if p.Category == "" || len(p.Category) > 64 {
		return fmt.Errorf("policy: category slug must be 1 to 64 bytes")
	}
	if !p.Priority.Valid() {
		return fmt.Errorf("policy %s: priority %q: want normal, high or urgent", p.Category, p.Priority)
	}
	if err := p.FirstResponse.Validate(); err != nil {
		return fmt.Errorf("policy %s/%s: first response: %w", p.Category, p.Priority, err)
	}
	if err := p.NextResponse.Validate(); err != nil {
		return fmt.Errorf("policy %s/%s: next response: %w", p.Category, p.Priority, err)
	}
	return nil
}

// Slugs of the seeded categories that the default policies refer to; they
// match the forum's seeded categories (forum.CategoryGettingStarted …).
const (
	CategoryGettingStarted = "getting-started"
	CategoryJavaScriptSDK  = "javascript-sdk"
	CategoryGoSDK          = "go-sdk"
	CategorySandbox        = "sandbox"
	CategoryProduction     = "production-sla"
	CategoryAnnouncements  = "announcements"
)

// DefaultPolicies returns the policies the portal seeds, for every category
// and priority:
//
//   - Getting started, JavaScript SDK, Go SDK, Sandbox and evaluation: one
//     business day (s.BusinessDay(), 8 h 30 m on the default schedule) for
//     first and next responses, at every priority.
//   - Production and SLA: 4 business hours; 1 calendar hour when urgent.
//   - Announcements: no targets (only staff post there).
func DefaultPolicies(s *Schedule) []Policy {
	oneDay := Target{Duration: s.BusinessDay(), Basis: BusinessTime}
	var ps []Policy
	for _, c := range []string{CategoryGettingStarted, CategoryJavaScriptSDK, CategoryGoSDK, CategorySandbox} {
		for _, p := range Priorities {
			ps = append(ps, Policy{Category: c, Priority: p, FirstResponse: oneDay, NextResponse: oneDay})
		}
	}
	for _, p := range Priorities {
		t := Target{Duration: 4 * time.Hour, Basis: BusinessTime}
		if p == Urgent {
			t = Target{Duration: time.Hour, Basis: CalendarTime}
		}
		ps = append(ps, Policy{Category: CategoryProduction, Priority: p, FirstResponse: t, NextResponse: t})
	}
	for _, p := range Priorities {
		ps = append(ps, Policy{Category: CategoryAnnouncements, Priority: p})
	}
	return ps
}

// FindPolicy returns the policy for category and priority. When there is
// none for that priority it falls back to the category's normal policy;
// when the category has none at all, it returns a policy with no targets
// and ok false.
func FindPolicy(policies []Policy, category string, priority Priority) (p Policy, ok bool) {
	var fallback *Policy
	for i := range policies {
		if policies[i].Category != category {
			continue
		}
		if policies[i].Priority == priority {
			return policies[i], true
		}
		if policies[i].Priority == Normal {
			fallback = &policies[i]
		}
	}
	if fallback != nil {
		f := *fallback
		f.Priority = priority
		return f, true
	}
	return Policy{Category: category, Priority: priority}, false
}
