// Package sla is the portal's business-time clock: business-hours schedules
// and their arithmetic, holiday calendars, response targets and their
// states, and the policies that assign targets. It is pure: no I/O except
// loading calendar files, no storage, no HTTP. Both the forum (topics) and
// support (tickets) call it on every event that moves a clock and store the
// results, so one topic and one ticket answered at the same instants get the
// same figures.
//
// # Definitions
//
// These are the exact rules the code computes; the "Support and SLA" docs
// page quotes them.
//
// Business time. A schedule has a time zone, weekly working hours (one or
// more intervals per weekday, read on the zone's wall clock), public
// holidays and extra working days. An instant is working time when, in the
// schedule's zone, it falls on a working date at a clock time inside that
// date's working hours. A date is a working date when its weekday has hours,
// unless it is a holiday; an extra working day (调休, usually a Saturday or
// Sunday) is worked with the hours of a standard working day (Monday's,
// unless configured). The business time between two instants is the length
// of the working time between them. Days on which daylight saving time
// starts or ends are counted in real elapsed time: a 09:00–17:00 day is 8
// hours long and starts at 09:00 local time, whichever offset applies then.
//
// Calendar time is the elapsed time between two instants, day and night.
//
// Pauses. While staff wait for the asker the clock is paused: business and
// calendar time inside a pause are not counted. A pause that has not ended
// runs to the end of the measurement.
//
// Due time. The due time of a target is the earliest instant at which the
// counted time (business or calendar, less pauses) reaches the target. A
// target of 8 h 30 m set at 10:00 on a Monday on the default schedule is due
// at 10:00 on Tuesday; one that ends exactly at closing time is due at
// closing time, not the next morning.
//
// One business day is the length of a standard working day on the
// schedule: 8 h 30 m on the default schedule (Monday to Friday,
// 09:00–17:30, Asia/Shanghai, China's holidays).
//
// Target states. Used is the time counted against the target so far
// (business or calendar, less pauses); the due time is the instant used
// reaches the target. For a response still awaited:
//   - on track: used is less than 75% of the target;
//   - at risk: used is at least 75% of the target, and the due time has not
//     come;
//   - breached: the due time has come (used has reached the target).
//
// For a response given:
//   - met: it came before the due time (used less than the target);
//   - met late: it came at or after the due time.
//
// A response no longer awaited because the topic was solved or closed
// first is stopped: its clock ran until then and counts for nothing.
//
// Holidays come from one JSON file per region and year (the government's
// notice for that year), embedded for China and replaceable at run time; see
// LoadCalendars. In a year without a file, holidays are unknown and only
// weekly hours count; Schedule.MissingYears and Calendar.Missing say which
// years those are.
//
// # Use from a store
//
// At start-up, load the calendars and build the schedule once; both are
// immutable and safe to share:
//
//	reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), filepath.Join(dataDir, "calendars"))
//	sched, err := sla.DefaultSchedule(reg.Calendar("cn"))
//	policies := sla.DefaultPolicies(sched) // seed; admins edit the stored copies
//
// When a topic is created, copy the targets of FindPolicy(policies,
// category, priority) onto it. On every post, accept, pause or role event,
// evaluate each affected clock and store the result:
//
//	st := topic.FirstTarget.Evaluate(sched, sla.Window{Start: created, End: firstStaffReply, Pauses: pauses}, now)
//	// keep st.Business, st.Calendar, st.Due, st.AtRiskAt, st.State
//
// Pages then never recompute history: a waiting clock's state at any later
// instant is Status.StateAt(now), a comparison of now with the stored Due
// and AtRiskAt, and the staff queue sorts by Due.
package sla
