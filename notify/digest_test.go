package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/mail"
	"github.com/switchboard-rtm/switchboard/notify"
)

// letters records what the mailer queues.
type letters struct {
	mu  sync.Mutex
	got []mail.Letter
}

func (l *letters) Send(_ context.Context, x mail.Letter) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, x)
	return int64(len(l.got)), nil
}

func (l *letters) take() []mail.Letter {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.got
	l.got = nil
	return out
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestDailyDigest(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	st, err := forum.Open(ctx, d, forum.Config{Renderer: content.NewPostRenderer(nil), Now: clk.Now,
		Password: forum.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Seed(ctx, forum.SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	user := func(name, lang string) *forum.User {
		u, err := st.CreateUser(ctx, forum.SignUp{Email: name + "@example.com", Name: name, Password: "correct horse battery", Lang: lang}, forum.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ana, bo := user("Ana", "zh"), user("Bo", "en")
	rec := &letters{}
	m, err := notify.Open(ctx, notify.Config{DB: d, Forum: st, Mail: rec, BaseURL: func() string { return "https://dev.example.com" }, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	as := func(u *forum.User) context.Context { return forum.NewContext(ctx, u) }
	if on, _ := m.Digest(as(ana)); on {
		t.Fatal("a new user has a digest")
	}
	if err := m.SetDigest(as(ana), true); err != nil {
		t.Fatal(err)
	}
	if on, _ := m.Digest(as(ana)); !on {
		t.Fatal("the digest did not stick")
	}
	cats, err := st.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	topic, err := st.CreateTopic(as(ana), forum.NewTopic{CategoryID: cats[0].ID, Title: "Presence after reconnect", Body: "Duplicate joins after resume.", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	if _, err := st.Reply(as(bo), topic.ID, "Same here, @"+ana.Username+"."); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	if _, err := st.Reply(as(bo), topic.ID, "And after every resume."); err != nil {
		t.Fatal(err)
	}
	once := func() []mail.Letter {
		t.Helper()
		if err := m.Once(ctx); err != nil {
			t.Fatal(err)
		}
		return rec.take()
	}
	if got := once(); len(got) != 0 {
		t.Fatalf("digest chosen, yet %d letters went at once: %+v", len(got), got)
	}
	clk.Add(23 * time.Hour)
	if got := once(); len(got) != 0 {
		t.Fatalf("%d letters before a day has passed", len(got))
	}
	clk.Add(time.Hour)
	got := once()
	if len(got) != 1 {
		t.Fatalf("%d letters after a day, want one digest", len(got))
	}
	dg := got[0]
	if dg.Kind != mail.KindForumDigest || dg.To != "Ana@example.com" || dg.Lang != "zh" || dg.Data["Count"] != len(dg.Items) || dg.Unsubscribe == "" {
		t.Fatalf("digest %+v", dg)
	}
	if len(dg.Items) < 2 || !strings.HasPrefix(dg.Items[0].Link, "https://dev.example.com/zh/forum/p/") {
		t.Fatalf("digest items %+v, want the mention and the replies with links", dg.Items)
	}
	kinds := map[string]bool{}
	for _, it := range dg.Items {
		kinds[it.ID] = true
		if it.Data["Topic"] != "Presence after reconnect" || it.Data["Author"] != "Bo" {
			t.Errorf("item %+v", it)
		}
	}
	if !kinds["mail.forum_digest.mention"] || !kinds["mail.forum_digest.reply"] {
		t.Errorf("item kinds %v, want a mention and a reply", kinds)
	}
	if got := once(); len(got) != 0 {
		t.Fatalf("the digest went twice: %+v", got)
	}

	// Bo has no digest: Ana's reply reaches him at once.
	if _, err := st.Reply(as(ana), topic.ID, "Fixed in 1.4, @"+bo.Username+"."); err != nil {
		t.Fatal(err)
	}
	got = once()
	if len(got) == 0 || got[0].To != "Bo@example.com" || got[0].Kind == mail.KindForumDigest {
		t.Fatalf("Bo's letters %+v, want one per notification", got)
	}

	// A new entry waits for the next day; turning the digest off sends
	// what was kept at once.
	if _, err := st.Reply(as(bo), topic.ID, "Thanks!"); err != nil {
		t.Fatal(err)
	}
	if got := once(); len(got) != 0 {
		t.Fatalf("a new entry went before the next day: %+v", got)
	}
	if err := m.SetDigest(as(ana), false); err != nil {
		t.Fatal(err)
	}
	if got := once(); len(got) != 1 || got[0].Kind != mail.KindForumDigest || len(got[0].Items) != 1 {
		t.Fatalf("after turning the digest off: %+v, want the kept entry as a last digest", got)
	}
}
