package forum

import "testing"

func TestProfile(t *testing.T) {
	f := newFixture(t)
	asker := f.user("asker", RoleMember)
	eng := f.user("eng", RoleStaff)
	f.age()
	t1 := f.topic(asker, "First question", "body one")
	t2 := f.topic(asker, "Second question", "body two")
	a1 := f.reply(eng, t1.ID, "answer one")
	f.reply(eng, t2.ID, "answer two")
	gone := f.reply(eng, t2.ID, "answer three")
	if err := f.s.Accept(f.as(asker), a1.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.DeletePost(f.as(eng), gone.ID); err != nil {
		t.Fatal(err)
	}
	p, err := f.s.Profile(f.ctx, eng.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.AnswerCount != 2 || p.SolutionCount != 1 || p.TopicCount != 0 || len(p.Answers) != 2 || p.User.Email != "" {
		t.Fatalf("profile %+v (email %q)", p, p.User.Email)
	}
	if !p.Answers[1].Accepted || p.Answers[1].TopicTitle != "First question" {
		t.Errorf("answers %+v", p.Answers)
	}
	p, _ = f.s.Profile(f.as(asker), asker.ID, 10)
	if p.TopicCount != 2 || len(p.Topics) != 2 || p.User.Email != "asker@example.com" {
		t.Errorf("own profile %+v", p)
	}
	_, err = f.s.Profile(f.ctx, 999, 10)
	wantErr(t, err, ErrNotFound)
}
