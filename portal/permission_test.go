package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/forum"
)

// A member posting nonsense to a moderator or admin route is told it is
// not theirs (403) rather than what is wrong with the input (400), which
// would tell them what the route accepts, and nothing changes.
func TestModeratorRoutesCheckPermissionFirst(t *testing.T) {
	s, st := newSLAServer(t)
	mod := userWithRole(t, s, st, "mod@example.com", "Mod", forum.RoleModerator)
	loc := mod.ask("A topic to moderate", "Some question text")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")
	member := newBrowser(t, s)
	member.ip = "192.0.2.77:1"
	member.signup("member@example.com", "Member")
	bad := url.Values{"role": {"emperor"}, "verdict": {"maybe"}, "days": {"forever"}, "priority": {"whenever"},
		"first_hours": {"soon"}, "next_hours": {"-1"}, "slug": {""}, "reason": {"no-such-reason"}, "on": {"perhaps"}}
	routes := []string{
		"/en/admin/users/1/role", "/en/admin/users/1/reset",
		"/en/admin/categories", "/en/admin/categories/1", "/en/admin/sla",
		"/en/forum/flags/1",
		"/en/forum/t/" + id + "/lock", "/en/forum/t/" + id + "/pin", "/en/forum/t/" + id + "/close",
		"/en/forum/queue/" + id + "/claim", "/en/forum/queue/" + id + "/waiting", "/en/forum/queue/" + id + "/priority",
		"/en/u/mod/suspend", "/en/u/mod/unsuspend",
	}
	for _, p := range routes {
		if w := member.post(p, bad, true); w.Code != http.StatusForbidden {
			t.Errorf("member POST %s with bad input: status %d, want 403", p, w.Code)
		}
	}
	for _, p := range []string{"/en/admin", "/en/admin/categories", "/en/admin/sla", "/en/forum/flags", "/en/forum/queue"} {
		if w := member.get(p); w.Code != http.StatusForbidden {
			t.Errorf("member GET %s: status %d, want 403", p, w.Code)
		}
	}
	if body := mod.get(loc).Body.String(); strings.Contains(body, "data-locked") {
		t.Error("a member's request locked the topic")
	}
	// The same bad input from someone allowed is a 400, as before.
	if w := mod.post("/en/forum/flags/1", url.Values{"verdict": {"maybe"}}, true); w.Code != http.StatusBadRequest {
		t.Errorf("moderator POST /en/forum/flags/1 verdict=maybe: status %d, want 400", w.Code)
	}
}
