//go:build unix

package portal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
)

// benchTopic creates a topic with 100 replies (with code blocks, as real
// answers have) by ten users and returns its address.
func benchTopic(b *testing.B, st *forum.Store) string {
	b.Helper()
	ctx := context.Background()
	var users []*forum.User
	for i := 0; i < 10; i++ {
		role := forum.RoleMember
		if i == 0 {
			role = forum.RoleStaff
		}
		u, err := st.CreateUser(ctx, forum.SignUp{Email: fmt.Sprintf("u%d@example.com", i), Name: fmt.Sprintf("User %d", i), Password: "correct horse battery"}, role)
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, u)
	}
	t, err := st.CreateTopic(forum.NewContext(ctx, users[1]), forum.NewTopic{CategoryID: 1, Title: "A busy topic with one hundred replies", Lang: "en",
		Body: "How do I resume after a drop?\n\n```go\nclient.Connect(ctx)\n```\n", Tags: []string{"go"}})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		body := fmt.Sprintf("Answer %d: try **this** and read [the docs](/en/docs/overview).\n\n```go\nfor i := 0; i < %d; i++ {\n\tclient.Publish(ctx, \"chat\", data)\n}\n```\n", i, i)
		if _, err := st.Reply(forum.NewContext(ctx, users[i%10]), t.ID, body); err != nil {
			b.Fatal(err)
		}
	}
	return topicURL("en", t)
}

// BenchmarkTopicPage serves a topic page with 100 replies to anonymous
// readers: through the handler, and over loopback HTTP with keep-alive
// connections from 8 concurrent clients, reporting requests/s and the
// 99th-percentile latency.
func BenchmarkTopicPage(b *testing.B) {
	s, st := newForumServer(b)
	target := benchTopic(b, st)
	check := get(b, s, target)
	if check.Code != http.StatusOK || strings.Count(check.Body.String(), `class="post`) < 101 {
		b.Fatalf("topic page: status %d, %d posts", check.Code, strings.Count(check.Body.String(), `class="post`))
	}
	b.Logf("page size %d bytes", check.Body.Len())

	b.Run("handler", func(b *testing.B) {
		b.ReportAllocs()
		cpu := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := httptest.NewRequest(http.MethodGet, target, nil)
				r.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("b", 43)})
				w := httptest.NewRecorder()
				s.Handler().ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Errorf("status %d", w.Code)
					return
				}
			}
		})
		reportCPU(b, cpu)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})

	// A signed-in reader gets a fresh render with their own buttons.
	sess, _, err := st.Login(context.Background(), "u5@example.com", "correct horse battery", "192.0.2.77")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("handler-signed-in", func(b *testing.B) {
		b.ReportAllocs()
		cpu := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := httptest.NewRequest(http.MethodGet, target, nil)
				r.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("b", 43)})
				r.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.Token})
				w := httptest.NewRecorder()
				s.Handler().ServeHTTP(w, r)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "data-logout") {
					b.Errorf("status %d, or not signed in", w.Code)
					return
				}
			}
		})
		reportCPU(b, cpu)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})

	for _, enc := range []string{"identity", "gzip"} {
		b.Run("loopback-"+enc, func(b *testing.B) {
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			const clients = 8
			tr := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			lat := make([]time.Duration, b.N)
			var next int64
			var mu sync.Mutex
			var wg sync.WaitGroup
			b.ResetTimer()
			cpu := cpuTime()
			start := time.Now()
			for w := 0; w < clients; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						mu.Lock()
						i := next
						next++
						mu.Unlock()
						if i >= int64(b.N) {
							return
						}
						req, _ := http.NewRequest(http.MethodGet, srv.URL+target, nil)
						req.Header.Set("Accept-Encoding", enc)
						req.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("b", 43)})
						t0 := time.Now()
						res, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						lat[i] = time.Since(t0)
						if res.StatusCode != http.StatusOK {
							b.Errorf("status %d", res.StatusCode)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			reportCPU(b, cpu) // server and client: both run in this process
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
