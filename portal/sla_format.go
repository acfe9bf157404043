package portal

import (
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
)

// slaTarget formats a target with its basis: "8 hours 30 minutes business
// time" or "1 hour around the clock".
func (l *localizer) slaTarget(t sla.Target) string {
	if t.Basis == sla.CalendarTime {
		return l.T("sla.target.calendar", "Duration", l.Duration(t.Duration))
	}
	return l.T("sla.target.business", "Duration", l.Duration(t.Duration))
}

// slaLine is one line of a topic's response-time summary.
type slaLine struct {
	State string // an sla.State: met, met_late, on_track, at_risk, breached; "paused"
	Text  string
	Title string // shown on hover: calendar time and the due time
	Due   string // RFC 3339 due time of an awaited response, for the countdown
	Short string // "due in 3 hours 5 minutes" or "overdue by 12 minutes", for the queue
}

// SLALines returns the response-time lines of a topic for its page: the
// first official response, and the next one once the asker has followed
// up. Nil when the SLA service is off or the topic has no target.
func (v *view) SLALines(topicID int64) []slaLine {
	if v.srv == nil || v.srv.cfg.SLA == nil {
		return nil
	}
	m, err := v.srv.cfg.SLA.TopicSLA(v.ctx, topicID)
	if err != nil {
		return nil
	}
	return v.localizer.slaLines(m, v.srv.cfg.Now(), v.Date)
}

// date formats an instant for the reader (view.Date).
func (l *localizer) slaLines(m *forum.TopicSLA, now time.Time, date func(time.Time) string) []slaLine {
	var out []slaLine
	if !m.FirstTarget.IsZero() {
		if line, ok := l.slaClockLine(m.First, m.FirstTarget, m.Awaiting == forum.AwaitingFirst, "first", now, date); ok {
			out = append(out, line)
		}
	}
	if !m.NextTarget.IsZero() && m.Next.Started() {
		if line, ok := l.slaClockLine(m.Next, m.NextTarget, m.Awaiting == forum.AwaitingNext, "next", now, date); ok {
			out = append(out, line)
		}
	}
	return out
}

// slaClockLine describes one clock; ok is false for a clock that ended
// without a response (closed or solved by the community).
func (l *localizer) slaClockLine(c forum.ResponseClock, t sla.Target, awaited bool, which string, now time.Time, date func(time.Time) string) (slaLine, bool) {
	target := l.slaTarget(t)
	if c.Answered() {
		used := c.Status.Business
		id := "sla.line." + which + "_met"
		if t.Basis == sla.CalendarTime {
			used, id = c.Status.Calendar, id+"_calendar"
		}
		state := c.Status.State
		if state == sla.MetLate {
			id += "_late"
		}
		return slaLine{State: string(state), Text: l.T(id, "Duration", l.Duration(used), "Target", target),
			Title: l.T("sla.hover.calendar", "Duration", l.Duration(c.Status.Calendar))}, true
	}
	if !awaited {
		return slaLine{}, false
	}
	if c.Status.Paused {
		return slaLine{State: "paused", Text: l.T("sla.line.paused"), Title: l.T("sla.hover.paused")}, true
	}
	state := c.StateAt(now)
	line := slaLine{State: string(state), Due: c.Status.Due.UTC().Format(time.RFC3339)}
	left := c.Status.Due.Sub(now)
	if state == sla.Breached {
		line.Text = l.T("sla.line."+which+"_overdue", "Duration", l.Duration(left), "Target", target)
		line.Short = l.T("sla.countdown.overdue", "Duration", l.Duration(left))
	} else {
		line.Text = l.T("sla.line."+which+"_due", "Duration", l.Duration(left), "Target", target)
		line.Short = l.T("sla.countdown.due", "Duration", l.Duration(left))
	}
	line.Title = l.T("sla.hover.due", "Due", date(c.Status.Due),
		"Waited", l.Duration(now.Sub(c.Start)))
	return line, true
}

// slaCountdownFormats are the patterns the countdown script fills in, in
// the page's language; the duration itself is written by
// static/js/duration.js with the unit words of durationUnits.
func (l *localizer) slaCountdownFormats() map[string]string {
	return map[string]string{
		"due":     l.T("sla.countdown.due", "Duration", "{T}"),
		"overdue": l.T("sla.countdown.overdue", "Duration", "{T}"),
	}
}
