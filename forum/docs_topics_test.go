package forum

import "testing"

// The docs pages' "topics about this page" list is cached, yet a new or
// deleted topic shows there at once.
func TestTopicsForDocsPageFollowWrites(t *testing.T) {
	f := newFixture(t)
	asker := f.user("asker", RoleMember)
	f.age()
	count := func() int {
		t.Helper()
		refs, err := f.s.TopicsForDocsPage(f.ctx, "/docs/engine/presence", LangEN, 5)
		if err != nil {
			t.Fatal(err)
		}
		return len(refs)
	}
	if n := count(); n != 0 {
		t.Fatalf("before any topic: %d topics, want 0", n)
	}
	ask := func(title string) *Topic {
		tp, err := f.s.CreateTopic(f.as(asker), NewTopic{CategoryID: f.cats[CategoryGettingStarted].ID, Title: title,
			Body: "How does presence count two tabs?", Lang: LangEN, DocsPath: "/docs/engine/presence"})
		if err != nil {
			t.Fatal(err)
		}
		f.age()
		return tp
	}
	first := ask("Presence with two tabs")
	if n := count(); n != 1 {
		t.Fatalf("after one topic: %d, want 1", n)
	}
	ask("Presence state limits")
	if n := count(); n != 2 {
		t.Fatalf("after two topics: %d, want 2", n)
	}
	view, err := f.s.TopicPage(f.ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.DeletePost(f.as(asker), view.Question.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("after deleting one: %d, want 1", n)
	}
}
