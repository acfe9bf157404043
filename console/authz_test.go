package console_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/console"
)

// TestAuthorizationMatrix runs every console action, on real SQLite and a
// real engine, as each kind of person: the team's owner, a developer, a
// viewer, a member of another team, and staff. What the policy allows
// must succeed; the rest must fail with ErrForbidden for those who can
// see the team and ErrNotFound for outsiders, who must not learn that the
// team or app exists.
func TestAuthorizationMatrix(t *testing.T) {
	v := newEnv(t)
	const owner, dev, viewer, outsider, staff = 1, 2, 3, 4, 5
	team := must[console.Team](t)(v.s.CreateTeam(as(owner), "Acme"))
	for _, m := range []struct {
		id   int64
		name string
		role console.Role
	}{{dev, "bob", console.RoleDeveloper}, {viewer, "carol", console.RoleViewer}} {
		inv := must[console.Invite](t)(v.s.Invite(as(owner), team.ID, m.name, m.role))
		if err := v.s.AnswerInvite(as(m.id), inv.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	// The outsider owns a team of their own, with an app.
	other := must[console.Team](t)(v.s.PersonalTeam(as(outsider)))
	if _, _, err := v.s.CreateApp(as(outsider), console.NewApp{TeamID: other.ID, Name: "theirs"}); err != nil {
		t.Fatal(err)
	}

	// Each action, run by ctx on a fresh app of the team.
	run := map[console.Action]func(ctx context.Context, appID string) error{
		console.ActViewTeam: func(ctx context.Context, _ string) error {
			if _, err := v.s.Team(ctx, team.ID); err != nil {
				return err
			}
			if _, err := v.s.Apps(ctx, team.ID); err != nil {
				return err
			}
			_, err := v.s.Members(ctx, team.ID)
			return err
		},
		console.ActManageMembers: func(ctx context.Context, _ string) error {
			inv, err := v.s.Invite(ctx, team.ID, fmt.Sprintf("new%d@example.com", time.Now().UnixNano()), console.RoleViewer)
			if err != nil {
				return err
			}
			if _, err := v.s.TeamInvites(ctx, team.ID); err != nil {
				return err
			}
			return v.s.RevokeInvite(ctx, team.ID, inv.ID)
		},
		console.ActCreateApp: func(ctx context.Context, _ string) error {
			_, _, err := v.s.CreateApp(ctx, console.NewApp{TeamID: team.ID, Name: "new"})
			return err
		},
		console.ActViewApp: func(ctx context.Context, id string) error {
			if _, err := v.s.App(ctx, id); err != nil {
				return err
			}
			if _, err := v.s.APIKeys(ctx, id); err != nil {
				return err
			}
			_, err := v.s.CertificateOverlap(ctx, id)
			return err
		},
		console.ActRevealCredentials: func(ctx context.Context, id string) error {
			_, err := v.s.Certificate(ctx, id)
			return err
		},
		console.ActRotateCredentials: func(ctx context.Context, id string) error {
			if _, err := v.s.RotateCertificate(ctx, id, time.Hour); err != nil {
				return err
			}
			_, err := v.s.RotateAPIKey(ctx, id, time.Hour)
			return err
		},
		console.ActMintToken: func(ctx context.Context, id string) error {
			_, err := v.s.MintToken(ctx, id, console.TestToken{UserID: "u", TTL: time.Hour})
			return err
		},
		console.ActRenameApp: func(ctx context.Context, id string) error { return v.s.RenameApp(ctx, id, "renamed") },
		console.ActDeleteApp: func(ctx context.Context, id string) error {
			if _, err := v.s.ScheduleDelete(ctx, id); err != nil {
				return err
			}
			return v.s.CancelDelete(ctx, id)
		},
		console.ActTransferApp: func(ctx context.Context, id string) error {
			mine, err := v.s.PersonalTeam(ctx)
			if err != nil {
				return err
			}
			return v.s.TransferApp(ctx, id, mine.ID)
		},
	}
	// Features kept by App ID elsewhere (webhooks, alerts, limit
	// requests) ask Authorize.
	for _, a := range []console.Action{console.ActManageWebhooks, console.ActManageAlerts, console.ActRequestLimits} {
		run[a] = func(ctx context.Context, id string) error { _, err := v.s.Authorize(ctx, id, a); return err }
	}
	if len(run) != len(console.Actions) {
		t.Fatalf("matrix runs %d actions, console.Actions has %d", len(run), len(console.Actions))
	}
	people := []struct {
		name  string
		id    int64
		role  console.Role
		staff bool
	}{
		{"owner", owner, console.RoleOwner, false},
		{"developer", dev, console.RoleDeveloper, false},
		{"viewer", viewer, console.RoleViewer, false},
		{"other team's owner", outsider, "", false},
		{"staff", staff, "", true},
	}
	for _, act := range console.Actions {
		for _, p := range people {
			t.Run(string(act)+"/"+p.name, func(t *testing.T) {
				_, ea, err := v.s.CreateApp(as(owner), console.NewApp{TeamID: team.ID, Name: "app"})
				if err != nil {
					t.Fatal(err)
				}
				err = run[act](as(p.id, p.staff), ea.ID)
				var want error
				switch {
				case console.Allowed(p.role, p.staff, act):
				case p.role == "" && !p.staff:
					want = console.ErrNotFound
				default:
					want = console.ErrForbidden
				}
				if want == nil && err != nil || want != nil && !errors.Is(err, want) {
					t.Fatalf("%s by %s: %v, want %v", act, p.name, err, want)
				}
			})
		}
	}

	// Not signed in at all.
	if _, err := v.s.Teams(context.Background()); !errors.Is(err, console.ErrUnauthorized) {
		t.Fatalf("anonymous Teams: %v", err)
	}
	if _, err := v.s.App(context.Background(), "nope"); !errors.Is(err, console.ErrUnauthorized) {
		t.Fatalf("anonymous App: %v", err)
	}
	// An unknown App ID and another team's app look the same to a member.
	theirs := must[[]console.App](t)(v.s.Apps(as(outsider), other.ID))
	for _, id := range []string{"0123456789abcdef0123456789abcdef", theirs[0].ID} {
		if _, err := v.s.App(as(owner), id); !errors.Is(err, console.ErrNotFound) {
			t.Fatalf("App(%s) by a non-member: %v, want ErrNotFound", id, err)
		}
	}
	// The outsider's team list holds only their own team.
	if got := must[[]console.Team](t)(v.s.Teams(as(outsider))); len(got) != 1 || got[0].ID != other.ID {
		t.Fatalf("outsider's teams: %+v", got)
	}
}
