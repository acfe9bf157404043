package forum

import (
	"testing"
)

func TestMentionsAndWatching(t *testing.T) {
	f := newFixture(t)
	asker := f.user("Alice Smith", RoleMember) // handle alice_smith
	li := f.user("李伟", RoleStaff)              // handle 李伟
	bob := f.user("bob", RoleMember)
	carol := f.user("carol", RoleMember)
	f.age()
	if asker.Username != "alice_smith" {
		t.Fatalf("handle %q", asker.Username)
	}

	// Mentions: a Chinese handle with no space after it, an English one
	// with trailing punctuation; not inside code, not an e-mail address,
	// not the author.
	tp := f.topic(asker, "Mentions topic", "请@李伟看一下，also @bob. Not `@carol`, not carol@example.com, not @alice_smith.")
	unread := func(u *User) int {
		t.Helper()
		n, err := f.s.UnreadCount(f.as(u))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := []int{unread(li), unread(bob), unread(carol), unread(asker)}; got[0] != 1 || got[1] != 1 || got[2] != 0 || got[3] != 0 {
		t.Fatalf("unread li,bob,carol,asker = %v, want [1 1 0 0]", got)
	}

	// Watching: the asker (auto-watching) hears of replies; a reply that
	// mentions the asker gives one notification, not two.
	f.reply(li, tp.ID, "Answer for @alice_smith")
	ns, n, err := f.s.Notifications(f.as(asker), 10)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(ns) != 1 || ns[0].Kind != NotifyMention || ns[0].ActorName != "李伟" || ns[0].TopicTitle != "Mentions topic" || ns[0].PostNumber != 2 {
		t.Fatalf("asker notifications %d %+v", n, ns)
	}
	f.reply(carol, tp.ID, "Plain reply")
	if unread(asker) != 2 || unread(li) != 2 {
		t.Fatalf("after carol's reply: asker %d li %d, want 2 2 (both watch)", unread(asker), unread(li))
	}
	if err := f.s.Watch(f.as(li), tp.ID, false); err != nil {
		t.Fatal(err)
	}
	f.reply(bob, tp.ID, "Another reply")
	if unread(li) != 2 {
		t.Errorf("unwatched user still notified")
	}

	// Mark read: one, then all; never someone else's.
	ns, _, _ = f.s.Notifications(f.as(asker), 10)
	if err := f.s.MarkRead(f.as(bob), ns[0].ID); err != nil {
		t.Fatal(err)
	}
	if unread(asker) != 3 {
		t.Fatalf("bob marked asker's notification read")
	}
	if err := f.s.MarkRead(f.as(asker), ns[0].ID); err != nil {
		t.Fatal(err)
	}
	if unread(asker) != 2 {
		t.Fatalf("unread after marking one: %d", unread(asker))
	}
	if err := f.s.MarkRead(f.as(asker)); err != nil {
		t.Fatal(err)
	}
	if unread(asker) != 0 {
		t.Fatalf("unread after marking all: %d", unread(asker))
	}

	// Accepting a reply notifies its author.
	v, _ := f.s.TopicPage(f.ctx, tp.ID)
	if err := f.s.Accept(f.as(asker), v.Replies[1].ID); err != nil {
		t.Fatal(err)
	}
	ns, _, _ = f.s.Notifications(f.as(carol), 10)
	if len(ns) == 0 || ns[0].Kind != NotifyAccepted {
		t.Errorf("carol's notifications %+v, want accepted first", ns)
	}

	// Editing in a new mention notifies only the new name.
	before := unread(carol)
	if _, err := f.s.EditPost(f.as(asker), v.Question.ID, "请@李伟看一下，also @bob and @carol"); err != nil {
		t.Fatal(err)
	}
	if unread(carol) != before+1 || unread(bob) != 1 {
		t.Errorf("after edit: carol %d (want %d), bob %d (want 1: no second mention)", unread(carol), before+1, unread(bob))
	}
	if n, _ := f.s.UnreadCount(f.ctx); n != 0 {
		t.Errorf("anonymous unread count %d", n)
	}
}
