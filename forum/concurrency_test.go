package forum

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentReplies has several users reply to one topic at once,
// while others read it: every reply is stored exactly once, numbered
// without gaps, and counted.
func TestConcurrentReplies(t *testing.T) {
	f := newFixture(t)
	asker := f.user("asker", RoleMember)
	var users []*User
	for i := 0; i < 8; i++ {
		users = append(users, f.user(fmt.Sprintf("u%d", i), RoleStaff)) // staff: no rate limit
	}
	f.age()
	tp := f.topic(asker, "Busy topic", "Everyone answers at once")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for _, u := range users {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if _, err := f.s.Reply(f.as(u), tp.ID, fmt.Sprintf("reply %d from %s", j, u.Name)); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if _, err := f.s.TopicPage(f.ctx, tp.ID); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	v, err := f.s.TopicPage(f.ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Replies) != 40 || v.Topic.ReplyCount != 40 {
		t.Fatalf("%d replies stored, count %d; want 40", len(v.Replies), v.Topic.ReplyCount)
	}
	for i, p := range v.Replies {
		if p.Number != i+2 {
			t.Fatalf("reply %d has number %d", i, p.Number)
		}
	}
}
