package sla_test

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// The portal loads the embedded calendars plus any year files an admin has
// dropped into <data dir>/calendars, then builds the default schedule.
func ExampleLoadCalendars() {
	dataDir := "/var/lib/switchboard" // from the -data flag
	reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), filepath.Join(dataDir, "calendars"))
	if err != nil {
		fmt.Println(err)
		return
	}
	cn := reg.Calendar("cn")
	fmt.Println("years:", cn.Years())
	fmt.Println("missing:", cn.Missing(2026, 2028))
	// Output:
	// years: [2025 2026 2027]
	// missing: [2028]
}

// A question asked on the afternoon before National Day 2026 and
// answered after the holiday: only working hours count.
func ExampleSchedule_BusinessDuration() {
	reg, _ := sla.LoadCalendars(sla.EmbeddedCalendars(), "")
	s, _ := sla.DefaultSchedule(reg.Calendar("cn"))
	loc := s.Location()
	asked := time.Date(2026, 9, 30, 16, 0, 0, 0, loc)    // Wednesday 16:00
	answered := time.Date(2026, 10, 8, 9, 45, 0, 0, loc) // Thursday after the holiday
	fmt.Println("business:", s.BusinessDuration(asked, answered))
	fmt.Println("calendar:", sla.CalendarDuration(asked, answered, nil))
	// Output:
	// business: 2h15m0s
	// calendar: 185h45m0s
}

// Due time of "1 business day" for a question asked at 10:00 on the
// Friday before the Spring Festival 2026: Saturday 14 February is an extra
// working day (调休).
func ExampleSchedule_AddBusiness() {
	reg, _ := sla.LoadCalendars(sla.EmbeddedCalendars(), "")
	s, _ := sla.DefaultSchedule(reg.Calendar("cn"))
	asked := time.Date(2026, 2, 13, 10, 0, 0, 0, s.Location())
	fmt.Println(s.AddBusiness(asked, s.BusinessDay()).Format("Mon 2006-01-02 15:04"))
	// Output: Sat 2026-02-14 10:00
}

// The forum evaluates a topic's first-response clock on every event.
func ExampleTarget_Evaluate() {
	reg, _ := sla.LoadCalendars(sla.EmbeddedCalendars(), "")
	s, _ := sla.DefaultSchedule(reg.Calendar("cn"))
	loc := s.Location()
	policy, _ := sla.FindPolicy(sla.DefaultPolicies(s), sla.CategoryProduction, sla.Normal)
	w := sla.Window{Start: time.Date(2026, 11, 23, 15, 0, 0, 0, loc)} // Monday 15:00
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, loc)
	st := policy.FirstResponse.Evaluate(s, w, now)
	fmt.Println(st.State, st.Used, "left", st.Left, "due", st.Due.Format("Mon 15:04"))
	// Output: at_risk 3h0m0s left 1h0m0s due Tue 10:30
}
