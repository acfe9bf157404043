package forum

import (
	"slices"
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
		name    string
		q       SearchQuery
		want    []int64 // in order
		partial bool
		mark    string
	}{
		{"two-character Chinese word", SearchQuery{Text: "频道"}, []int64{zh.ID}, false, "<mark>频道</mark>"},
		{"Chinese title word", SearchQuery{Text: "订阅"}, []int64{zh.ID}, false, ""},
		{"Chinese phrase, segmented", SearchQuery{Text: "后端生成"}, []int64{zh.ID}, false, "<mark>后端</mark><mark>生成</mark>"},
		{"Traditional characters", SearchQuery{Text: "頻道"}, []int64{zh.ID}, false, "<mark>频道</mark>"},
		{"one character", SearchQuery{Text: "频"}, []int64{zh.ID}, false, ""},
		{"English, case-insensitive", SearchQuery{Text: "PRESENCE"}, []int64{en.ID}, false, ""},
		{"stemmed title word", SearchQuery{Text: "arriving"}, []int64{en.ID}, false, ""},
		{"stemmed body word", SearchQuery{Text: "subscriber"}, []int64{en.ID}, false, "<mark>subscribers</mark>"},
		{"term in a reply", SearchQuery{Text: "epoch"}, []int64{recov.ID}, false, "<mark>epoch</mark>"},
		{"some of the words", SearchQuery{Text: "presence epoch"}, []int64{en.ID, recov.ID}, true, ""},
		{"mixed Chinese words", SearchQuery{Text: "频道 令牌"}, []int64{zh.ID}, false, ""},
		{"language filter", SearchQuery{Text: "频道", Lang: LangEN}, nil, false, ""},
		{"category filter", SearchQuery{Text: "频道", CategoryID: f.cats[CategoryGoSDK].ID + 1000}, nil, false, ""},
		{"FTS syntax is literal", SearchQuery{Text: `epoch AND "offset* NEAR(abc) title:xyz`}, []int64{recov.ID}, true, ""},
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
			if !slices.Equal(got, tt.want) || res.Total != len(tt.want) {
				t.Fatalf("got %v (total %d), want %v", got, res.Total, tt.want)
			}
			if res.Partial != tt.partial {
				t.Errorf("partial %v, want %v", res.Partial, tt.partial)
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

// Search boxes receive whatever people type: hostile queries answer with
// hits or an ErrInvalid error, and snippets carry no markup but <mark>.
// (The parser itself is fuzzed in the search package.)
func TestSearchHostile(t *testing.T) {
	fx := newFixture(t)
	u := fx.user("hostile", RoleMember)
	fx.age()
	if _, err := fx.s.CreateTopic(fx.as(u), NewTopic{CategoryID: fx.cats[CategoryGoSDK].ID, Title: "频道 presence <b>", Body: "订阅 history \"quoted\" & more", Lang: LangZH}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"频道", "presence", `"a" OR b*`, "NEAR(a b)", "a:b", "%_\\", "-x", "\x00", "^", "col:title", "<b>", "频道 <b>"} {
		res, err := fx.s.Search(fx.ctx, SearchQuery{Text: q})
		if err != nil {
			wantErr(t, err, ErrInvalid)
			continue
		}
		for _, h := range res.Hits {
			rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.SnippetHTML)
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("%q: snippet %q carries markup", q, h.SnippetHTML)
			}
		}
	}
}
