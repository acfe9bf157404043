package portal

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// The question's lifecycle on the portal: "I still need help", unclaim and
// reassign in the staff queue, the priorities members may choose, and the
// lifecycle lines of a topic's history.

func (s *Server) stillNeedHelp(c echo.Context) error {
	return s.topicAction(c, func(id int64) error { return s.cfg.Forum.StillNeedHelp(c.Request().Context(), id) })
}

// slaAssign reassigns a queue topic to the team member in the form's
// "assignee", or unclaims it with "0".
func (s *Server) slaAssign(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Forum.Assign(c.Request().Context(), id, formInt(c, "assignee")); err != nil {
		return err
	}
	return s.backToQueue(c)
}

// CanStillNeedHelp reports whether the viewer is the asker of a solved
// topic, who may say "I still need help".
func (v *view) CanStillNeedHelp(t *forum.Topic) bool {
	u := v.Viewer()
	return v.SLAEnabled() && u != nil && u.ID == t.AuthorID && t.Solved()
}

// priorityChoices returns the priorities the viewer may pick when asking
// (all of them for the team; for members those some category's policy
// allows) and the names of the categories where members may choose urgent.
func (s *Server) priorityChoices(c echo.Context) ([]forum.Priority, string, error) {
	ctx := c.Request().Context()
	lang := langOf(c)
	choices, err := s.cfg.Forum.PriorityChoices(ctx)
	if err != nil {
		return nil, "", err
	}
	cats, err := s.cfg.Forum.Categories(ctx)
	if err != nil {
		return nil, "", err
	}
	var urgent []string
	allowed := map[forum.Priority]bool{forum.PriorityNormal: true}
	for _, cat := range cats {
		for _, p := range choices[cat.Slug] {
			allowed[p] = true
			if p == forum.PriorityUrgent {
				urgent = append(urgent, cat.Name(lang))
			}
		}
	}
	team := false
	if u := viewer(c); u != nil {
		team = u.Role.Team()
	}
	var out []forum.Priority
	for _, p := range priorities {
		if team || allowed[p] {
			out = append(out, p)
		}
	}
	sep := ", "
	if lang == "zh" {
		sep = "、"
	}
	return out, strings.Join(urgent, sep), nil
}

// historyLine is one lifecycle event shown on a topic page.
type historyLine struct {
	Kind string
	Text string
	At   timeLabel
}

// SLAHistory lists the events of a topic that change its response clocks
// and that readers should see: priority changes (with who changed it),
// the urgent impact statement, and "I still need help".
func (v *view) SLAHistory(topicID int64) []historyLine {
	if !v.SLAEnabled() {
		return nil
	}
	evs, err := v.srv.cfg.Forum.TopicEvents(v.ctx, topicID)
	if err != nil {
		return nil
	}
	names := map[int64]string{}
	name := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := v.T("support.history.someone")
		if u, err := v.srv.cfg.Forum.FindUser(v.ctx, id); err == nil {
			n = u.Name
		}
		names[id] = n
		return n
	}
	var out []historyLine
	for _, e := range evs {
		var text string
		switch e.Kind {
		case forum.EventTopicCreated:
			if e.Data["impact"] == "" {
				continue
			}
			text = v.T("support.history.impact", "Priority", v.T("sla.priority."+e.Data["priority"]), "Impact", e.Data["impact"])
		case forum.EventPriorityChanged:
			text = v.T("support.history.priority", "Name", name(e.ActorID),
				"From", v.T("sla.priority."+e.Data["from"]), "To", v.T("sla.priority."+e.Data["to"]))
		case forum.EventStillNeedHelp:
			text = v.T("support.history.still_need_help", "Name", name(e.ActorID))
		case forum.EventReopened:
			text = v.T("support.history.reopened", "Name", name(e.ActorID))
		default:
			continue
		}
		out = append(out, historyLine{Kind: string(e.Kind), Text: text, At: v.timeLabel(e.At)})
	}
	return out
}

// queueTeam is who a queue topic can be reassigned to.
func (s *Server) queueTeam(c echo.Context) ([]forum.TeamMember, error) {
	return s.cfg.Forum.TeamMembers(c.Request().Context())
}
