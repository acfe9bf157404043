package forum

import (
	"strings"
	"testing"
)

func TestSeed(t *testing.T) {
	f := newFixture(t) // seeds the categories
	cats, _ := f.s.Categories(f.ctx)
	if len(cats) != 6 || cats[0].Slug != CategoryGettingStarted || cats[0].Name(LangZH) != "入门" || !f.cats[CategoryAnnouncements].StaffOnly {
		t.Fatalf("categories %+v", cats)
	}
	// Admins' edits survive re-seeding.
	admin := f.user("admin", RoleAdmin)
	in := CategoryInput{Slug: CategoryGoSDK, NameEN: "Go SDK and server", NameZH: "Go SDK 与服务端", Position: 30}
	if _, err := f.s.UpdateCategory(f.as(admin), f.cats[CategoryGoSDK].ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.UpdateCategory(f.as(f.user("member", RoleMember)), f.cats[CategoryGoSDK].ID, in); err == nil {
		t.Fatal("a member edited a category")
	}
	for i := 0; i < 2; i++ {
		if err := f.s.Seed(f.ctx, SeedOptions{Demo: true}); err != nil {
			t.Fatal(err)
		}
	}
	cats, _ = f.s.Categories(f.ctx)
	if len(cats) != 6 || cats[2].NameEN != "Go SDK and server" {
		t.Fatalf("after re-seeding: %d categories, %q", len(cats), cats[2].NameEN)
	}

	// Demo content: written once, in both languages, with an accepted
	// official answer and an unanswered question.
	all, err := f.s.ListTopics(f.ctx, TopicFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != len(demoTopics) {
		t.Fatalf("%d topics after seeding twice, want %d", all.Total, len(demoTopics))
	}
	if !all.Topics[0].Pinned {
		t.Error("the welcome announcement is not pinned first")
	}
	zh, _ := f.s.ListTopics(f.ctx, TopicFilter{Lang: LangZH})
	unanswered, _ := f.s.ListTopics(f.ctx, TopicFilter{Kind: ListUnanswered})
	solved, _ := f.s.ListTopics(f.ctx, TopicFilter{Kind: ListSolved})
	if zh.Total < 3 || unanswered.Total < 1 || solved.Total < 3 {
		t.Errorf("zh %d unanswered %d solved %d", zh.Total, unanswered.Total, solved.Total)
	}
	official := 0
	for _, tp := range solved.Topics {
		v, err := f.s.TopicPage(f.ctx, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Accepted.Official() {
			official++
		}
		if !v.Topic.CreatedAt.Before(v.Accepted.CreatedAt) {
			t.Errorf("%q: answer not after the question", tp.Title)
		}
	}
	if official != solved.Total {
		t.Errorf("%d of %d accepted answers are official", official, solved.Total)
	}
	res, err := f.s.Search(f.ctx, SearchQuery{Text: "频道"})
	if err != nil || res.Total == 0 {
		t.Errorf("search 频道 in the demo: %v %v", res, err)
	}
	// Demo code blocks are highlighted.
	for _, tp := range solved.Topics {
		if tp.Lang == LangZH && tp.Tags[0] == "jwt" {
			v, _ := f.s.TopicPage(f.ctx, tp.ID)
			if v.Accepted == nil || !containsAll(v.Accepted.HTML, `class="chroma"`, "SigningMethodHS256") {
				t.Errorf("JWT answer HTML %q", v.Accepted.HTML)
			}
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
