package forum

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// SeedOptions says what Seed creates besides the categories.
type SeedOptions struct {
	// Demo adds demo users (staff and members, in English and Chinese) and
	// demo topics with answers, when the forum has no topics yet.
	Demo bool
}

// Seed creates the standard categories that do not exist yet (matched by
// slug, so admins' edits survive) and, if asked, the demo content. It is
// idempotent.
func (s *Store) Seed(ctx context.Context, opt SeedOptions) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, c := range seedCategories {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_categories WHERE slug = ?`, c.Slug).Scan(&n); err != nil {
			return fmt.Errorf("seed categories: %w", err)
		}
		if n == 0 {
			if _, err := upsertCategory(ctx, tx, 0, c); err != nil {
				return fmt.Errorf("seed category %s: %w", c.Slug, err)
			}
		}
	}
	var topics int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_topics`).Scan(&topics); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := s.commit(ctx, tx); err != nil {
		return err
	}
	if !opt.Demo || topics > 0 {
		return nil
	}
	if err := s.seedDemo(ctx); err != nil {
		return fmt.Errorf("seed demo content: %w", err)
	}
	// The demo users' notifications are never emailed.
	if _, err := s.db.ExecContext(ctx, `UPDATE forum_notifications SET emailed = 1`); err != nil {
		return fmt.Errorf("seed demo content: %w", err)
	}
	return nil
}

// seedClock is a settable clock for writing demo content in the past.
type seedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *seedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *seedClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// seedDemo writes the demo users and topics through the ordinary service
// methods (so every invariant, event and index holds), with a clock set
// to points in the last days.
func (s *Store) seedDemo(ctx context.Context) error {
	clock := &seedClock{}
	s.mu.RLock()
	hooks := append([]func(context.Context, Event){}, s.onEvents...)
	s.mu.RUnlock()
	seeder := &Store{db: s.db, cfg: s.cfg, log: s.log, now: clock.now, policy: s.policy, throttle: s.throttle, stmts: s.stmts, pages: s.pages, search: s.search, onEvents: hooks}

	// Start 12 days ago at 01:00 UTC (09:00 in Shanghai).
	base := s.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -12).Add(time.Hour)
	clock.set(base)
	users := map[string]*User{}
	for _, du := range demoUsers {
		u, err := seeder.createUser(ctx, SignUp{Email: du.email, Name: du.name, Lang: du.lang}, du.role, false, true)
		if err != nil {
			return err
		}
		if du.bio != "" {
			if _, err := seeder.UpdateProfile(NewContext(ctx, u), u.ID, ProfileUpdate{Bio: du.bio}); err != nil {
				return err
			}
		}
		users[du.key] = u
	}
	cats, err := seeder.Categories(ctx)
	if err != nil {
		return err
	}
	catID := map[string]int64{}
	for _, c := range cats {
		catID[c.Slug] = c.ID
	}
	for _, dt := range demoTopics {
		at := base.Add(dt.at)
		clock.set(at)
		asker := NewContext(ctx, users[dt.author])
		t, err := seeder.CreateTopic(asker, NewTopic{CategoryID: catID[dt.category], Title: dt.title, Body: dt.body,
			Lang: dt.lang, Tags: dt.tags, Priority: dt.priority})
		if err != nil {
			return fmt.Errorf("topic %q: %w", dt.title, err)
		}
		if dt.pinned { // pinned by the system: no demo user is a moderator
			tx, err := seeder.begin(ctx)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET pinned = 1 WHERE id = ?`, t.ID); err != nil {
				tx.Rollback()
				return err
			}
			if err := addEvent(ctx, tx, actorEvent(t, EventPinned, nil, 0, nil)); err != nil {
				tx.Rollback()
				return err
			}
			if err := seeder.commit(ctx, tx); err != nil {
				return err
			}
		}
		for _, r := range dt.replies {
			at = at.Add(r.after)
			clock.set(at)
			p, err := seeder.Reply(NewContext(ctx, users[r.author]), t.ID, r.body)
			if err != nil {
				return fmt.Errorf("reply to %q: %w", dt.title, err)
			}
			if r.vote != "" {
				if _, err := seeder.Vote(NewContext(ctx, users[r.vote]), p.ID, true); err != nil {
					return err
				}
			}
			if r.accept {
				clock.set(at.Add(20 * time.Minute))
				if err := seeder.Accept(asker, p.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
