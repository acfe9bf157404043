package console_test

import (
	"errors"
	"testing"

	"github.com/switchboard-rtm/switchboard/console"
)

func TestPersonalTeamIsMadeOnce(t *testing.T) {
	v := newEnv(t)
	a := must[console.Team](t)(v.s.PersonalTeam(as(1)))
	b := must[console.Team](t)(v.s.PersonalTeam(as(1)))
	if a.ID != b.ID || !a.Personal || a.Role != console.RoleOwner {
		t.Fatalf("personal team %+v then %+v: want one personal team owned by the user", a, b)
	}
	shared := must[console.Team](t)(v.s.CreateTeam(as(1), "  Acme  "))
	if shared.Name != "Acme" || shared.Personal {
		t.Fatalf("shared team %+v", shared)
	}
	teams := must[[]console.Team](t)(v.s.Teams(as(1)))
	if len(teams) != 2 || teams[0].ID != a.ID || teams[1].ID != shared.ID {
		t.Fatalf("teams %+v: want the personal one first", teams)
	}
	if _, err := v.s.CreateTeam(as(1), " "); !errors.Is(err, console.ErrInvalid) {
		t.Fatalf("blank team name: %v", err)
	}
}

func TestInvitations(t *testing.T) {
	v := newEnv(t)
	team := must[console.Team](t)(v.s.CreateTeam(as(1), "Acme"))
	// By username: the account must exist.
	if _, err := v.s.Invite(as(1), team.ID, "nobody", console.RoleViewer); !errors.Is(err, console.ErrInvalid) {
		t.Fatalf("unknown username: %v", err)
	}
	byName := must[console.Invite](t)(v.s.Invite(as(1), team.ID, "@bob", console.RoleDeveloper))
	if byName.UserID != 2 || byName.Email != "" {
		t.Fatalf("invite by username %+v", byName)
	}
	if _, err := v.s.Invite(as(1), team.ID, "bob", console.RoleViewer); !errors.Is(err, console.ErrConflict) {
		t.Fatalf("second invitation to bob: %v", err)
	}
	// By address: matched case-insensitively against the signed-in user's.
	byMail := must[console.Invite](t)(v.s.Invite(as(1), team.ID, "C@Example.com", console.RoleViewer))
	if byMail.Email != "c@example.com" {
		t.Fatalf("invite by address %+v", byMail)
	}
	for _, bad := range []string{"not an address@", "Carol <c@example.com>"} {
		if _, err := v.s.Invite(as(1), team.ID, bad, console.RoleViewer); !errors.Is(err, console.ErrInvalid) {
			t.Errorf("invite %q: %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := v.s.Invite(as(1), team.ID, "d@example.com", "admin"); !errors.Is(err, console.ErrInvalid) {
		t.Fatalf("invalid role: %v", err)
	}
	// Only the invitee sees and answers an invitation.
	if got := must[[]console.Invite](t)(v.s.MyInvites(as(4))); len(got) != 0 {
		t.Fatalf("dave sees %+v", got)
	}
	if err := v.s.AnswerInvite(as(4), byMail.ID, true); !errors.Is(err, console.ErrNotFound) {
		t.Fatalf("dave accepting carol's invitation: %v", err)
	}
	mine := must[[]console.Invite](t)(v.s.MyInvites(as(3)))
	if len(mine) != 1 || mine[0].TeamName != "Acme" || mine[0].Role != console.RoleViewer {
		t.Fatalf("carol's invitations %+v", mine)
	}
	if err := v.s.AnswerInvite(as(3), byMail.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := v.s.AnswerInvite(as(2), byName.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := v.s.AnswerInvite(as(2), byName.ID, true); !errors.Is(err, console.ErrNotFound) {
		t.Fatalf("a declined invitation used again: %v", err)
	}
	members := must[[]console.Member](t)(v.s.Members(as(3), team.ID))
	if len(members) != 2 || members[0].UserID != 1 || members[1].UserID != 3 || members[1].Role != console.RoleViewer {
		t.Fatalf("members %+v: want alice (owner) and carol (viewer)", members)
	}
	if _, err := v.s.Invite(as(1), team.ID, "carol", console.RoleViewer); !errors.Is(err, console.ErrConflict) {
		t.Fatalf("inviting a member: %v", err)
	}
}

func TestLastOwnerStays(t *testing.T) {
	v := newEnv(t)
	team := must[console.Team](t)(v.s.CreateTeam(as(1), "Acme"))
	inv := must[console.Invite](t)(v.s.Invite(as(1), team.ID, "bob", console.RoleViewer))
	if err := v.s.AnswerInvite(as(2), inv.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := v.s.SetMemberRole(as(1), team.ID, 1, console.RoleDeveloper); !errors.Is(err, console.ErrConflict) {
		t.Fatalf("last owner stepping down: %v", err)
	}
	if err := v.s.RemoveMember(as(1), team.ID, 1); !errors.Is(err, console.ErrConflict) {
		t.Fatalf("last owner leaving: %v", err)
	}
	if err := v.s.SetMemberRole(as(2), team.ID, 2, console.RoleOwner); !errors.Is(err, console.ErrForbidden) {
		t.Fatalf("a viewer making themself owner: %v", err)
	}
	if err := v.s.SetMemberRole(as(1), team.ID, 2, console.RoleOwner); err != nil {
		t.Fatal(err)
	}
	if err := v.s.RemoveMember(as(1), team.ID, 1); err != nil {
		t.Fatalf("an owner leaving when another owner stays: %v", err)
	}
	if _, err := v.s.Team(as(1), team.ID); !errors.Is(err, console.ErrNotFound) {
		t.Fatalf("the one who left still sees the team: %v", err)
	}
	if err := v.s.RemoveMember(as(2), team.ID, 9); !errors.Is(err, console.ErrNotFound) {
		t.Fatalf("removing a non-member: %v", err)
	}
}
