package forum

import (
	"strings"
	"testing"
)

func TestSearch(t *testing.T) {
	f := newFixture(t)
	a := f.user("asker", RoleMember)
	staff := f.user("staff", RoleStaff)
	f.age()
	mk := func(lang, title, body string) *Topic {
		t.Helper()
		tp, err := f.s.CreateTopic(f.as(a), NewTopic{CategoryID: f.cats[CategoryGoSDK].ID, Title: title, Body: body, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(20e9)
		return tp
	}
	zh := mk(LangZH, "订阅失败怎么办", "我订阅频道的时候一直报错，令牌是后端生成的。")
	en := mk(LangEN, "Presence events arrive late", "Join events reach other subscribers after a few seconds.")
	recov := mk(LangEN, "Recovery after reconnect", "Does the client recover missed messages?")
	gone := mk(LangEN, "Deleted presence question", "presence presence presence")
	f.reply(staff, recov.ID, "Yes: history and recovery with the last offset and epoch.")
	q, _ := f.s.TopicPage(f.as(a), gone.ID)
	if err := f.s.DeletePost(f.as(a), q.Question.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		q         SearchQuery
		want      []int64
		substring bool
		mark      string
	}{
		{"two-character Chinese word", SearchQuery{Text: "频道"}, []int64{zh.ID}, true, "<mark>频道</mark>"},
		{"Chinese title word", SearchQuery{Text: "订阅"}, []int64{zh.ID}, true, ""},
		{"longer Chinese word (trigram)", SearchQuery{Text: "后端生成"}, []int64{zh.ID}, false, "<mark>后端生成</mark>"},
		{"one character", SearchQuery{Text: "频"}, []int64{zh.ID}, true, ""},
		{"English, case-insensitive", SearchQuery{Text: "PRESENCE"}, []int64{en.ID}, false, "<mark>Presence</mark>"},
		{"term in a reply", SearchQuery{Text: "epoch"}, []int64{recov.ID}, false, "<mark>epoch</mark>"},
		{"all terms must match", SearchQuery{Text: "presence recover"}, nil, false, ""},
		{"mixed short and long terms", SearchQuery{Text: "频道 令牌"}, []int64{zh.ID}, true, ""},
		{"language filter", SearchQuery{Text: "频道", Lang: LangEN}, nil, true, ""},
		{"FTS syntax is literal", SearchQuery{Text: `presence AND "recover* NEAR(abc) title:xyz`}, nil, false, ""},
		{"short FTS keyword falls back", SearchQuery{Text: `presence OR recover`}, nil, true, ""},
		{"deleted topics are not found", SearchQuery{Text: "deleted"}, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := f.s.Search(f.ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, h := range res.Hits {
				got = append(got, h.Topic.ID)
			}
			if len(got) != len(tt.want) || len(got) > 0 && got[0] != tt.want[0] || res.Total != len(tt.want) {
				t.Fatalf("got %v (total %d), want %v", got, res.Total, tt.want)
			}
			if res.Substring != tt.substring {
				t.Errorf("substring fallback %v, want %v", res.Substring, tt.substring)
			}
			if tt.mark != "" && !strings.Contains(res.Hits[0].SnippetHTML, tt.mark) {
				t.Errorf("snippet %q lacks %q", res.Hits[0].SnippetHTML, tt.mark)
			}
		})
	}
	// Title matches outrank body matches.
	mk(LangEN, "Tokens expire too soon", "my question")
	mk(LangEN, "Another question", "something about tokens in the body")
	res, err := f.s.Search(f.ctx, SearchQuery{Text: "tokens"})
	if err != nil || len(res.Hits) != 2 || res.Hits[0].Topic.Title != "Tokens expire too soon" || res.Hits[0].Rank <= res.Hits[1].Rank {
		t.Fatalf("ranking: %+v %v", res, err)
	}
	for _, bad := range []string{"", "   ", "!!!", strings.Repeat("x", SearchMaxLen+1)} {
		if _, err := f.s.Search(f.ctx, SearchQuery{Text: bad}); err == nil {
			t.Errorf("query %q: got nil error", bad)
		} else {
			wantErr(t, err, ErrInvalid)
		}
	}
}

func TestSnippetEscapes(t *testing.T) {
	got := markSnippet(substringSnippet(`<b>x</b> 频道 & "q"`, []string{"频道"}, 40))
	if strings.Contains(got, "<b>") || !strings.Contains(got, "<mark>频道</mark>") || !strings.Contains(got, "&amp;") {
		t.Errorf("snippet %q", got)
	}
}

// FuzzSearch feeds arbitrary queries to the search: it must answer with
// hits or an ErrInvalid error, never a database error or a panic, and its
// snippets must never carry markup other than <mark>.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"频道", "presence", `"a" OR b*`, "NEAR(a b)", "a:b", "%_\\", "-x", "\x00", "^", "col:title"} {
		f.Add(s)
	}
	fx := newFixture(f)
	u := fx.user("fuzz", RoleMember)
	fx.age()
	if _, err := fx.s.CreateTopic(fx.as(u), NewTopic{CategoryID: fx.cats[CategoryGoSDK].ID, Title: "频道 presence <b>", Body: "订阅 history \"quoted\" & more", Lang: LangZH}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		res, err := fx.s.Search(fx.ctx, SearchQuery{Text: q})
		if err != nil {
			wantErr(t, err, ErrInvalid)
			return
		}
		for _, h := range res.Hits {
			rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.SnippetHTML)
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("snippet %q carries markup", h.SnippetHTML)
			}
		}
	})
}
