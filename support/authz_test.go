package support_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

// TestAuthorizationMatrix runs every ticket action as a member of the
// ticket's team, a member of another team, staff and an anonymous visitor,
// each on a fresh Premium ticket, through the service itself.
func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	owner := f.customer("owner", support.PlanPremium)
	other := f.customer("other", support.PlanPremium)
	staff := f.user("eng", forum.RoleStaff)
	actors := map[string]*forum.User{"member": owner, "other team": other, "staff": staff, "anonymous": nil}
	acts := map[support.Action]func(ctx context.Context, id int64) error{
		support.ActionView:       func(ctx context.Context, id int64) error { _, _, err := f.desk.Ticket(ctx, id); return err },
		support.ActionReply:      func(ctx context.Context, id int64) error { _, err := f.desk.Reply(ctx, id, "more detail"); return err },
		support.ActionSolve:      func(ctx context.Context, id int64) error { return f.desk.Solve(ctx, id) },
		support.ActionEscalate:   func(ctx context.Context, id int64) error { _, err := f.desk.Escalate(ctx, id); return err },
		support.ActionNote:       func(ctx context.Context, id int64) error { return f.desk.Note(ctx, id, "internal") },
		support.ActionWait:       func(ctx context.Context, id int64) error { return f.desk.Wait(ctx, id) },
		support.ActionAssign:     func(ctx context.Context, id int64) error { return f.desk.Assign(ctx, id, staff.ID) },
		support.ActionSecondLine: func(ctx context.Context, id int64) error { return f.desk.SecondLine(ctx, id) },
		support.ActionClose:      func(ctx context.Context, id int64) error { return f.desk.Close(ctx, id) },
	}
	// want: "ok", "403" (forbidden) or "404" (not found: the ticket is private).
	want := map[support.Action]map[string]string{
		support.ActionView:       {"member": "ok", "other team": "404", "staff": "ok", "anonymous": "404"},
		support.ActionReply:      {"member": "ok", "other team": "404", "staff": "ok", "anonymous": "404"},
		support.ActionSolve:      {"member": "ok", "other team": "404", "staff": "ok", "anonymous": "404"},
		support.ActionEscalate:   {"member": "ok", "other team": "404", "staff": "403", "anonymous": "404"},
		support.ActionNote:       {"member": "403", "other team": "404", "staff": "ok", "anonymous": "404"},
		support.ActionWait:       {"member": "403", "other team": "404", "staff": "ok", "anonymous": "404"},
		support.ActionAssign:     {"member": "403", "other team": "404", "staff": "ok", "anonymous": "404"},
		support.ActionSecondLine: {"member": "403", "other team": "404", "staff": "ok", "anonymous": "404"},
		support.ActionClose:      {"member": "403", "other team": "404", "staff": "ok", "anonymous": "404"},
	}
	for _, act := range support.Actions {
		if act == support.ActionOpen {
			continue // below
		}
		run, ok := acts[act]
		if !ok {
			t.Fatalf("action %s has no row in the matrix", act)
		}
		for name, u := range actors {
			t.Run(string(act)+"/"+name, func(t *testing.T) {
				tk := f.open(owner, support.Normal, "")
				if got := outcome(run(f.as(u), tk.ID)); got != want[act][name] {
					t.Errorf("got %s, want %s", got, want[act][name])
				}
			})
		}
	}
	t.Run("a missing ticket answers like a private one", func(t *testing.T) {
		if got := outcome(acts[support.ActionView](f.as(owner), 99999)); got != "404" {
			t.Errorf("got %s", got)
		}
	})
	t.Run("open", func(t *testing.T) {
		unverified, err := f.forum.SignUp(f.ctx, forum.SignUp{Email: "new@example.com", Name: "Newbie", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.desk.AssignPlan(f.as(f.admin), unverified.ID, support.PlanPremium); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			who  string
			u    *forum.User
			team int64
			want string
		}{
			{"member", owner, owner.ID, "ok"},
			{"other team", other, owner.ID, "403"},
			{"staff", staff, owner.ID, "403"},
			{"anonymous", nil, owner.ID, "401"},
			{"unverified member", unverified, unverified.ID, "403"},
		}
		for _, c := range cases {
			_, err := f.desk.Open(f.as(c.u), support.NewTicket{TeamID: c.team, Subject: "A private problem", Body: "logs attached"})
			if got := outcome(err); got != c.want {
				t.Errorf("%s: got %s (%v), want %s", c.who, got, err, c.want)
			}
		}
	})
	t.Run("only admins assign plans", func(t *testing.T) {
		for _, u := range []*forum.User{owner, staff, nil} {
			if err := f.desk.AssignPlan(f.as(u), owner.ID, support.PlanStandard); !errors.Is(err, support.ErrForbidden) {
				t.Errorf("assign as %v: %v", u, err)
			}
		}
	})
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, support.ErrNotFound):
		return "404"
	case errors.Is(err, support.ErrForbidden):
		return "403"
	case errors.Is(err, support.ErrUnauthorized):
		return "401"
	}
	return err.Error()
}
