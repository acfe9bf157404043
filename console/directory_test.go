package console_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-rtm/switchboard/console"
)

// Support asks the console who is in which team: a ticket opened by a
// user who never opened the console still belongs to their personal team,
// and a shared team's members all see its tickets.
func TestDirectoryForSupport(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	teams := must[[]console.Team](t)(env.s.MemberTeams(ctx, 1, "alice"))
	if len(teams) != 1 || !teams[0].Personal || teams[0].Name != "alice" {
		t.Fatalf("teams of a new user: %+v, want the personal team named alice", teams)
	}
	again := must[[]console.Team](t)(env.s.MemberTeams(ctx, 1, "alice"))
	if len(again) != 1 || again[0].ID != teams[0].ID {
		t.Fatalf("second call: %+v, want the same single team %d", again, teams[0].ID)
	}
	// The console's own page finds the same personal team.
	if p := must[console.Team](t)(env.s.PersonalTeam(as(1))); p.ID != teams[0].ID {
		t.Fatalf("console personal team %d, support's %d", p.ID, teams[0].ID)
	}

	shared := must[console.Team](t)(env.s.CreateTeam(as(1), "Acme"))
	if _, err := env.s.Invite(as(1), shared.ID, "bob", console.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if ok := must[bool](t)(env.s.IsMember(ctx, shared.ID, 2)); ok {
		t.Fatal("bob is a member before accepting the invitation")
	}
	inv := must[[]console.Invite](t)(env.s.MyInvites(as(2)))
	if len(inv) != 1 {
		t.Fatalf("bob's invitations: %+v", inv)
	}
	if err := env.s.AnswerInvite(as(2), inv[0].ID, true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		user int64
		want bool
	}{{1, true}, {2, true}, {3, false}} {
		if got := must[bool](t)(env.s.IsMember(ctx, shared.ID, c.user)); got != c.want {
			t.Errorf("IsMember(Acme, %d) = %v, want %v", c.user, got, c.want)
		}
	}
	if ts := must[[]console.Team](t)(env.s.MemberTeams(ctx, 2, "bob")); len(ts) != 2 || !ts[0].Personal || ts[1].ID != shared.ID {
		t.Errorf("bob's teams %+v, want his personal team then Acme", ts)
	}

	if got := must[console.Team](t)(env.s.FindTeam(ctx, "Acme")); got.ID != shared.ID {
		t.Errorf("FindTeam(Acme) = %+v", got)
	}
	// Two teams of one name: the name is ambiguous, the ID is not.
	other := must[console.Team](t)(env.s.CreateTeam(as(3), "Acme"))
	if _, err := env.s.FindTeam(ctx, "Acme"); !errors.Is(err, console.ErrConflict) {
		t.Errorf("FindTeam of an ambiguous name: %v, want ErrConflict", err)
	}
	if got := must[console.Team](t)(env.s.FindTeam(ctx, fmt.Sprintf("#%d", other.ID))); got.ID != other.ID {
		t.Errorf("FindTeam(#%d) = %+v", other.ID, got)
	}
	if _, err := env.s.FindTeam(ctx, "Nobody"); !errors.Is(err, console.ErrNotFound) {
		t.Errorf("FindTeam(Nobody): %v, want ErrNotFound", err)
	}
	if _, err := env.s.FindTeam(ctx, "#999"); !errors.Is(err, console.ErrNotFound) {
		t.Errorf("FindTeam(#999): %v, want ErrNotFound", err)
	}
}
