package portal

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/console"
)

// The support view's list: every app of every team with its health over
// the last hour, for forum staff. Each opens read-only (console.Allowed
// gives staff the read actions only); anyone else gets 404.

// staffHealthWindow is the window the list's figures cover, in minutes.
const staffHealthWindow = 60

// staffRow is one app in the list.
type staffRow struct {
	console.StaffApp
	Conns        int64
	Rate, P99    *float64 // nil: nothing due / delivered in the window
	Errors       int64
	Firing, Rule int // alert rules firing, of all rules
}

func (s *Server) consoleStaff(c echo.Context) error {
	ctx := c.Request().Context()
	apps, err := s.cfg.Console.AllApps(ctx)
	if err != nil {
		return err
	}
	rows := make([]staffRow, 0, len(apps))
	for _, a := range apps {
		r := staffRow{StaffApp: a}
		if s.cfg.Usage != nil {
			now := time.Now()
			p, _, err := s.cfg.Usage.Summary(ctx, a.App.ID, now.Add(-staffHealthWindow*time.Minute), now.Add(time.Minute))
			if err != nil {
				return err
			}
			r.Conns, r.Errors = p.Conns, p.ErrorCount()
			if v, ok := p.DeliveryRate(); ok {
				r.Rate = &v
			}
			if d, ok := p.Latency.Quantile(0.99); ok {
				ms := float64(d) / float64(time.Millisecond)
				r.P99 = &ms
			}
		}
		if s.cfg.Alerts != nil {
			rules, err := s.cfg.Alerts.Rules(ctx, a.App.ID)
			if err != nil {
				return err
			}
			for _, rule := range rules {
				r.Rule++
				if rule.Firing {
					r.Firing++
				}
			}
		}
		rows = append(rows, r)
	}
	v := s.consoleView(c, "/console/staff", "console.staff.list_title")
	v.Data = map[string]any{"Rows": rows, "Window": staffHealthWindow}
	return s.render(c, http.StatusOK, "console/staff", v)
}
