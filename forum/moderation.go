package forum

import (
	"context"
	"fmt"
	"strconv"
)

// topicAction runs fn in a write transaction after loading the actor and
// the topic and checking that the actor may perform a on it.
func (s *Store) topicAction(ctx context.Context, topicID int64, a Action, fn func(tx *txn, u *User, t *Topic) error) error {
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t, err := s.visibleTopic(ctx, tx, topicID, u)
	if err != nil {
		return err
	}
	if t.Deleted() {
		return notFound("forum.error.topic_not_found")
	}
	if err := s.check(u, a, t.Resource(), tx.now); err != nil {
		return err
	}
	if err := fn(tx, u, t); err != nil {
		return err
	}
	return s.commit(ctx, tx)
}

// Accept marks a reply as the topic's accepted answer (the asker, staff,
// moderators or admins), which makes the topic solved. Accepting another
// reply replaces the previous answer.
func (s *Store) Accept(ctx context.Context, postID int64) error {
	tx, err := s.read(ctx)
	if err != nil {
		return err
	}
	p, err := findPostByID(ctx, tx, postID)
	tx.Rollback()
	if err != nil {
		return err
	}
	return s.topicAction(ctx, p.TopicID, ActionAccept, func(tx *txn, u *User, t *Topic) error {
		p, err := findPostByID(ctx, tx, postID)
		if err != nil {
			return err
		}
		if p.Number == 1 || p.Deleted() || p.Hidden {
			return invalid("post", "forum.error.accept_not_reply", nil)
		}
		if t.AcceptedPostID == p.ID {
			return nil
		}
		if err := setAccepted(ctx, tx, t, u, p.ID); err != nil {
			return err
		}
		if p.AuthorID != u.ID {
			return notify(ctx, tx, p.AuthorID, NotifyAccepted, t.ID, p.ID, u.ID)
		}
		return nil
	})
}

// Unaccept removes the accepted answer; the topic is unsolved again.
func (s *Store) Unaccept(ctx context.Context, topicID int64) error {
	return s.topicAction(ctx, topicID, ActionAccept, func(tx *txn, u *User, t *Topic) error {
		if t.AcceptedPostID == 0 {
			return nil
		}
		return setAccepted(ctx, tx, t, u, 0)
	})
}

// setAccepted sets (postID != 0) or clears the accepted answer.
func setAccepted(ctx context.Context, tx *txn, t *Topic, u *User, postID int64) error {
	if t.AcceptedPostID != 0 {
		if err := addEvent(ctx, tx, actorEvent(t, EventUnaccepted, u, t.AcceptedPostID, nil)); err != nil {
			return err
		}
	}
	solved := any(nil)
	if postID != 0 {
		solved = ms(tx.now)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET accepted_post_id = ?, solved_at = ? WHERE id = ?`, nullID(postID), solved, t.ID); err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	if postID != 0 {
		if err := addEvent(ctx, tx, actorEvent(t, EventAccepted, u, postID, nil)); err != nil {
			return err
		}
	}
	t.AcceptedPostID = postID
	return nil
}

// CloseTopic closes a topic as resolved, outdated or a duplicate of another
// visible topic (the asker or the team). Closed topics take replies from
// the team only.
func (s *Store) CloseTopic(ctx context.Context, topicID int64, reason CloseReason, duplicateOf int64) error {
	return s.topicAction(ctx, topicID, ActionClose, func(tx *txn, u *User, t *Topic) error {
		if !reason.Valid() {
			return invalid("reason", "forum.error.close_reason_invalid", nil)
		}
		if reason != CloseDuplicate {
			duplicateOf = 0
		} else if duplicateOf == 0 || duplicateOf == topicID {
			return invalid("duplicate_of", "forum.error.duplicate_invalid", nil)
		}
		if duplicateOf != 0 {
			d, err := s.visibleTopic(ctx, tx, duplicateOf, nil)
			if err != nil || d.Deleted() {
				return invalid("duplicate_of", "forum.error.duplicate_invalid", nil)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET close_reason = ?, closed_at = ?, duplicate_of = ? WHERE id = ?`,
			string(reason), ms(tx.now), nullID(duplicateOf), t.ID); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		data := map[string]string{"reason": string(reason)}
		if duplicateOf != 0 {
			data["duplicate_of"] = strconv.FormatInt(duplicateOf, 10)
		}
		return addEvent(ctx, tx, actorEvent(t, EventClosed, u, 0, data))
	})
}

// ReopenTopic reopens a closed topic (the asker or the team).
func (s *Store) ReopenTopic(ctx context.Context, topicID int64) error {
	return s.topicAction(ctx, topicID, ActionClose, func(tx *txn, u *User, t *Topic) error {
		if !t.Closed() {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET close_reason = '', closed_at = NULL, duplicate_of = NULL WHERE id = ?`, t.ID); err != nil {
			return fmt.Errorf("reopen: %w", err)
		}
		return addEvent(ctx, tx, actorEvent(t, EventReopened, u, 0, nil))
	})
}

// SetLocked locks or unlocks a topic (moderators and admins). A locked
// topic takes replies and edits from moderators only.
func (s *Store) SetLocked(ctx context.Context, topicID int64, locked bool) error {
	return s.topicAction(ctx, topicID, ActionLock, func(tx *txn, u *User, t *Topic) error {
		if t.Locked == locked {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET locked = ? WHERE id = ?`, boolInt(locked), t.ID); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		return addEvent(ctx, tx, actorEvent(t, map[bool]EventKind{true: EventLocked, false: EventUnlocked}[locked], u, 0, nil))
	})
}

// SetPinned pins or unpins a topic at the top of "latest" (moderators and
// admins).
func (s *Store) SetPinned(ctx context.Context, topicID int64, pinned bool) error {
	return s.topicAction(ctx, topicID, ActionPin, func(tx *txn, u *User, t *Topic) error {
		if t.Pinned == pinned {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET pinned = ? WHERE id = ?`, boolInt(pinned), t.ID); err != nil {
			return fmt.Errorf("pin: %w", err)
		}
		return addEvent(ctx, tx, actorEvent(t, map[bool]EventKind{true: EventPinned, false: EventUnpinned}[pinned], u, 0, nil))
	})
}

// SetWaitingOnAsker marks a topic as waiting for the asker (the team),
// which pauses the SLA clock until the asker replies or the team clears
// the mark.
func (s *Store) SetWaitingOnAsker(ctx context.Context, topicID int64, waiting bool) error {
	return s.topicAction(ctx, topicID, ActionSetWaiting, func(tx *txn, u *User, t *Topic) error {
		return setWaiting(ctx, tx, t, u, waiting, "staff")
	})
}

func setWaiting(ctx context.Context, tx *txn, t *Topic, u *User, waiting bool, by string) error {
	if t.WaitingOnAsker == waiting {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET waiting_on_asker = ? WHERE id = ?`, boolInt(waiting), t.ID); err != nil {
		return fmt.Errorf("set waiting: %w", err)
	}
	t.WaitingOnAsker = waiting
	if waiting {
		return addEvent(ctx, tx, actorEvent(t, EventWaitingOnAsker, u, 0, nil))
	}
	return addEvent(ctx, tx, actorEvent(t, EventWaitingCleared, u, 0, map[string]string{"by": by}))
}

// Assign gives a topic to a team member (staff, moderator or admin), or
// takes it back with assigneeID 0. Claiming is assigning to oneself. Only
// the team may assign.
func (s *Store) Assign(ctx context.Context, topicID, assigneeID int64) error {
	return s.topicAction(ctx, topicID, ActionAssign, func(tx *txn, u *User, t *Topic) error {
		if t.AssigneeID == assigneeID {
			return nil
		}
		if assigneeID != 0 {
			a, err := findUserByID(ctx, tx, assigneeID)
			if err != nil || !a.Role.Team() || a.Suspended(tx.now) {
				return invalid("assignee", "forum.error.assignee_invalid", nil)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET assignee_id = ? WHERE id = ?`, nullID(assigneeID), t.ID); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		data := map[string]string{"assignee_id": ""}
		if assigneeID != 0 {
			data["assignee_id"] = strconv.FormatInt(assigneeID, 10)
		}
		return addEvent(ctx, tx, actorEvent(t, EventAssigned, u, 0, data))
	})
}

// Claim assigns a topic to the team member in ctx.
func (s *Store) Claim(ctx context.Context, topicID int64) error {
	u := UserFromContext(ctx)
	if u == nil {
		return unauthorized("forum.error.login_required")
	}
	return s.Assign(ctx, topicID, u.ID)
}

// SetPriority changes a topic's priority (the team). The SLA clock then
// applies the policy of the new priority from the topic's start; the event
// shows the change in the topic's history.
func (s *Store) SetPriority(ctx context.Context, topicID int64, p Priority) error {
	return s.topicAction(ctx, topicID, ActionSetPriority, func(tx *txn, u *User, t *Topic) error {
		if !p.Valid() {
			return invalid("priority", "forum.error.priority_invalid", nil)
		}
		if t.Priority == p {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET priority = ? WHERE id = ?`, string(p), t.ID); err != nil {
			return fmt.Errorf("set priority: %w", err)
		}
		return addEvent(ctx, tx, actorEvent(t, EventPriorityChanged, u, 0, map[string]string{"from": string(t.Priority), "to": string(p)}))
	})
}
