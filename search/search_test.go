package search

import (
	"context"
	"slices"
	"strings"
	"testing"
)

var testDocs = []Doc{
	{Key: "doc:en/engine/presence", Kind: KindDoc, Lang: "en", Title: "Presence", URL: "/en/docs/engine/presence",
		Description: "Who is online in a channel.",
		Body:        "Presence tells you which clients are online in a channel. Join and leave events are published to subscribers."},
	{Key: "doc:en/engine/channels", Kind: KindDoc, Lang: "en", Title: "Channels", URL: "/en/docs/engine/channels",
		Headings: []string{"Namespaces", "Unsubscribing"},
		Body:     "Subscribe to a channel to receive publications. Enable presence on a namespace to see who is subscribed. History keeps recent messages."},
	{Key: "doc:en/engine/history", Kind: KindDoc, Lang: "en", Title: "History and recovery", URL: "/en/docs/engine/history",
		Body: "After a reconnect the client recovers missed messages from the channel history, using offsets and epochs."},
	{Key: "doc:en/html", Kind: KindDoc, Lang: "en", Title: "Embedding", URL: "/en/docs/html",
		Body: "Load the SDK with <script type=\"module\"> & call connect(); it costs 5% of nothing, user_name is fine."},
	{Key: "doc:zh/engine/channels", Kind: KindDoc, Lang: "zh", Title: "频道", URL: "/zh/docs/engine/channels",
		Body: "订阅一个频道即可收到发布的消息。在命名空间上启用在线状态，就能看到谁订阅了频道。"},
	{Key: "doc:zh/engine/presence", Kind: KindDoc, Lang: "zh", Title: "在线状态", URL: "/zh/docs/engine/presence",
		Body: "在线状态（presence）告诉你哪些客户端在频道中在线。"},
	{Key: "doc:zh/engine/history", Kind: KindDoc, Lang: "zh", Title: "历史消息与恢复", URL: "/zh/docs/engine/history",
		Body: "客户端断线后会自动重连，并根据偏移量从历史中恢复错过的消息。"},
	{Key: "topic:42", Kind: KindTopic, Lang: "en", Title: "Subscribe returns 403", URL: "/en/forum/t/42", Group: 7,
		Body: "My token has no channel claim, so subscribe fails with permission denied."},
	{Key: "topic:43", Kind: KindTopic, Lang: "zh", Title: "频道", URL: "/zh/forum/t/43", Group: 7,
		Body: "频道是什么？"},
}

func newTestIndex(t testing.TB) *Index {
	t.Helper()
	ctx := context.Background()
	ix, err := NewMemory(ctx, []string{"en", "zh"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Upsert(ctx, testDocs...); err != nil {
		t.Fatal(err)
	}
	return ix
}

func urls(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.URL
	}
	return out
}

func TestSearch(t *testing.T) {
	ix := newTestIndex(t)
	cases := []struct {
		name, lang, q string
		want          []string // URLs in order; nil means no results
		partial       bool
		suggestion    string
	}{
		{name: "English word, title match first", lang: "en", q: "presence ",
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "case-insensitive", lang: "en", q: "PRESENCE ",
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "stemming", lang: "en", q: "reconnecting ", want: []string{"/en/docs/engine/history"}},
		{name: "synonym", lang: "en", q: "recovery ", want: []string{"/en/docs/engine/history"}},
		{name: "prefix as you type", lang: "en", q: "recon", want: []string{"/en/docs/engine/history"}},
		{name: "heading", lang: "en", q: "namespaces ", want: []string{"/en/docs/engine/channels"}},
		{name: "typo", lang: "en", q: "presnce ", suggestion: "presence",
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "two-character Chinese word, docs above forum", lang: "zh", q: "频道",
			want: []string{"/zh/docs/engine/channels", "/zh/forum/t/43", "/zh/docs/engine/presence"}},
		{name: "Traditional characters", lang: "zh", q: "頻道",
			want: []string{"/zh/docs/engine/channels", "/zh/forum/t/43", "/zh/docs/engine/presence"}},
		{name: "segmented Chinese", lang: "zh", q: "断线重连", want: []string{"/zh/docs/engine/history"}},
		{name: "single Chinese character", lang: "zh", q: "史", want: []string{"/zh/docs/engine/history"}},
		{name: "pinyin of a title", lang: "zh", q: "pindao ", want: []string{"/zh/docs/engine/channels", "/zh/forum/t/43"}},
		{name: "any-term fallback", lang: "en", q: "presence kubernetes ", partial: true,
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "English word in a Chinese page", lang: "zh", q: "presence ", want: []string{"/zh/docs/engine/presence"}},
		{name: "language filter", lang: "en", q: "频道", want: nil},
		{name: "unknown language", lang: "fr", q: "presence", want: nil},
		{name: "forum topics are searched too", lang: "en", q: "403", want: []string{"/en/forum/t/42"}},
		{name: "quoted word", lang: "en", q: `"presence"`,
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "stopwords are optional", lang: "en", q: "how do I reconnect ", want: []string{"/en/docs/engine/history"}},
		{name: "empty query", lang: "en", q: "   ", want: nil},
		{name: "no match", lang: "en", q: "kubernetes", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Request{Text: tc.q, Lang: tc.lang, Limit: 10})
			if err != nil {
				t.Fatalf("Search(%q): %v", tc.q, err)
			}
			if got := urls(res.Hits); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%s, %q): got %q, want %q", tc.lang, tc.q, got, tc.want)
			}
			if res.Partial != tc.partial {
				t.Errorf("partial %v, want %v", res.Partial, tc.partial)
			}
			if res.Suggestion != tc.suggestion {
				t.Errorf("suggestion %q, want %q", res.Suggestion, tc.suggestion)
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	ix := newTestIndex(t)
	ctx := context.Background()
	res, err := ix.Search(ctx, Request{Text: "频道", Kind: KindTopic, Group: 7})
	if err != nil || !slices.Equal(urls(res.Hits), []string{"/zh/forum/t/43"}) {
		t.Fatalf("kind and group: %v, %v", urls(res.Hits), err)
	}
	if res, _ := ix.Search(ctx, Request{Text: "频道", Group: 8}); len(res.Hits) != 0 {
		t.Errorf("group 8: %v", urls(res.Hits))
	}
	if err := ix.Delete(ctx, "topic:43"); err != nil {
		t.Fatal(err)
	}
	if res, _ := ix.Search(ctx, Request{Text: "频道", Kind: KindTopic}); len(res.Hits) != 0 {
		t.Errorf("after delete: %v", urls(res.Hits))
	}
}

// Search boxes receive whatever people type. FTS5 query syntax must never
// reach SQLite as syntax.
func TestSearchHostile(t *testing.T) {
	ix := newTestIndex(t)
	for _, q := range []string{`"`, `""`, `'`, `%`, `_`, `\`, `*`, `NEAR(a b)`, `a OR b`, `-x`, `presence"`, `) AND (`,
		`^`, `:`, `title:x`, "tags:kdoc", "\x00", "\xff\xfe", strings.Repeat("频道", 500), strings.Repeat("a ", 500), strings.Repeat("%_", 100)} {
		for _, lang := range []string{"en", "zh", ""} {
			if _, err := ix.Search(context.Background(), Request{Text: q, Lang: lang}); err != nil {
				t.Errorf("Search(%.40q): %v", q, err)
			}
		}
	}
}

func TestSnippetMarksAndEscapes(t *testing.T) {
	got := Snippet(`<b>x</b> 頻道 & "q" reconnecting`, Parse("频道 reconnect "))
	for _, want := range []string{"&lt;b&gt;", "<mark>頻道</mark>", "&amp;", "<mark>reconnecting</mark>"} {
		if !strings.Contains(got, want) {
			t.Errorf("snippet %q lacks %q", got, want)
		}
	}
}

// At equal relevance a topic with an accepted answer ranks above an
// unanswered one, whichever is newer.
func TestSearchAnsweredFirst(t *testing.T) {
	ctx := context.Background()
	ix, err := NewMemory(ctx, []string{"en"})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	same := Doc{Kind: KindTopic, Lang: "en", Title: "Webhook retries", Body: "How often are webhooks retried?"}
	open, solved := same, same
	open.Key, open.URL, open.Time = "topic:1", "/en/forum/t/1", 200
	solved.Key, solved.URL, solved.Time, solved.Answered = "topic:2", "/en/forum/t/2", 100, true
	if err := ix.Upsert(ctx, open, solved); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, Request{Text: "webhook retries"})
	if err != nil {
		t.Fatal(err)
	}
	if got := urls(res.Hits); !slices.Equal(got, []string{"/en/forum/t/2", "/en/forum/t/1"}) {
		t.Errorf("got %v, want the answered topic first", got)
	}
}
