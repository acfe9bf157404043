package forum

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
)

// testRenderer stands in for the docs renderer: GFM with chroma classes,
// and raw HTML passed through (the worst case), so that the forum's
// sanitizer is the only line of defence in these tests.
type testRenderer struct{ md goldmark.Markdown }

func newTestRenderer() *testRenderer {
	return &testRenderer{md: goldmark.New(
		goldmark.WithExtensions(extension.GFM,
			highlighting.NewHighlighting(highlighting.WithFormatOptions(chromahtml.WithClasses(true)))),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)}
}

func (r *testRenderer) Render(src []byte) ([]byte, error) {
	var b bytes.Buffer
	err := r.md.Convert(src, &b)
	return b.Bytes(), err
}

// testClock is an injected clock that only moves when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cheapPasswords keeps argon2 fast in tests; TestPasswordDefaults covers
// the production parameters.
var cheapPasswords = PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

type fixture struct {
	t     testing.TB
	s     *Store
	clock *testClock
	ctx   context.Context
	cats  map[string]*Category
	n     int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureConfig(t, Config{})
}

func newFixtureConfig(t testing.TB, cfg Config) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	if cfg.Renderer == nil {
		cfg.Renderer = newTestRenderer()
	}
	if cfg.Password == (PasswordParams{}) {
		cfg.Password = cheapPasswords
	}
	cfg.Now = clock.Now
	s, err := Open(ctx, d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(ctx, SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, s: s, clock: clock, ctx: ctx, cats: map[string]*Category{}}
	cats, err := s.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		f.cats[c.Slug] = c
	}
	return f
}

// user creates an account with a role. Accounts are created "old" (the
// clock is moved a day and a bit forward) unless fresh is true, so the
// new-account limits stay out of tests about other things.
func (f *fixture) user(name string, role Role) *User {
	f.t.Helper()
	local := strings.ReplaceAll(name, " ", ".")
	for _, r := range local {
		if r > 127 { // keep e-mails ASCII; the display name keeps the script
			f.n++
			local = fmt.Sprintf("user%d", f.n)
			break
		}
	}
	u, err := f.s.CreateUser(f.ctx, SignUp{Email: local + "@example.com", Name: name, Password: "correct horse battery"}, role)
	if err != nil {
		f.t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// as returns a context signed in as u.
func (f *fixture) as(u *User) context.Context { return NewContext(f.ctx, u) }

// age moves the clock past the new-account period and the posting
// intervals.
func (f *fixture) age() { f.clock.Advance(25 * time.Hour) }

func (f *fixture) topic(u *User, title, body string) *Topic {
	f.t.Helper()
	t, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: f.cats[CategoryGettingStarted].ID, Title: title, Body: body, Lang: LangEN})
	if err != nil {
		f.t.Fatalf("create topic %q: %v", title, err)
	}
	f.clock.Advance(time.Minute)
	return t
}

func (f *fixture) reply(u *User, topicID int64, body string) *Post {
	f.t.Helper()
	p, err := f.s.Reply(f.as(u), topicID, body)
	if err != nil {
		f.t.Fatalf("reply: %v", err)
	}
	f.clock.Advance(time.Minute)
	return p
}

// wantErr fails unless err wraps kind, and returns the *Error.
func wantErr(t testing.TB, err, kind error) *Error {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
	return AsError(err)
}
