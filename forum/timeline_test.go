package forum

import (
	"testing"
	"time"
)

func TestTimeline(t *testing.T) {
	f := newFixture(t)
	asker := f.user("asker", RoleStaff) // an asker who is staff: their replies still do not count
	eng := f.user("eng", RoleMember)
	admin := f.user("admin", RoleAdmin)
	bystander := f.user("bystander", RoleMember)
	f.age()
	created := f.clock.Now()
	tp, err := f.s.CreateTopic(f.as(asker), NewTopic{CategoryID: f.cats[CategoryProduction].ID, Title: "Outage question", Body: "Production is down", Lang: LangZH, Priority: PriorityHigh})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	member := f.reply(eng, tp.ID, "member reply") // eng is a member now
	if _, err := f.s.SetRole(f.as(admin), eng.ID, RoleStaff); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	paused := f.clock.Now()
	if err := f.s.SetWaitingOnAsker(f.as(eng), tp.ID, true); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Hour)
	resumed := f.clock.Now()
	f.reply(asker, tp.ID, "asker follow-up")
	staffReply := f.reply(eng, tp.ID, "official reply")
	deleted := f.reply(eng, tp.ID, "deleted official reply")
	if err := f.s.DeletePost(f.as(eng), deleted.ID); err != nil {
		t.Fatal(err)
	}
	f.reply(bystander, tp.ID, "thanks")
	if err := f.s.SetPriority(f.as(eng), tp.ID, PriorityUrgent); err != nil {
		t.Fatal(err)
	}
	accepted := f.clock.Now()
	if err := f.s.Accept(f.as(asker), staffReply.ID); err != nil {
		t.Fatal(err)
	}

	tl, err := f.s.Timeline(f.ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tl.CategorySlug != CategoryProduction || tl.Lang != LangZH || tl.Priority != PriorityUrgent || tl.InitialPriority != PriorityHigh ||
		tl.AskerID != asker.ID || !tl.CreatedAt.Equal(created) || !tl.AcceptedAt.Equal(accepted) {
		t.Fatalf("timeline %+v", tl)
	}
	if len(tl.Pauses) != 1 || !tl.Pauses[0].From.Equal(paused) || !tl.Pauses[0].To.Equal(resumed) {
		t.Errorf("pauses %+v, want [%s, %s)", tl.Pauses, paused, resumed)
	}
	var official []int64
	for _, r := range tl.Replies {
		if r.Official() {
			official = append(official, r.PostID)
		}
	}
	if len(tl.Replies) != 4 || len(official) != 1 || official[0] != staffReply.ID || tl.Replies[0].PostID != member.ID || !tl.Replies[1].ByAsker {
		t.Errorf("replies %+v; official %v, want only %d", tl.Replies, official, staffReply.ID)
	}
}
