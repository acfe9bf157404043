package forum

import (
	"strings"
	"testing"
	"time"
)

func listed(t *testing.T, f *fixture, id int64) *Topic {
	t.Helper()
	l, err := f.s.ListTopics(f.ctx, TopicFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range l.Topics {
		if tp.ID == id {
			return tp
		}
	}
	t.Fatalf("topic %d not listed", id)
	return nil
}

// Views count once per viewer and day, are written when due or flushed,
// and lists carry the category and the last poster.
func TestViewsCategoryAndLastPoster(t *testing.T) {
	f := newFixtureConfig(t, Config{ViewFlush: time.Hour})
	asker := f.user("asker", RoleMember)
	bob := f.user("bob", RoleMember)
	f.age()
	tp := f.topic(asker, "Counting views", "How are views counted here?")
	if err := f.s.FlushViews(f.ctx); err != nil { // the last flush: now
		t.Fatal(err)
	}
	for _, viewer := range []string{"u:1", "u:1", "203.0.113.5", "u:2"} {
		if err := f.s.RecordView(f.ctx, tp.ID, viewer); err != nil {
			t.Fatal(err)
		}
	}
	if got := listed(t, f, tp.ID).Views; got != 0 {
		t.Errorf("views before the flush is due: %d, want 0 (kept in memory)", got)
	}
	if err := f.s.FlushViews(f.ctx); err != nil {
		t.Fatal(err)
	}
	got := listed(t, f, tp.ID)
	if got.Views != 3 {
		t.Errorf("views %d, want 3 (u:1 twice counts once)", got.Views)
	}
	if got.CategorySlug != CategoryGettingStarted || got.CategoryName(LangEN) == "" || got.CategoryName(LangZH) == got.CategoryName(LangEN) {
		t.Errorf("category %q %q %q", got.CategorySlug, got.CategoryName(LangEN), got.CategoryName(LangZH))
	}
	if got.LastPosterUsername != asker.Username {
		t.Errorf("last poster %q before any reply, want the asker %q", got.LastPosterUsername, asker.Username)
	}
	f.reply(bob, tp.ID, "Once per viewer and day.")
	if got := listed(t, f, tp.ID); got.LastPosterUsername != bob.Username || got.LastPosterID != bob.ID {
		t.Errorf("last poster %q, want bob", got.LastPosterUsername)
	}

	// The next day the same viewer counts again; when the flush is due,
	// RecordView writes.
	f.clock.Advance(2 * time.Hour)
	if err := f.s.RecordView(f.ctx, tp.ID, "u:1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24 * time.Hour)
	if err := f.s.RecordView(f.ctx, tp.ID, "u:1"); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, f, tp.ID).Views; got != 4 {
		t.Errorf("views %d after a view the next day with the flush due, want 4", got)
	}
	// Closing writes what is left.
	if err := f.s.RecordView(f.ctx, tp.ID, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	var views int
	if err := f.s.db.QueryRowContext(f.ctx, `SELECT views FROM forum_topics WHERE id = ?`, tp.ID).Scan(&views); err != nil {
		t.Fatal(err)
	}
	if views != 5 {
		t.Errorf("views %d after Close, want 5", views)
	}
}

// "New since your last visit": activity by others after the reader's
// previous visit and after they last read the topic.
func TestNewSinceLastVisit(t *testing.T) {
	f := newFixture(t)
	reader := f.user("reader", RoleMember)
	other := f.user("other", RoleMember)
	f.age()
	old := f.topic(other, "Before the visit", "Asked before the reader's visit.")
	since, err := f.s.Visit(f.ctx, reader.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !since.Equal(reader.CreatedAt) {
		t.Errorf("first visit: since %v, want the sign-up time %v", since, reader.CreatedAt)
	}
	newOf := func(since time.Time, ids ...int64) []bool {
		t.Helper()
		var ts []*Topic
		for _, id := range ids {
			ts = append(ts, listed(t, f, id))
		}
		if err := f.s.MarkNew(f.ctx, reader.ID, since, ts); err != nil {
			t.Fatal(err)
		}
		var out []bool
		for _, tp := range ts {
			out = append(out, tp.New)
		}
		return out
	}
	// Within the visit nothing changes; after an hour away a new visit
	// starts and what others did meanwhile is new.
	f.clock.Advance(10 * time.Minute)
	if s2, _ := f.s.Visit(f.ctx, reader.ID); !s2.Equal(since) {
		t.Errorf("same visit: since moved from %v to %v", since, s2)
	}
	f.clock.Advance(2 * time.Hour)
	fresh := f.topic(other, "While away", "Asked while the reader was away.")
	mine := f.topic(reader, "My own question", "Asked by the reader, not new to them.")
	since, err = f.s.Visit(f.ctx, reader.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := newOf(since, old.ID, fresh.ID, mine.ID); got[0] || !got[1] || got[2] {
		t.Errorf("new old,fresh,mine = %v, want [false true false]", got)
	}
	// Reading the topic clears it; a reply by someone else brings it back.
	f.clock.Advance(time.Minute)
	if err := f.s.MarkTopicRead(f.ctx, reader.ID, fresh.ID); err != nil {
		t.Fatal(err)
	}
	if got := newOf(since, fresh.ID); got[0] {
		t.Error("still new after reading it")
	}
	f.clock.Advance(time.Minute)
	f.reply(other, fresh.ID, "A reply after the reader read it.")
	if got := newOf(since, fresh.ID, old.ID); !got[0] || got[1] {
		t.Errorf("new fresh,old after a reply = %v, want [true false]", got)
	}
}

// @name of an existing user becomes a link to the profile, as typed, not
// in code or links; unknown names stay text.
func TestMentionLinks(t *testing.T) {
	f := newFixture(t)
	asker := f.user("Alice Smith", RoleMember)
	f.user("李伟", RoleStaff)
	f.age()
	tp := f.topic(asker, "Mention links", "请@李伟看一下, and @Alice_Smith. Not `@李伟`, not [@李伟](/x), not @nobody_here.")
	tv, err := f.s.TopicPage(f.as(asker), tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := tv.Question.HTML
	for _, want := range []string{
		`请` + MentionHref + `%E6%9D%8E%E4%BC%9F">@李伟</a>看一下`,
		MentionHref + `alice_smith">@Alice_Smith</a>.`,
		`<code>@李伟</code>`,
		`@nobody_here`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("post HTML lacks %s:\n%s", want, h)
		}
	}
	if n := strings.Count(h, MentionHref); n != 2 {
		t.Errorf("%d mention links, want 2:\n%s", n, h)
	}
	// A post cannot forge one: the sanitizer drops the class.
	p := f.reply(asker, tp.ID, `<a class="mention" href="/u/x">@x</a> forged`)
	if strings.Contains(p.HTML, `class="mention"`) {
		t.Errorf("forged mention kept: %s", p.HTML)
	}
}
