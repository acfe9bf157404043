package forum

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestTopicLifecycle(t *testing.T) {
	f := newFixture(t)
	asker := f.user("asker", RoleMember)
	eng := f.user("engineer", RoleMember)
	admin := f.user("admin", RoleAdmin)
	other := f.user("other", RoleMember)
	f.age()

	var published []Event
	f.s.OnEvent(func(_ context.Context, e Event) { published = append(published, e) })

	created := f.clock.Now()
	tp, err := f.s.CreateTopic(f.as(asker), NewTopic{CategoryID: f.cats[CategoryGoSDK].ID, Title: "  How do I   subscribe? ",
		Body: "I call `Subscribe` and\n\n```go\nfmt.Println(\"hi\")\n```", Lang: LangEN, Tags: []string{"Go", "channels", "go"}, DocsPath: "/docs/quickstart-go"})
	if err != nil {
		t.Fatal(err)
	}
	if tp.Title != "How do I subscribe?" || strings.Join(tp.Tags, ",") != "channels,go" || tp.Priority != PriorityNormal || tp.AuthorRole != RoleMember {
		t.Fatalf("topic = %+v", tp)
	}
	if got := tp.Slug(); got != "how-do-i-subscribe" {
		t.Errorf("slug %q", got)
	}
	f.clock.Advance(time.Hour)

	// A reply from a member, then the member becomes staff and replies
	// again: each post keeps the role its author had when writing it.
	r1 := f.reply(eng, tp.ID, "Try the history API.")
	if _, err := f.s.SetRole(f.as(admin), eng.ID, RoleStaff); err != nil {
		t.Fatal(err)
	}
	r2 := f.reply(eng, tp.ID, "Official: use recovery.")
	if r1.AuthorRole != RoleMember || r1.Official() || r2.AuthorRole != RoleStaff || !r2.Official() {
		t.Fatalf("roles at posting: r1 %q r2 %q", r1.AuthorRole, r2.AuthorRole)
	}

	// The asker accepts the official answer; the topic is solved and the
	// answer shows both at the top and in place.
	if err := f.s.Accept(f.as(other), r2.ID); err == nil {
		t.Fatal("a bystander member accepted an answer")
	}
	if err := f.s.Accept(f.as(asker), r2.ID); err != nil {
		t.Fatal(err)
	}
	v, err := f.s.TopicPage(f.ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Topic.Solved() || v.Accepted == nil || v.Accepted.ID != r2.ID || len(v.Replies) != 2 || !v.Replies[1].Accepted {
		t.Fatalf("after accept: solved %v accepted %+v replies %d", v.Topic.Solved(), v.Accepted, len(v.Replies))
	}
	if !strings.Contains(v.Question.HTML, `<pre class="chroma"`) || v.Question.Source != "" {
		t.Errorf("question HTML %q (source must be left out of pages: %q)", v.Question.HTML, v.Question.Source)
	}
	if v.Category.Slug != CategoryGoSDK || v.Topic.ReplyCount != 2 {
		t.Errorf("category %q replies %d", v.Category.Slug, v.Topic.ReplyCount)
	}

	// Edits keep a history anyone can read.
	if _, err := f.s.EditPost(f.as(eng), r1.ID, "Try the **history** API, with an offset."); err != nil {
		t.Fatal(err)
	}
	revs, err := f.s.Revisions(f.ctx, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[0].Source != "Try the history API." || !strings.Contains(revs[1].HTML, "<strong>history</strong>") || revs[1].EditorRole != RoleStaff {
		t.Fatalf("revisions = %+v", revs)
	}
	if _, err := f.s.EditPost(f.as(other), r1.ID, "vandalism here"); err == nil {
		t.Fatal("a member edited someone else's post")
	}
	newTitle := "How do I subscribe to a channel?"
	if _, err := f.s.EditTopic(f.as(asker), tp.ID, TopicEdit{Title: &newTitle}); err != nil {
		t.Fatal(err)
	}
	revs, _ = f.s.Revisions(f.ctx, v.Question.ID)
	if len(revs) != 2 || revs[0].Title != "How do I subscribe?" || revs[1].Title != newTitle {
		t.Fatalf("question revisions %+v", revs)
	}

	// Deleting the accepted answer unaccepts it; the deleted reply stays
	// in place, redacted, for everyone but moderators.
	if err := f.s.DeletePost(f.as(eng), r2.ID); err != nil {
		t.Fatal(err)
	}
	v, _ = f.s.TopicPage(f.as(other), tp.ID)
	if v.Topic.Solved() || v.Accepted != nil || v.Topic.ReplyCount != 1 || !v.Replies[1].Redacted || v.Replies[1].HTML != "" {
		t.Fatalf("after delete: solved %v replies %d redacted %v", v.Topic.Solved(), v.Topic.ReplyCount, v.Replies[1].Redacted)
	}
	v, _ = f.s.TopicPage(f.as(admin), tp.ID)
	if v.Replies[1].Redacted || v.Replies[1].HTML == "" {
		t.Error("an admin cannot see a deleted reply's content")
	}

	// Every step is an event with its time and the actor's role then.
	evs, err := f.s.TopicEvents(f.ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, string(e.Kind)+":"+string(e.ActorRole))
	}
	want := "topic_created:member replied:member replied:staff accepted:member edited:staff edited:member post_deleted:staff unaccepted:staff"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	if !evs[0].At.Equal(created) || evs[0].PostID != v.Question.ID {
		t.Errorf("first event at %s post %d, want %s post %d", evs[0].At, evs[0].PostID, created, v.Question.ID)
	}
	if len(published) != len(evs) {
		t.Errorf("OnEvent saw %d events, the table holds %d", len(published), len(evs))
	}
	after, _ := f.s.EventsAfter(f.ctx, evs[2].ID, 100)
	if len(after) != len(evs)-3 {
		t.Errorf("EventsAfter: %d events, want %d", len(after), len(evs)-3)
	}

	// Deleting the question deletes the topic.
	if err := f.s.DeletePost(f.as(asker), v.Question.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.TopicPage(f.ctx, tp.ID); err == nil {
		t.Error("a deleted topic is still readable")
	}
	if _, err := f.s.TopicPage(f.as(admin), tp.ID); err != nil {
		t.Errorf("moderators must still see a deleted topic: %v", err)
	}
}

func TestCloseLockPinWaitAssign(t *testing.T) {
	f := newFixture(t)
	asker := f.user("asker", RoleMember)
	staff := f.user("staff", RoleStaff)
	mod := f.user("mod", RoleModerator)
	member := f.user("member", RoleMember)
	f.age()
	orig := f.topic(asker, "Original question", "body of the original")
	dup := f.topic(asker, "Duplicate question", "body of the duplicate")

	wantErr(t, f.s.CloseTopic(f.as(asker), dup.ID, CloseDuplicate, 0), ErrInvalid)
	wantErr(t, f.s.CloseTopic(f.as(asker), dup.ID, CloseDuplicate, 999), ErrInvalid)
	if err := f.s.CloseTopic(f.as(asker), dup.ID, CloseDuplicate, orig.ID); err != nil {
		t.Fatal(err)
	}
	v, _ := f.s.TopicPage(f.ctx, dup.ID)
	if v.Topic.CloseReason != CloseDuplicate || v.DuplicateOf == nil || v.DuplicateOf.ID != orig.ID {
		t.Fatalf("duplicate: %+v", v.Topic)
	}
	_, err := f.s.Reply(f.as(member), dup.ID, "can I still reply?")
	if e := wantErr(t, err, ErrForbidden); e.MessageID() != "forum.error.topic_closed" {
		t.Errorf("message %q", e.MessageID())
	}
	if err := f.s.ReopenTopic(f.as(asker), dup.ID); err != nil {
		t.Fatal(err)
	}

	if err := f.s.SetLocked(f.as(mod), orig.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Reply(f.as(asker), orig.ID, "locked reply")
	if e := wantErr(t, err, ErrForbidden); e.MessageID() != "forum.error.topic_locked" {
		t.Errorf("message %q", e.MessageID())
	}
	if _, err := f.s.Reply(f.as(mod), orig.ID, "moderator note"); err != nil {
		t.Errorf("moderator reply in a locked topic: %v", err)
	}
	if err := f.s.SetLocked(f.as(mod), orig.ID, false); err != nil {
		t.Fatal(err)
	}

	// Pinned topics lead "latest".
	if err := f.s.SetPinned(f.as(mod), orig.ID, true); err != nil {
		t.Fatal(err)
	}
	l, _ := f.s.ListTopics(f.ctx, TopicFilter{})
	if l.Topics[0].ID != orig.ID || !l.Topics[0].Pinned {
		t.Errorf("latest starts with %d, want the pinned %d", l.Topics[0].ID, orig.ID)
	}

	// Waiting for the asker: set by staff, cleared by the asker's reply.
	if err := f.s.SetWaitingOnAsker(f.as(staff), orig.ID, true); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	f.reply(member, orig.ID, "not the asker")
	if tp, _ := f.s.Topic(f.ctx, orig.ID); !tp.WaitingOnAsker {
		t.Fatal("a bystander's reply cleared the waiting mark")
	}
	f.reply(asker, orig.ID, "here are my logs")
	if tp, _ := f.s.Topic(f.ctx, orig.ID); tp.WaitingOnAsker {
		t.Fatal("the asker's reply did not clear the waiting mark")
	}
	evs, _ := f.s.TopicEvents(f.ctx, orig.ID)
	last := evs[len(evs)-1]
	if last.Kind != EventWaitingCleared || last.Data["by"] != "asker_reply" || last.ActorID != asker.ID {
		t.Errorf("last event %+v, want waiting_cleared by asker_reply", last)
	}

	// Claiming and assigning.
	if err := f.s.Claim(f.as(staff), orig.ID); err != nil {
		t.Fatal(err)
	}
	if tp, _ := f.s.Topic(f.ctx, orig.ID); tp.AssigneeID != staff.ID || tp.AssigneeName != "staff" {
		t.Errorf("assignee %d %q", tp.AssigneeID, tp.AssigneeName)
	}
	wantErr(t, f.s.Assign(f.as(staff), orig.ID, member.ID), ErrInvalid)
	if err := f.s.Assign(f.as(staff), orig.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetPriority(f.as(staff), orig.ID, PriorityUrgent); err != nil {
		t.Fatal(err)
	}
	if tp, _ := f.s.Topic(f.ctx, orig.ID); tp.Priority != PriorityUrgent || tp.AssigneeID != 0 {
		t.Errorf("priority %q assignee %d", tp.Priority, tp.AssigneeID)
	}
}

func TestStaffOnlyCategory(t *testing.T) {
	f := newFixture(t)
	member := f.user("member", RoleMember)
	staff := f.user("staff", RoleStaff)
	f.age()
	in := NewTopic{CategoryID: f.cats[CategoryAnnouncements].ID, Title: "Release 1.0 is out", Body: "Changelog here", Lang: LangEN}
	_, err := f.s.CreateTopic(f.as(member), in)
	if e := wantErr(t, err, ErrForbidden); e.MessageID() != "forum.error.category_staff_only" {
		t.Errorf("message %q", e.MessageID())
	}
	tp, err := f.s.CreateTopic(f.as(staff), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Reply(f.as(member), tp.ID, "Congratulations!"); err != nil {
		t.Errorf("members may reply to announcements: %v", err)
	}
}

func TestTopicValidation(t *testing.T) {
	f := newFixture(t)
	u := f.user("asker", RoleMember)
	f.age()
	cat := f.cats[CategoryGoSDK].ID
	tests := []struct {
		name  string
		in    NewTopic
		field string
	}{
		{"short title", NewTopic{CategoryID: cat, Title: "Hi", Body: "long enough body", Lang: LangEN}, "title"},
		{"long title", NewTopic{CategoryID: cat, Title: strings.Repeat("t", TitleMaxLen+1), Body: "long enough body", Lang: LangEN}, "title"},
		{"short body", NewTopic{CategoryID: cat, Title: "Fine title", Body: "hi", Lang: LangEN}, "body"},
		{"long body", NewTopic{CategoryID: cat, Title: "Fine title", Body: strings.Repeat("b", BodyMaxLen+1), Lang: LangEN}, "body"},
		{"no lang", NewTopic{CategoryID: cat, Title: "Fine title", Body: "long enough body"}, "lang"},
		{"bad tag", NewTopic{CategoryID: cat, Title: "Fine title", Body: "long enough body", Lang: LangEN, Tags: []string{"<script>"}}, "tags"},
		{"six tags", NewTopic{CategoryID: cat, Title: "Fine title", Body: "long enough body", Lang: LangEN, Tags: []string{"a", "b", "c", "d", "e", "f"}}, "tags"},
		{"bad priority", NewTopic{CategoryID: cat, Title: "Fine title", Body: "long enough body", Lang: LangEN, Priority: "asap"}, "priority"},
		{"bad docs path", NewTopic{CategoryID: cat, Title: "Fine title", Body: "long enough body", Lang: LangEN, DocsPath: "javascript:alert(1)"}, "docs_path"},
		{"docs path escape", NewTopic{CategoryID: cat, Title: "Fine title", Body: "long enough body", Lang: LangEN, DocsPath: "/docs/../admin"}, "docs_path"},
		{"no category", NewTopic{CategoryID: 999, Title: "Fine title", Body: "long enough body", Lang: LangEN}, "category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.CreateTopic(f.as(u), tt.in)
			if e := wantErr(t, err, ErrInvalid); e.Field() != tt.field {
				t.Errorf("field %q, want %q", e.Field(), tt.field)
			}
		})
	}
	_, err := f.s.CreateTopic(f.ctx, NewTopic{CategoryID: cat, Title: "Fine title", Body: "long enough body", Lang: LangEN})
	wantErr(t, err, ErrUnauthorized)
}

func TestLists(t *testing.T) {
	f := newFixture(t)
	a := f.user("alice", RoleMember)
	b := f.user("bob", RoleMember)
	staff := f.user("staff", RoleStaff)
	f.age()
	mk := func(u *User, cat, lang, title string, tags ...string) *Topic {
		t.Helper()
		f.clock.Advance(time.Minute)
		tp, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: f.cats[cat].ID, Title: title, Body: "body text here", Lang: lang, Tags: tags, DocsPath: map[bool]string{true: "/docs/presence"}[cat == CategoryJavaScriptSDK]})
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	t1 := mk(a, CategoryGoSDK, LangEN, "Go question one", "go")
	t2 := mk(b, CategoryGoSDK, LangZH, "Go 问题二", "go", "频道")
	t3 := mk(a, CategoryJavaScriptSDK, LangEN, "JS question three", "presence")
	t4 := mk(b, CategoryJavaScriptSDK, LangZH, "JS 问题四")
	f.clock.Advance(time.Minute)
	f.reply(staff, t1.ID, "answer to one")
	ans := f.reply(staff, t2.ID, "answer to two")
	if err := f.s.Accept(f.as(b), ans.ID); err != nil {
		t.Fatal(err)
	}
	ids := func(l *TopicList) string {
		var s []string
		for _, tp := range l.Topics {
			s = append(s, tp.Title[:strings.IndexByte(tp.Title, ' ')])
		}
		return strings.Join(s, ",")
	}
	_ = t3
	_ = t4
	tests := []struct {
		name  string
		f     TopicFilter
		want  string
		total int
	}{
		{"latest", TopicFilter{}, "Go,Go,JS,JS", 4},
		{"latest en", TopicFilter{Lang: LangEN}, "Go,JS", 2},
		{"unanswered", TopicFilter{Kind: ListUnanswered}, "JS,JS", 2},
		{"unsolved zh", TopicFilter{Kind: ListUnsolved, Lang: LangZH}, "JS", 1},
		{"solved", TopicFilter{Kind: ListSolved}, "Go", 1},
		{"category", TopicFilter{CategoryID: f.cats[CategoryJavaScriptSDK].ID}, "JS,JS", 2},
		{"tag", TopicFilter{Tag: "GO"}, "Go,Go", 2},
		{"chinese tag", TopicFilter{Tag: "频道"}, "Go", 1},
		{"user", TopicFilter{AuthorID: a.ID}, "JS,Go", 2},
		{"docs page", TopicFilter{DocsPath: "/docs/presence/"}, "JS,JS", 2},
		{"page 2 of 3", TopicFilter{PerPage: 3, Page: 2}, "JS", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := f.s.ListTopics(f.ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(l); got != tt.want || l.Total != tt.total {
				t.Errorf("got %s (total %d), want %s (total %d)", got, l.Total, tt.want, tt.total)
			}
		})
	}
	// Latest is by last activity: the replied topics come first.
	l, _ := f.s.ListTopics(f.ctx, TopicFilter{})
	if l.Topics[0].ID != t2.ID || l.Topics[1].ID != t1.ID {
		t.Errorf("latest order %d,%d, want %d,%d", l.Topics[0].ID, l.Topics[1].ID, t2.ID, t1.ID)
	}
	if l.Pages() != 1 {
		t.Errorf("pages %d", l.Pages())
	}
	refs, err := f.s.TopicsForDocsPage(f.ctx, "/docs/presence", LangEN, 5)
	if err != nil || len(refs) != 1 || refs[0].ID != t3.ID {
		t.Errorf("docs page topics %v %v", refs, err)
	}
	tags, _ := f.s.Tags(f.ctx, 10)
	if len(tags) == 0 || tags[0] != (TagCount{"go", 2}) {
		t.Errorf("tags %v", tags)
	}
	_, err = f.s.ListTopics(f.ctx, TopicFilter{Lang: "fr"})
	wantErr(t, err, ErrInvalid)
}

// QuestionHTML gives feeds the rendered question of public topics only.
func TestQuestionHTML(t *testing.T) {
	f := newFixture(t)
	asker := f.user("asker", RoleMember)
	kept := f.topic(asker, "A public question", "The **public** question body")
	gone := f.topic(asker, "A deleted question", "This body must not reach a feed")
	tv, err := f.s.TopicPage(f.ctx, gone.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.DeletePost(f.as(asker), tv.Question.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.QuestionHTML(f.ctx, []int64{kept.ID, gone.ID, 9999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[kept.ID], "<strong>public</strong>") {
		t.Errorf("QuestionHTML = %v, want only the public topic's rendered question", got)
	}
}
