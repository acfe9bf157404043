package forum

import (
	"context"
	"errors"
	"time"
)

// Action is something a user may or may not do. Reading public topics is
// not an action: anyone, signed in or not, may read.
type Action string

const (
	ActionCreateTopic  Action = "create_topic"  // Resource.StaffOnly: the category's restriction
	ActionReply        Action = "reply"         // Resource.Locked, Resource.Closed
	ActionEditPost     Action = "edit_post"     // Resource.OwnerID: the post's author
	ActionDeletePost   Action = "delete_post"   // Resource.OwnerID: the post's author
	ActionVote         Action = "vote"          // Resource.OwnerID: the post's author
	ActionAccept       Action = "accept"        // Resource.OwnerID: the asker
	ActionClose        Action = "close"         // close or reopen; Resource.OwnerID: the asker
	ActionLock         Action = "lock"          // lock or unlock
	ActionPin          Action = "pin"           // pin or unpin
	ActionSetWaiting   Action = "set_waiting"   // mark "waiting for the asker"
	ActionAssign       Action = "assign"        // claim or assign a topic
	ActionSetPriority  Action = "set_priority"  // normal, high, urgent
	ActionViewQueue    Action = "view_queue"    // the staff queue
	ActionFlag         Action = "flag"          // Resource.OwnerID: the post's author
	ActionReviewFlags  Action = "review_flags"  // the moderator queue
	ActionViewHidden   Action = "view_hidden"   // read deleted and hidden posts
	ActionWatch        Action = "watch"         // watch or unwatch a topic
	ActionEditProfile  Action = "edit_profile"  // Resource.OwnerID: the profile's user
	ActionSuspend      Action = "suspend"       // Resource.OwnerID, Resource.TargetRole: the user acted on
	ActionSetRole      Action = "set_role"      // Resource.OwnerID, Resource.TargetRole: the user acted on
	ActionEditCategory Action = "edit_category" // create or edit categories
	ActionIssueReset   Action = "issue_reset"   // issue a password reset link
	ActionListUsers    Action = "list_users"    // the admin user list, with e-mail addresses
	ActionViewEmail    Action = "view_email"    // Resource.OwnerID: the user whose address it is
	ActionViewOutbox   Action = "view_outbox"   // the mail outbox, whose reset links are secrets
)

// Actions lists every action, for the authorization matrix test.
var Actions = []Action{
	ActionCreateTopic, ActionReply, ActionEditPost, ActionDeletePost, ActionVote,
	ActionAccept, ActionClose, ActionLock, ActionPin, ActionSetWaiting, ActionAssign,
	ActionSetPriority, ActionViewQueue, ActionFlag, ActionReviewFlags, ActionViewHidden,
	ActionWatch, ActionEditProfile, ActionSuspend, ActionSetRole, ActionEditCategory,
	ActionIssueReset, ActionListUsers, ActionViewEmail, ActionViewOutbox,
}

// Resource describes what an action is applied to, as far as the policy
// needs to know.
type Resource struct {
	OwnerID    int64 // the author (posts), the asker (topics) or the user (profiles)
	StaffOnly  bool  // the category admits new topics from the team only
	Locked     bool  // the topic is locked
	Closed     bool  // the topic is closed
	TargetRole Role  // the current role of the user acted on (suspend, set role)
}

// Can is the forum's single authorization policy. Anonymous visitors (nil)
// and suspended users may do nothing; everything else is decided here and
// nowhere else.
func Can(u *User, a Action, r Resource, now time.Time) bool {
	if u == nil || u.ID == 0 || u.Suspended(now) {
		return false
	}
	owner := r.OwnerID != 0 && r.OwnerID == u.ID
	mod := u.Role == RoleModerator || u.Role == RoleAdmin
	team := u.Role.Team()
	switch a {
	case ActionCreateTopic:
		return !r.StaffOnly || team
	case ActionReply:
		switch {
		case r.Locked:
			return mod
		case r.Closed:
			return team
		}
		return true
	case ActionEditPost:
		if r.Locked {
			return mod
		}
		return owner || mod
	case ActionDeletePost:
		return owner || mod
	case ActionVote, ActionFlag:
		return !owner
	case ActionAccept, ActionClose:
		return owner || team
	case ActionLock, ActionPin, ActionReviewFlags, ActionViewHidden, ActionListUsers:
		return mod
	case ActionSetWaiting, ActionAssign, ActionSetPriority, ActionViewQueue:
		return team
	case ActionWatch:
		return true
	case ActionEditProfile, ActionViewEmail:
		return owner || u.Role == RoleAdmin
	case ActionSuspend:
		if owner || r.TargetRole == RoleAdmin {
			return false
		}
		if u.Role == RoleAdmin {
			return true
		}
		return u.Role == RoleModerator && (r.TargetRole == RoleMember || r.TargetRole == "")
	case ActionSetRole:
		return u.Role == RoleAdmin && !owner
	case ActionEditCategory, ActionIssueReset, ActionViewOutbox:
		return u.Role == RoleAdmin
	}
	return false
}

// Can reports whether the user in ctx may perform a on r now. Portal uses
// it to decide which buttons to show; the Store checks again on every
// write.
func (s *Store) Can(ctx context.Context, a Action, r Resource) bool {
	return Can(UserFromContext(ctx), a, r, s.now())
}

// Allow returns nil when the user in ctx may perform a on r now, and
// otherwise the error a write would return: ErrUnauthorized for anonymous
// visitors, ErrForbidden naming why for everyone else. Portal asks it
// with the zero Resource before reading a moderator or admin form, so
// that a refusal comes before any complaint about the input; the write
// checks again with the real resource.
func (s *Store) Allow(ctx context.Context, a Action, r Resource) error {
	u := UserFromContext(ctx)
	if u == nil || u.ID == 0 {
		return unauthorized("forum.error.login_required")
	}
	return s.check(u, a, r, s.now())
}

// beginAs starts a write transaction for the signed-in user, whom it
// reloads (see actor). On error nothing is left open.
func (s *Store) beginAs(ctx context.Context) (*txn, *User, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.actor(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	return tx, u, nil
}

// actor reloads the user in ctx inside tx, so that a write sees the role
// and suspension as they are now, not as they were when the session was
// looked up. Anonymous visitors get ErrUnauthorized.
func (s *Store) actor(ctx context.Context, tx *txn) (*User, error) {
	u := UserFromContext(ctx)
	if u == nil || u.ID == 0 {
		return nil, unauthorized("forum.error.login_required")
	}
	fresh, err := findUserByID(ctx, tx, u.ID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, unauthorized("forum.error.login_required")
		}
		return nil, err
	}
	return fresh, nil
}

// check returns an ErrForbidden error naming why u may not perform a on r,
// or nil.
func (s *Store) check(u *User, a Action, r Resource, now time.Time) error {
	if u.Suspended(now) {
		return forbidden("forum.error.suspended")
	}
	if Can(u, a, r, now) {
		return nil
	}
	switch {
	case a == ActionReply && r.Locked:
		return forbidden("forum.error.topic_locked")
	case a == ActionReply && r.Closed:
		return forbidden("forum.error.topic_closed")
	case a == ActionCreateTopic && r.StaffOnly:
		return forbidden("forum.error.category_staff_only")
	case (a == ActionVote || a == ActionFlag) && r.OwnerID == u.ID:
		return forbidden("forum.error.own_post")
	}
	return forbidden("forum.error.forbidden")
}
