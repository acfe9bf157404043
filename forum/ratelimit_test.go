package forum

import (
	"testing"
	"time"
)

func TestTopicAndReplyIntervals(t *testing.T) {
	f := newFixture(t)
	u := f.user("asker", RoleMember)
	f.age()
	cat := f.cats[CategoryGoSDK].ID
	if _, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "First question", Body: "Some body text", Lang: LangEN}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(4 * time.Second)
	_, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Second question", Body: "Some body text", Lang: LangEN})
	e := wantErr(t, err, ErrRateLimited)
	if e.MessageID() != "forum.error.topic_too_soon" || e.RetryAfter() != 11*time.Second || e.Data["Seconds"] != 11 {
		t.Fatalf("got %s after %s (%v), want topic_too_soon after 11s", e.MessageID(), e.RetryAfter(), e.Data)
	}
	f.clock.Advance(11 * time.Second)
	t2, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Second question", Body: "Some body text", Lang: LangEN})
	if err != nil {
		t.Fatalf("after 15 s: %v", err)
	}
	if _, err := f.s.Reply(f.as(u), t2.ID, "A first reply"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Second)
	_, err = f.s.Reply(f.as(u), t2.ID, "A second reply")
	if e := wantErr(t, err, ErrRateLimited); e.MessageID() != "forum.error.reply_too_soon" || e.RetryAfter() != 2*time.Second {
		t.Fatalf("got %s after %s, want reply_too_soon after 2s", e.MessageID(), e.RetryAfter())
	}
	f.clock.Advance(2 * time.Second)
	if _, err := f.s.Reply(f.as(u), t2.ID, "A second reply"); err != nil {
		t.Fatalf("after 5 s: %v", err)
	}
	// Staff are exempt.
	staff := f.user("staff", RoleStaff)
	for i := 0; i < 3; i++ {
		if _, err := f.s.Reply(f.as(staff), t2.ID, "Official answer number"); err != nil {
			t.Fatalf("staff reply %d: %v", i, err)
		}
	}
}

func TestNewAccountLimits(t *testing.T) {
	f := newFixture(t)
	u := f.user("newbie", RoleMember)
	created := f.clock.Now()
	cat := f.cats[CategoryGettingStarted].ID
	three := "See https://a.example, https://b.example and https://c.example"
	_, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Links question", Body: three, Lang: LangEN})
	if e := wantErr(t, err, ErrInvalid); e.MessageID() != "forum.error.new_user_too_many_links" || e.Data["Max"] != 2 {
		t.Fatalf("got %s %v", e.MessageID(), e.Data)
	}
	two := "See https://a.example and ![x](/static/x.png)"
	for i := 0; i < 3; i++ {
		if _, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Question number", Body: two, Lang: LangEN}); err != nil {
			t.Fatalf("topic %d: %v", i+1, err)
		}
		f.clock.Advance(time.Hour)
	}
	_, err = f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Fourth question", Body: "body text", Lang: LangEN})
	e := wantErr(t, err, ErrRateLimited)
	if want := created.Add(24 * time.Hour).Sub(f.clock.Now()); e.MessageID() != "forum.error.new_user_topic_cap" || e.RetryAfter() != want || e.Data["Count"] != 21*60 {
		t.Fatalf("got %s after %s (%v), want new_user_topic_cap after %s", e.MessageID(), e.RetryAfter(), e.Data, want)
	}
	// Editing links in later is limited too.
	list, _ := f.s.ListTopics(f.ctx, TopicFilter{AuthorID: u.ID})
	q, _ := f.s.TopicPage(f.ctx, list.Topics[0].ID)
	_, err = f.s.EditPost(f.as(u), q.Question.ID, three)
	wantErr(t, err, ErrInvalid)
	// A day after sign-up, the limits are lifted.
	f.clock.Advance(21 * time.Hour)
	if _, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Fourth question", Body: three, Lang: LangEN}); err != nil {
		t.Fatalf("after a day: %v", err)
	}
}

// Images from other sites would always show broken (the pages' CSP loads
// images from the portal only): posts and edits with one are refused with
// a message that says what to do; images on the portal itself are fine.
func TestExternalImagesRefused(t *testing.T) {
	f := newFixture(t)
	u := f.user("member", RoleStaff) // not subject to the new-account limits
	cat := f.cats[CategoryGettingStarted].ID
	for _, body := range []string{
		"Look: ![chart](https://img.example/chart.png)",
		"Look: ![chart](//img.example/chart.png)",
		"Look: ![chart](http://img.example/chart.png)",
	} {
		_, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Image question", Body: body, Lang: LangEN})
		if e := wantErr(t, err, ErrInvalid); e.MessageID() != "forum.error.external_image" {
			t.Errorf("%q: got %s, want forum.error.external_image", body, e.MessageID())
		}
	}
	tp, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Image question", Body: "Our logo ![logo](/static/img/logo.svg) and [a link](https://img.example/chart.png)", Lang: LangEN})
	if err != nil {
		t.Fatalf("an image on this site and a link to another: %v", err)
	}
	tv, err := f.s.TopicPage(f.ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EditPost(f.as(u), tv.Question.ID, "Now ![chart](https://img.example/chart.png)"); err == nil {
		t.Error("an edit adding an external image was accepted")
	} else if e := wantErr(t, err, ErrInvalid); e.MessageID() != "forum.error.external_image" {
		t.Errorf("edit: got %s, want forum.error.external_image", e.MessageID())
	}
}
