package console_test

import (
	"testing"

	"github.com/switchboard-rtm/switchboard/console"
)

// TestPolicyTable states the policy by hand, so that a change to Allowed
// shows up here as a decision someone made.
func TestPolicyTable(t *testing.T) {
	// o: owner, d: developer, v: viewer, s: staff who are not members.
	want := map[console.Action]string{
		console.ActViewTeam:          "odvs",
		console.ActViewApp:           "odvs",
		console.ActManageMembers:     "o",
		console.ActCreateApp:         "od",
		console.ActRevealCredentials: "od",
		console.ActRotateCredentials: "od",
		console.ActMintToken:         "od",
		console.ActManageWebhooks:    "od",
		console.ActManageAlerts:      "od",
		console.ActRequestLimits:     "od",
		console.ActRenameApp:         "o",
		console.ActDeleteApp:         "o",
		console.ActTransferApp:       "o",
	}
	if len(want) != len(console.Actions) {
		t.Fatalf("table has %d actions, console.Actions %d", len(want), len(console.Actions))
	}
	who := []struct {
		c     byte
		role  console.Role
		staff bool
	}{{'o', console.RoleOwner, false}, {'d', console.RoleDeveloper, false}, {'v', console.RoleViewer, false}, {'s', "", true}}
	for _, a := range console.Actions {
		for _, w := range who {
			exp := false
			for i := range len(want[a]) {
				exp = exp || want[a][i] == w.c
			}
			if got := console.Allowed(w.role, w.staff, a); got != exp {
				t.Errorf("Allowed(%q, staff=%v, %s) = %v, want %v", w.role, w.staff, a, got, exp)
			}
		}
		if console.Allowed("", false, a) {
			t.Errorf("a non-member who is not staff may %s", a)
		}
	}
}
