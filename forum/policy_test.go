package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The personas of the authorization matrix: anonymous, member, staff,
// moderator, admin, suspended (a suspended member).
var personas = []struct {
	code string
	role Role
}{{"X", ""}, {"M", RoleMember}, {"S", RoleStaff}, {"D", RoleModerator}, {"A", RoleAdmin}, {"U", RoleMember}}

func persona(code string, id int64, now time.Time) *User {
	for _, p := range personas {
		if p.code != code {
			continue
		}
		if code == "X" {
			return nil
		}
		u := &User{ID: id, Role: p.role}
		if code == "U" {
			u.SuspendedUntil = now.Add(time.Hour)
		}
		return u
	}
	panic(code)
}

// TestAuthorizationMatrix checks every action × every persona × owner or
// not against a table written out by hand. Letters list who is allowed.
func TestAuthorizationMatrix(t *testing.T) {
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	type row struct {
		action          Action
		res             Resource
		owner, notOwner string
	}
	rows := []row{
		{ActionCreateTopic, Resource{}, "MSDA", "MSDA"},
		{ActionCreateTopic, Resource{StaffOnly: true}, "SDA", "SDA"},
		{ActionReply, Resource{}, "MSDA", "MSDA"},
		{ActionReply, Resource{Closed: true}, "SDA", "SDA"},
		{ActionReply, Resource{Locked: true}, "DA", "DA"},
		{ActionEditPost, Resource{}, "MSDA", "DA"},
		{ActionEditPost, Resource{Locked: true}, "DA", "DA"},
		{ActionDeletePost, Resource{}, "MSDA", "DA"},
		{ActionVote, Resource{}, "", "MSDA"},
		{ActionAccept, Resource{}, "MSDA", "SDA"},
		{ActionClose, Resource{}, "MSDA", "SDA"},
		{ActionLock, Resource{}, "DA", "DA"},
		{ActionPin, Resource{}, "DA", "DA"},
		{ActionSetWaiting, Resource{}, "SDA", "SDA"},
		{ActionAssign, Resource{}, "SDA", "SDA"},
		{ActionSetPriority, Resource{}, "SDA", "SDA"},
		{ActionViewQueue, Resource{}, "SDA", "SDA"},
		{ActionFlag, Resource{}, "", "MSDA"},
		{ActionReviewFlags, Resource{}, "DA", "DA"},
		{ActionViewHidden, Resource{}, "DA", "DA"},
		{ActionWatch, Resource{}, "MSDA", "MSDA"},
		{ActionEditProfile, Resource{}, "MSDA", "A"},
		{ActionSuspend, Resource{TargetRole: RoleMember}, "", "DA"},
		{ActionSuspend, Resource{TargetRole: RoleStaff}, "", "A"},
		{ActionSuspend, Resource{TargetRole: RoleModerator}, "", "A"},
		{ActionSuspend, Resource{TargetRole: RoleAdmin}, "", ""},
		{ActionSetRole, Resource{TargetRole: RoleMember}, "", "A"},
		{ActionEditCategory, Resource{}, "A", "A"},
		{ActionIssueReset, Resource{}, "A", "A"},
		{ActionListUsers, Resource{}, "DA", "DA"},
		{ActionViewEmail, Resource{}, "MSDA", "A"},
		{ActionViewOutbox, Resource{}, "A", "A"},
	}
	covered := map[Action]bool{}
	for _, r := range rows {
		covered[r.action] = true
		for _, owner := range []bool{true, false} {
			allowed := r.notOwner
			if owner {
				allowed = r.owner
			}
			for _, p := range personas {
				const actorID = 7
				res := r.res
				res.OwnerID = 8
				if owner {
					res.OwnerID = actorID
				}
				want := strings.Contains(allowed, p.code)
				got := Can(persona(p.code, actorID, now), r.action, res, now)
				if got != want {
					t.Errorf("%s %+v persona %s owner=%v: got %v, want %v", r.action, r.res, p.code, owner, got, want)
				}
			}
		}
	}
	for _, a := range Actions {
		if !covered[a] {
			t.Errorf("action %s is missing from the matrix", a)
		}
	}
}

// TestServiceEnforcesPolicy runs the real service methods as every
// persona, owner or not, and checks that each succeeds exactly when the
// policy allows it: the checks happen on the server side.
func TestServiceEnforcesPolicy(t *testing.T) {
	f := newFixture(t)
	users := map[string]*User{}
	for _, p := range personas {
		if p.code != "X" {
			users[p.code] = f.user("persona"+p.code, p.role)
		}
	}
	bystander := f.user("bystander", RoleMember)
	helper := f.user("helper", RoleMember)
	mod := users["D"]
	f.age()
	suspend := func(on bool) {
		var v any
		if on {
			v = ms(f.clock.Now().Add(time.Hour))
		}
		if _, err := f.s.db.Exec(`UPDATE forum_users SET suspended_until = ? WHERE id = ?`, v, users["U"].ID); err != nil {
			t.Fatal(err)
		}
	}
	type op struct {
		action Action
		run    func(actor func() context.Context, tp *Topic, question, answer *Post) error
	}
	ops := []op{
		{ActionReply, func(c func() context.Context, tp *Topic, q, a *Post) error {
			_, err := f.s.Reply(c(), tp.ID, "a reply body")
			return err
		}},
		{ActionEditPost, func(c func() context.Context, tp *Topic, q, a *Post) error {
			_, err := f.s.EditPost(c(), q.ID, "an edited body")
			return err
		}},
		{ActionDeletePost, func(c func() context.Context, tp *Topic, q, a *Post) error { return f.s.DeletePost(c(), q.ID) }},
		{ActionVote, func(c func() context.Context, tp *Topic, q, a *Post) error {
			_, err := f.s.Vote(c(), q.ID, true)
			return err
		}},
		{ActionFlag, func(c func() context.Context, tp *Topic, q, a *Post) error {
			return f.s.FlagPost(c(), q.ID, FlagSpam, "")
		}},
		{ActionAccept, func(c func() context.Context, tp *Topic, q, a *Post) error { return f.s.Accept(c(), a.ID) }},
		{ActionClose, func(c func() context.Context, tp *Topic, q, a *Post) error {
			return f.s.CloseTopic(c(), tp.ID, CloseResolved, 0)
		}},
		{ActionLock, func(c func() context.Context, tp *Topic, q, a *Post) error { return f.s.SetLocked(c(), tp.ID, true) }},
		{ActionPin, func(c func() context.Context, tp *Topic, q, a *Post) error { return f.s.SetPinned(c(), tp.ID, true) }},
		{ActionSetWaiting, func(c func() context.Context, tp *Topic, q, a *Post) error {
			return f.s.SetWaitingOnAsker(c(), tp.ID, true)
		}},
		{ActionAssign, func(c func() context.Context, tp *Topic, q, a *Post) error { return f.s.Claim(c(), tp.ID) }},
		{ActionSetPriority, func(c func() context.Context, tp *Topic, q, a *Post) error {
			return f.s.SetPriority(c(), tp.ID, PriorityUrgent)
		}},
		{ActionWatch, func(c func() context.Context, tp *Topic, q, a *Post) error { return f.s.Watch(c(), tp.ID, true) }},
		{ActionReviewFlags, func(c func() context.Context, tp *Topic, q, a *Post) error {
			_, err := f.s.FlagQueue(c(), 10)
			return err
		}},
		{ActionEditProfile, func(c func() context.Context, tp *Topic, q, a *Post) error {
			_, err := f.s.UpdateProfile(c(), tp.AuthorID, ProfileUpdate{Bio: "new bio"})
			return err
		}},
	}
	for _, o := range ops {
		for _, p := range personas {
			for _, owner := range []bool{true, false} {
				if owner && p.code == "X" {
					continue // anonymous visitors own nothing
				}
				name := fmt.Sprintf("%s/%s/owner=%v", o.action, p.code, owner)
				t.Run(name, func(t *testing.T) {
					author := bystander
					if owner {
						author = users[p.code]
					}
					suspend(false)
					f.clock.Advance(time.Minute)
					tp := f.topic(author, "Policy topic "+name, "question body")
					ans := f.reply(helper, tp.ID, "an answer body")
					view, err := f.s.TopicPage(f.as(mod), tp.ID)
					if err != nil {
						t.Fatal(err)
					}
					if p.code == "U" {
						suspend(true)
						defer suspend(false)
					}
					actor := func() context.Context {
						if p.code == "X" {
							return f.ctx
						}
						return f.as(users[p.code])
					}
					var actorUser *User
					if p.code != "X" {
						actorUser, _ = f.s.FindUser(f.ctx, users[p.code].ID)
					}
					res := tp.Resource()
					if o.action == ActionEditProfile {
						res = Resource{OwnerID: tp.AuthorID}
					}
					want := Can(actorUser, o.action, res, f.clock.Now())
					err = o.run(actor, tp, view.Question, ans)
					switch {
					case want && err != nil:
						t.Errorf("allowed by the policy, but the service said %v", err)
					case !want && err == nil:
						t.Errorf("denied by the policy, but the service allowed it")
					case !want && !errors.Is(err, ErrForbidden) && !errors.Is(err, ErrUnauthorized):
						t.Errorf("denied with %v, want ErrForbidden or ErrUnauthorized", err)
					case !want && p.code == "X" && !errors.Is(err, ErrUnauthorized):
						t.Errorf("anonymous got %v, want ErrUnauthorized", err)
					}
				})
			}
		}
	}
}

// A member's moderator action with bad input is refused for who they are
// (ErrForbidden), not for the input (ErrInvalid).
func TestPermissionBeforeValidation(t *testing.T) {
	f := newFixture(t)
	mod := f.user("mod", RoleModerator)
	member := f.user("member", RoleMember)
	topic := f.topic(mod, "A topic to moderate", "Some question text here")
	ctx := f.as(member)
	calls := map[string]func() error{
		"SetRole":        func() error { _, err := f.s.SetRole(ctx, mod.ID, "emperor"); return err },
		"ReviewFlags":    func() error { return f.s.ReviewFlags(ctx, topic.ID, "maybe") },
		"SetPriority":    func() error { return f.s.SetPriority(ctx, topic.ID, "whenever") },
		"CloseTopic":     func() error { return f.s.CloseTopic(ctx, topic.ID, "no-such-reason", 0) },
		"CreateCategory": func() error { _, err := f.s.CreateCategory(ctx, CategoryInput{}); return err },
		"UpdateCategory": func() error { _, err := f.s.UpdateCategory(ctx, 1, CategoryInput{}); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s by a member with bad input: %v, want ErrForbidden", name, err)
		}
	}
}
