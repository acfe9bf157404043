package forum

import (
	"testing"
)

func TestFlagsHideAndReview(t *testing.T) {
	f := newFixture(t)
	spammer := f.user("spammer", RoleMember)
	asker := f.user("asker", RoleMember)
	mod := f.user("mod", RoleModerator)
	var flaggers []*User
	for _, n := range []string{"f1", "f2", "f3"} {
		flaggers = append(flaggers, f.user(n, RoleMember))
	}
	f.age()
	tp := f.topic(asker, "Real question", "How do channels work?")
	spam := f.reply(spammer, tp.ID, "Buy cheap watches")

	wantErr(t, f.s.FlagPost(f.as(spammer), spam.ID, FlagSpam, ""), ErrForbidden)
	wantErr(t, f.s.FlagPost(f.as(flaggers[0]), spam.ID, FlagOther, " "), ErrInvalid)
	wantErr(t, f.s.FlagPost(f.as(flaggers[0]), spam.ID, "rude", ""), ErrInvalid)
	for i, u := range flaggers[:2] {
		if err := f.s.FlagPost(f.as(u), spam.ID, FlagSpam, ""); err != nil {
			t.Fatalf("flag %d: %v", i, err)
		}
	}
	wantErr(t, f.s.FlagPost(f.as(flaggers[0]), spam.ID, FlagSpam, ""), ErrConflict)
	v, _ := f.s.TopicPage(f.ctx, tp.ID)
	if v.Replies[0].Hidden {
		t.Fatal("hidden after two flags; the threshold is three distinct users")
	}
	if err := f.s.FlagPost(f.as(flaggers[2]), spam.ID, FlagInappropriate, "ads"); err != nil {
		t.Fatal(err)
	}
	v, _ = f.s.TopicPage(f.ctx, tp.ID)
	if !v.Replies[0].Hidden || !v.Replies[0].Redacted || v.Topic.ReplyCount != 0 {
		t.Fatalf("after three flags: hidden %v redacted %v replies %d", v.Replies[0].Hidden, v.Replies[0].Redacted, v.Topic.ReplyCount)
	}
	v, _ = f.s.TopicPage(f.as(spammer), tp.ID)
	if v.Replies[0].Redacted {
		t.Error("the author cannot see their own hidden post")
	}

	_, err := f.s.FlagQueue(f.as(asker), 10)
	wantErr(t, err, ErrForbidden)
	q, err := f.s.FlagQueue(f.as(mod), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].Post.ID != spam.ID || len(q[0].Flags) != 3 || q[0].TopicTitle != "Real question" || q[0].Flags[2].Note != "ads" {
		t.Fatalf("queue %+v", q)
	}

	// Keep: the post is shown again and the flags are closed.
	if err := f.s.ReviewFlags(f.as(mod), spam.ID, VerdictKeep); err != nil {
		t.Fatal(err)
	}
	v, _ = f.s.TopicPage(f.ctx, tp.ID)
	if v.Replies[0].Hidden || v.Topic.ReplyCount != 1 {
		t.Fatal("kept post still hidden")
	}
	if q, _ := f.s.FlagQueue(f.as(mod), 10); len(q) != 0 {
		t.Fatalf("queue after review: %d entries", len(q))
	}
	wantErr(t, f.s.ReviewFlags(f.as(mod), spam.ID, VerdictKeep), ErrNotFound)

	// The same users may flag again after a review; remove deletes it.
	if err := f.s.FlagPost(f.as(flaggers[0]), spam.ID, FlagSpam, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReviewFlags(f.as(mod), spam.ID, VerdictRemove); err != nil {
		t.Fatal(err)
	}
	v, _ = f.s.TopicPage(f.ctx, tp.ID)
	if !v.Replies[0].Deleted() || v.Topic.ReplyCount != 0 {
		t.Fatal("removed post not deleted")
	}
}

func TestFlaggedQuestionHidesTopic(t *testing.T) {
	f := newFixture(t)
	spammer := f.user("spammer", RoleMember)
	var fl []*User
	for _, n := range []string{"a1", "a2", "a3"} {
		fl = append(fl, f.user(n, RoleMember))
	}
	f.age()
	tp := f.topic(spammer, "Cheap watches here", "Buy now, 频道 discount")
	v, _ := f.s.TopicPage(f.ctx, tp.ID)
	for _, u := range fl {
		if err := f.s.FlagPost(f.as(u), v.Question.ID, FlagSpam, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.TopicPage(f.ctx, tp.ID); err == nil {
		t.Error("a hidden topic is readable by anonymous visitors")
	}
	if l, _ := f.s.ListTopics(f.ctx, TopicFilter{}); l.Total != 0 {
		t.Error("a hidden topic is listed")
	}
	if res, _ := f.s.Search(f.ctx, SearchQuery{Text: "频道"}); res.Total != 0 {
		t.Error("a hidden topic is found by search")
	}
	if _, err := f.s.TopicPage(f.as(spammer), tp.ID); err != nil {
		t.Errorf("the asker cannot see their hidden topic: %v", err)
	}
}
