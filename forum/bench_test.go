package forum

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkTopicPage loads a topic with 100 replies of realistic size
// (a paragraph and a highlighted code block each), as an anonymous
// visitor and as a signed-in one (whose votes and watch state are read
// too). The portal's target of 3,000 pages/s on 2 cores leaves this
// store read well under 300 µs. "cold" reads SQLite every time; the others
// are served by the page cache, as between two writes.
func BenchmarkTopicPage(b *testing.B) {
	f := newFixture(b)
	asker := f.user("asker", RoleMember)
	staff := f.user("staff", RoleStaff)
	viewer := f.user("viewer", RoleMember)
	f.age()
	tp := f.topic(asker, "A long discussion about recovery", "How does recovery work after a reconnect?")
	body := strings.Repeat("Every message carries an offset and an epoch; the client resubscribes from the last one it saw. ", 4) +
		"\n\n```go\nsub, err := client.Subscribe(ctx, \"orders\", handler)\nif err != nil {\n\treturn err\n}\n```\n"
	for i := 0; i < 100; i++ {
		u := asker
		if i%2 == 0 {
			u = staff
		}
		f.clock.Advance(10 * time.Second)
		p, err := f.s.Reply(f.as(u), tp.ID, fmt.Sprintf("Reply %d. %s", i, body))
		if err != nil {
			b.Fatal(err)
		}
		if i%5 == 0 && u.ID != viewer.ID {
			if _, err := f.s.Vote(f.as(viewer), p.ID, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, bc := range []struct {
		name string
		user *User
		cold bool
	}{{"cold-anonymous", nil, true}, {"cold-signed-in", viewer, true}, {"anonymous", nil, false}, {"signed-in", viewer, false}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := f.ctx
			if bc.user != nil {
				ctx = f.as(bc.user)
			}
			b.ReportAllocs()
			for b.Loop() {
				if bc.cold { // as if a write had just happened: read SQLite
					f.s.pages.gen.Add(1)
				}
				v, err := f.s.TopicPage(ctx, tp.ID)
				if err != nil || len(v.Replies) != 100 {
					b.Fatalf("%v, %d replies", err, len(v.Replies))
				}
			}
		})
	}
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := f.s.TopicPage(f.ctx, tp.ID); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
