package serverapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
)

// BenchmarkPublish measures server API publishes per second from parallel
// callers sharing one HTTP connection pool (one http.Client), each
// publish stored in history on a real SQLite file. Run with -cpu to vary
// the callers; the pool keeps up to 64 connections.
func BenchmarkPublish(b *testing.B) {
	v := newEnv(b, envOpts{limits: engine.Limits{APIRate: 1e9, HistorySize: 100}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"channel":"bench-%d","data":{"n":%d,"text":"hello"}}`, i%16, i)
			req, _ := http.NewRequest("POST", v.url+"/v1/api/publish", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+v.app.APIKey)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "publishes/s")
}
