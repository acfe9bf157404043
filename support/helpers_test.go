package support_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// sh is a wall-clock time in Shanghai, the default schedule's zone.
func sh(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, shanghai) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// fixture is a support desk on a real database, with real forum users
// and the default schedule (embedded China calendar).
type fixture struct {
	t     *testing.T
	ctx   context.Context
	forum *forum.Store
	desk  *support.Service
	clock *clock
	admin *forum.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	c := &clock{t: sh(3, 2, 9, 0)} // Monday 2 March 2026, a working day
	st, err := forum.Open(ctx, d, forum.Config{Renderer: content.NewPostRenderer(nil), Now: c.Now,
		Password: forum.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Seed(ctx, forum.SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), "")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := sla.DefaultSchedule(reg.Calendar("cn"))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := support.Open(ctx, support.Config{DB: d, Teams: support.PersonalTeams{Users: st}, Users: st, Render: st.RenderPreview,
		Schedule: func() *sla.Schedule { return sched }, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, forum: st, desk: desk, clock: c}
	f.admin = f.user("admin", forum.RoleAdmin)
	return f
}

// user creates a verified account (CreateUser) with a role.
func (f *fixture) user(name string, role forum.Role) *forum.User {
	f.t.Helper()
	u, err := f.forum.CreateUser(f.ctx, forum.SignUp{Email: name + "@example.com", Name: name, Password: "correct horse battery"}, role)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// customer creates a user whose personal team is on plan.
func (f *fixture) customer(name, plan string) *forum.User {
	f.t.Helper()
	u := f.user(name, forum.RoleMember)
	if err := f.desk.AssignPlan(f.as(f.admin), u.ID, plan); err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) as(u *forum.User) context.Context {
	if u == nil {
		return f.ctx
	}
	return forum.NewContext(f.ctx, u)
}

func (f *fixture) open(u *forum.User, p support.Priority, impact string) *support.Ticket {
	f.t.Helper()
	tk, err := f.desk.Open(f.as(u), support.NewTicket{TeamID: u.ID, Subject: "Messages arrive late", Body: "Since 09:00 our app sees **delays**.", Priority: p, Impact: impact})
	if err != nil {
		f.t.Fatalf("open %s ticket: %v", p, err)
	}
	return tk
}
