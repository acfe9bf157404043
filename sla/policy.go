package sla

import (
	"fmt"
	"time"
)

// Priority is a topic's urgency: chosen by the asker where the policy lets
// members choose it, and changed by staff.
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
	// MembersMayChoose says whether members may pick this priority when
	// they ask in the category; staff may set any priority. Urgent asks
	// for a one-line impact statement.
	MembersMayChoose bool `json:"members_may_choose"`
}

// DefaultCategory is the category of the default policy: the one that
// applies to a category without a policy of its own, so that a new
// category never runs silently without targets.
const DefaultCategory = "*"

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
//   - The default policy (DefaultCategory), for categories without their
//     own: one business day at every priority.
//
// Members may choose normal and high wherever there are targets, and
// urgent in Production and SLA only.
func DefaultPolicies(s *Schedule) []Policy {
	oneDay := Target{Duration: s.BusinessDay(), Basis: BusinessTime}
	var ps []Policy
	for _, c := range []string{DefaultCategory, CategoryGettingStarted, CategoryJavaScriptSDK, CategoryGoSDK, CategorySandbox} {
		for _, p := range Priorities {
			ps = append(ps, Policy{Category: c, Priority: p, FirstResponse: oneDay, NextResponse: oneDay, MembersMayChoose: p != Urgent})
		}
	}
	for _, p := range Priorities {
		t := Target{Duration: 4 * time.Hour, Basis: BusinessTime}
		if p == Urgent {
			t = Target{Duration: time.Hour, Basis: CalendarTime}
		}
		ps = append(ps, Policy{Category: CategoryProduction, Priority: p, FirstResponse: t, NextResponse: t, MembersMayChoose: true})
	}
	for _, p := range Priorities {
		ps = append(ps, Policy{Category: CategoryAnnouncements, Priority: p})
	}
	return ps
}

// FindPolicy returns the policy for category and priority. When there is
// none for that priority it falls back to the category's normal policy.
// When the category has none at all, it returns the default policy
// (DefaultCategory) for that priority, with Category set to category and
// ok false, or a policy with no targets if there is no default either.
func FindPolicy(policies []Policy, category string, priority Priority) (p Policy, ok bool) {
	if p, ok := findPolicy(policies, category, priority); ok {
		return p, true
	}
	p, _ = findPolicy(policies, DefaultCategory, priority)
	p.Category, p.Priority = category, priority
	return p, false
}

func findPolicy(policies []Policy, category string, priority Priority) (p Policy, ok bool) {
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
