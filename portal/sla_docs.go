package portal

import "github.com/switchboard-rtm/switchboard/forum"

// slaSummary is the live summary on the docs "Support and SLA" page: the
// dashboard's default figures, so that no number there is typed by hand.
type slaSummary struct {
	figuresView
	Weeks int
}

// SLASummary returns the response-time summary for the docs page, or nil
// when the SLA service is off or the figures cannot be read (the page
// still renders).
func (v *view) SLASummary() *slaSummary {
	if v.srv == nil || v.srv.cfg.SLA == nil {
		return nil
	}
	rep, err := v.srv.cfg.SLA.Report(v.ctx, forum.ReportFilter{})
	if err != nil {
		v.srv.log.WarnContext(v.ctx, "sla summary", "err", err)
		return nil
	}
	return &slaSummary{figuresView: v.figures(rep.Summary), Weeks: rep.Filter.Weeks}
}
