package content

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

var searchDocs = []Doc{
	{Key: "doc:en/engine/presence", Kind: "doc", Lang: "en", Title: "Presence", URL: "/en/docs/engine/presence",
		Body: "Presence tells you which clients are online in a channel. Join and leave events are published to subscribers."},
	{Key: "doc:en/engine/channels", Kind: "doc", Lang: "en", Title: "Channels", URL: "/en/docs/engine/channels",
		Body: "Subscribe to a channel to receive publications. Enable presence on a namespace to see who is subscribed. History keeps recent messages."},
	{Key: "doc:en/engine/history", Kind: "doc", Lang: "en", Title: "History and recovery", URL: "/en/docs/engine/history",
		Body: "After a reconnect the client recovers missed messages from the channel history, using offsets and epochs."},
	{Key: "doc:en/html", Kind: "doc", Lang: "en", Title: "Embedding", URL: "/en/docs/html",
		Body: "Load the SDK with <script type=\"module\"> & call connect(); it costs 5% of nothing, user_name is fine."},
	{Key: "doc:zh/engine/channels", Kind: "doc", Lang: "zh", Title: "频道", URL: "/zh/docs/engine/channels",
		Body: "订阅一个频道即可收到发布的消息。在命名空间上启用在线状态，就能看到谁订阅了频道。"},
	{Key: "doc:zh/engine/presence", Kind: "doc", Lang: "zh", Title: "在线状态", URL: "/zh/docs/engine/presence",
		Body: "在线状态（presence）告诉你哪些客户端在频道中在线。"},
	{Key: "doc:zh/engine/history", Kind: "doc", Lang: "zh", Title: "历史消息与恢复", URL: "/zh/docs/engine/history",
		Body: "客户端重连后，会根据偏移量从历史中恢复错过的消息。"},
	{Key: "topic:42", Kind: "topic", Lang: "en", Title: "Subscribe returns 403", URL: "/en/forum/t/42",
		Body: "My token has no channel claim, so subscribe fails with permission denied."},
}

func newTestIndex(t testing.TB) *Index {
	t.Helper()
	ctx := context.Background()
	ix, err := NewIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Upsert(ctx, searchDocs...); err != nil {
		t.Fatal(err)
	}
	return ix
}

func urls(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.URL
	}
	return out
}

func TestSearch(t *testing.T) {
	ix := newTestIndex(t)
	cases := []struct {
		name, lang, q string
		want          []string // URLs in order; nil means no results
		anyOrder      bool
	}{
		{name: "English word, title match first", lang: "en", q: "presence",
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "case-insensitive", lang: "en", q: "PRESENCE",
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "title match ranks above more body matches", lang: "en", q: "history",
			want: []string{"/en/docs/engine/history", "/en/docs/engine/channels"}},
		{name: "two-character Chinese word", lang: "zh", q: "频道",
			want: []string{"/zh/docs/engine/channels", "/zh/docs/engine/presence"}},
		{name: "four-character Chinese word", lang: "zh", q: "在线状态",
			want: []string{"/zh/docs/engine/presence", "/zh/docs/engine/channels"}},
		{name: "single Chinese character", lang: "zh", q: "史",
			want: []string{"/zh/docs/engine/history"}},
		{name: "single Latin letter is a substring", lang: "en", q: "q", want: nil},
		{name: "multi-word AND", lang: "en", q: "presence history",
			want: []string{"/en/docs/engine/channels"}},
		{name: "multi-word AND mixing short and long", lang: "zh", q: "频道 订阅",
			want: []string{"/zh/docs/engine/channels"}},
		{name: "English word in a Chinese page", lang: "zh", q: "presence",
			want: []string{"/zh/docs/engine/presence"}},
		{name: "language filter", lang: "en", q: "频道", want: nil},
		{name: "unknown language", lang: "fr", q: "presence", want: nil},
		{name: "substring of a word", lang: "en", q: "subscri", anyOrder: true,
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels", "/en/forum/t/42"}},
		{name: "forum topics are searched too", lang: "en", q: "403", want: []string{"/en/forum/t/42"}},
		{name: "LIKE wildcards are literal", lang: "en", q: "5%", want: []string{"/en/docs/html"}},
		{name: "underscore is literal", lang: "en", q: "r_n", want: []string{"/en/docs/html"}},
		{name: "percent alone matches only a percent", lang: "en", q: "%", want: []string{"/en/docs/html"}},
		{name: "quoted word", lang: "en", q: `"presence"`,
			want: []string{"/en/docs/engine/presence", "/en/docs/engine/channels"}},
		{name: "empty query", lang: "en", q: "   ", want: nil},
		{name: "no match", lang: "en", q: "kubernetes", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := ix.Search(context.Background(), tc.lang, tc.q, 10)
			if err != nil {
				t.Fatalf("Search(%q): %v", tc.q, err)
			}
			got := urls(rs)
			want := tc.want
			if tc.anyOrder {
				slices.Sort(got)
				want = slices.Clone(want)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Search(%s, %q): got %q, want %q", tc.lang, tc.q, got, want)
			}
		})
	}
}

func TestSearchResultFields(t *testing.T) {
	ix := newTestIndex(t)
	rs, err := ix.Search(context.Background(), "en", "403", 10)
	if err != nil || len(rs) != 1 {
		t.Fatalf("got %v, %v; want one result", rs, err)
	}
	want := Result{Title: "Subscribe returns 403", URL: "/en/forum/t/42", Kind: "topic", Snippet: "My token has no channel claim, so subscribe fails with permission denied."}
	if rs[0] != want {
		t.Errorf("got %+v, want %+v", rs[0], want)
	}
	rs, err = ix.Search(context.Background(), "zh", "频道", 10)
	if err != nil || len(rs) == 0 {
		t.Fatalf("got %v, %v; want results", rs, err)
	}
	if !strings.Contains(rs[0].Snippet, "<mark>频道</mark>") {
		t.Errorf("got snippet %q, want 频道 marked", rs[0].Snippet)
	}
}

// Search boxes receive whatever people type. FTS5 query syntax must never
// reach SQLite as syntax: no query may fail.
func TestSearchSyntaxCharacters(t *testing.T) {
	ix := newTestIndex(t)
	queries := []string{
		`"`, `""`, `"presence`, `presence"`, `pre"sence`, `'`, `*`, `presence*`, `pres*`, `^presence`,
		`NEAR(presence channel)`, `NEAR(presence channel, 2)`, `(`, `)`, `(presence`, `presence)`, `()`,
		`AND`, `presence AND channel`, `OR`, `presence OR`, `NOT presence`, `-presence`, `presence -channel`,
		`-`, `+`, `title:presence`, `body:频道`, `{title}: presence`, `:`, `\`, `\\`, `%`, `_`, `%_%`,
		"pres\x00ence", "\x00\x00\x00", `'; DROP TABLE docs; --`, `"; DELETE FROM docs; --`, `频道"`, `"频道*`,
		strings.Repeat("presence ", 50), strings.Repeat("频", 500), "a b c d e f g h i j k l m",
		"\xff\xfe\xfd", "🔔🔔🔔", "ｐｒｅｓｅｎｃｅ",
	}
	for _, q := range queries {
		t.Run(fmt.Sprintf("%q", q), func(t *testing.T) {
			for _, lang := range []string{"en", "zh"} {
				if _, err := ix.Search(context.Background(), lang, q, 10); err != nil {
					t.Errorf("Search(%s, %q): got error %v, want none", lang, q, err)
				}
			}
		})
	}
	// The index survives all of that.
	rs, err := ix.Search(context.Background(), "en", "presence", 10)
	if err != nil || len(rs) != 2 {
		t.Errorf("after hostile queries: got %v, %v; want 2 results", urls(rs), err)
	}
}

func TestSearchUpsertDeleteLimit(t *testing.T) {
	ctx := context.Background()
	ix := newTestIndex(t)
	search := func(lang, q string, limit int) []string {
		t.Helper()
		rs, err := ix.Search(ctx, lang, q, limit)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		return urls(rs)
	}

	t.Run("upsert replaces", func(t *testing.T) {
		d := searchDocs[2]
		d.Body = "Rewritten: epochs are gone, now there are cursors."
		if err := ix.Upsert(ctx, d); err != nil {
			t.Fatal(err)
		}
		if got := search("en", "cursors", 10); !slices.Equal(got, []string{d.URL}) {
			t.Errorf("new text: got %q, want %q", got, []string{d.URL})
		}
		if got := search("en", "offsets", 10); got != nil && slices.Contains(got, d.URL) {
			t.Errorf("old text: got %q, want the page gone", got)
		}
		if got := search("en", "history", 10); len(got) != 2 {
			t.Errorf("got %q, want the page once (title) and channels once", got)
		}
	})

	t.Run("delete removes", func(t *testing.T) {
		if err := ix.Delete(ctx, "topic:42"); err != nil {
			t.Fatal(err)
		}
		if got := search("en", "403", 10); len(got) != 0 {
			t.Errorf("got %q after Delete, want nothing", got)
		}
		if err := ix.Delete(ctx, "topic:nope"); err != nil {
			t.Errorf("deleting an unknown key: got %v, want nil", err)
		}
	})

	t.Run("limit", func(t *testing.T) {
		var many []Doc
		for i := range MaxResults + 10 {
			many = append(many, Doc{Key: fmt.Sprintf("topic:%d", 1000+i), Kind: "topic", Lang: "en",
				Title: fmt.Sprintf("Question %d", i), Body: "websocket reconnect loop", URL: fmt.Sprintf("/en/forum/t/%d", 1000+i)})
		}
		if err := ix.Upsert(ctx, many...); err != nil {
			t.Fatal(err)
		}
		cases := []struct{ limit, want int }{{1, 1}, {3, 3}, {0, MaxResults}, {-1, MaxResults}, {1000, MaxResults}}
		for _, tc := range cases {
			for _, q := range []string{"websocket", "we"} { // FTS and short-query paths
				if got := search("en", q, tc.limit); len(got) != tc.want {
					t.Errorf("Search(%q, limit %d): got %d results, want %d", q, tc.limit, len(got), tc.want)
				}
			}
		}
	})
}

func TestIndexSite(t *testing.T) {
	ctx := context.Background()
	s := loadTestTree(t)
	ix, err := NewIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.IndexSite(ctx, s); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ lang, q, want string }{
		{"en", "online", "/en/docs/engine/presence"},
		{"zh", "订阅", "/zh/docs/engine/channels"},
		// An untranslated page is found in English under its Chinese URL.
		{"zh", "online", "/zh/docs/engine/presence"},
	}
	for _, tc := range cases {
		rs, err := ix.Search(ctx, tc.lang, tc.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := urls(rs); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("Search(%s, %q): got %q, want %q", tc.lang, tc.q, got, []string{tc.want})
		}
	}
	// Indexing again replaces rather than duplicates.
	if err := ix.IndexSite(ctx, s); err != nil {
		t.Fatal(err)
	}
	if rs, _ := ix.Search(ctx, "en", "online", 10); len(rs) != 1 {
		t.Errorf("after indexing twice: got %d results, want 1", len(rs))
	}
}

func TestTerms(t *testing.T) {
	cases := []struct {
		q    string
		want []string
	}{
		{"  Presence   Channel ", []string{"presence", "channel"}},
		{`"presence" 'channel'`, []string{"presence", "channel"}},
		{"频道 频道 FREQ freq", []string{"频道", "freq"}},
		{`" '`, nil},
		{"pres\x00ence\tchan\x01nel", []string{"pres", "ence", "chan", "nel"}},
		{"a b c d e f g h i j", []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{strings.Repeat("x", MaxQueryRunes+50), []string{strings.Repeat("x", MaxQueryRunes)}},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			if got := Terms(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("Terms(%q): got %q, want %q", tc.q, got, tc.want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("lorem ipsum ", 30)
	cases := []struct {
		name, body string
		terms      []string
		want       string
	}{
		{"escapes HTML and marks", `Load <script src="x"> & call connect().`, []string{"connect"},
			`Load &lt;script src=&#34;x&#34;&gt; &amp; call <mark>connect</mark>().`},
		{"marks every occurrence, keeping the text's case", "Presence: presence events.", []string{"presence"},
			"<mark>Presence</mark>: <mark>presence</mark> events."},
		{"longest term wins", "channels", []string{"chan", "channels"}, "<mark>channels</mark>"},
		{"Chinese", "订阅一个频道即可。", []string{"频道"}, "订阅一个<mark>频道</mark>即可。"},
		{"non-ASCII case", "Über ÜBER über", []string{"über"}, "<mark>Über</mark> <mark>ÜBER</mark> <mark>über</mark>"},
		{"Greek and Cyrillic", "ΣΥΝΔΕΣΗ и КАНАЛ", []string{"σύνδεση", "канал"}, "ΣΥΝΔΕΣΗ и <mark>КАНАЛ</mark>"},
		{"markup inside a match is escaped", "a <b> c", []string{"<b>"}, "a <mark>&lt;b&gt;</mark> c"},
		{"whitespace collapsed", "one\n\n  two\tthree", []string{"two"}, "one <mark>two</mark> three"},
		{"no match shows the start", "short body", []string{"zzz"}, "short body"},
		// 60 characters before the match, 160 in all.
		{"cut around a late match", long + "needle " + long, []string{"needle"},
			"…" + long[300:] + "<mark>needle</mark> " + long[:93] + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Snippet(tc.body, tc.terms); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzSearch checks that no query, however odd, makes Search fail or panic,
// and that results stay within the limit and the language.
func FuzzSearch(f *testing.F) {
	ix := newTestIndex(f)
	for _, q := range []string{"presence", "频道", "史", `"`, `NEAR(a b)`, "a*", "-x", "(", "AND OR NOT", "%_", "\x00", "title:x"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, lang := range []string{"en", "zh"} {
			rs, err := ix.Search(context.Background(), lang, q, 5)
			if err != nil {
				t.Fatalf("Search(%s, %q): %v", lang, q, err)
			}
			if len(rs) > 5 {
				t.Fatalf("Search(%s, %q): got %d results, want at most 5", lang, q, len(rs))
			}
			for _, r := range rs {
				if !strings.HasPrefix(r.URL, "/"+lang+"/") {
					t.Fatalf("Search(%s, %q): got %s from another language", lang, q, r.URL)
				}
				if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(r.Snippet, "<mark>", ""), "</mark>", ""), "<") {
					t.Fatalf("Search(%s, %q): got snippet %q with unescaped markup", lang, q, r.Snippet)
				}
			}
		}
	})
}

// The portal searches while the forum upserts and deletes topics.
func TestSearchConcurrentWithWrites(t *testing.T) {
	ctx := context.Background()
	ix := newTestIndex(t)
	done := make(chan struct{})
	errs := make(chan error, 4)
	go func() {
		defer close(done)
		for i := range 30 {
			d := Doc{Key: "topic:churn", Kind: "topic", Lang: "en", Title: "Presence churn", URL: "/en/forum/t/churn",
				Body: fmt.Sprintf("presence revision %d", i)}
			if err := ix.Upsert(ctx, d); err != nil {
				errs <- err
				return
			}
			if i%3 == 0 {
				if err := ix.Delete(ctx, d.Key); err != nil {
					errs <- err
					return
				}
			}
		}
	}()
	for _, q := range []string{"presence", "pres", "presence revision"} {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := ix.Search(ctx, "en", q, 10); err != nil {
					errs <- fmt.Errorf("Search(%q) during writes: %w", q, err)
					return
				}
			}
		}()
	}
	<-done
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
