package content

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkRenderAllDocs renders every page of the embedded docs in every
// language, as Load does, and reports the time per page. Target: < 1 ms.
func BenchmarkRenderAllDocs(b *testing.B) {
	type job struct {
		lang string
		body []byte
	}
	docs := Docs()
	var jobs []job
	err := fs.WalkDir(docs, SourceLang, func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(file, ".md") {
			return err
		}
		for _, lang := range Languages {
			raw, err := fs.ReadFile(docs, lang+strings.TrimPrefix(file, SourceLang))
			if err != nil { // untranslated: the English page in lang
				raw, err = fs.ReadFile(docs, file)
			}
			if err != nil {
				return err
			}
			_, body, err := splitFrontMatter(raw)
			if err != nil {
				return err
			}
			jobs = append(jobs, job{lang, body})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		// A new renderer each time, as at start-up: its highlighted-code
		// cache starts empty, and fills as the English pages are rendered.
		r := NewDocsRenderer(os.DirFS(".."), testLabels)
		for _, j := range jobs {
			if _, err := r.RenderLang(j.body, j.lang); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(jobs)), "ns/page")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*len(jobs)), "cpu-ns/page")
	b.ReportMetric(float64(len(jobs)), "pages")
}

// BenchmarkLoadSite loads, renders and links the embedded docs, as the
// portal does at start-up.
func BenchmarkLoadSite(b *testing.B) {
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := Load(Docs(), NewDocsRenderer(os.DirFS(".."), testLabels)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkSearch times single queries against the embedded docs, and
// against the docs plus 2,000 forum topics, and reports the 99th percentile.
// Target: p99 < 5 ms.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	site, err := Load(Docs(), NewDocsRenderer(os.DirFS(".."), testLabels))
	if err != nil {
		b.Fatal(err)
	}
	docsOnly, err := NewIndex(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer docsOnly.Close()
	if err := docsOnly.IndexSite(ctx, site); err != nil {
		b.Fatal(err)
	}
	withTopics, err := NewIndex(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer withTopics.Close()
	if err := withTopics.IndexSite(ctx, site); err != nil {
		b.Fatal(err)
	}
	var topics []Doc
	for i := range 1000 {
		topics = append(topics,
			Doc{Key: fmt.Sprintf("topic:en%d", i), Kind: "topic", Lang: "en", URL: fmt.Sprintf("/en/forum/t/%d", i),
				Title: fmt.Sprintf("Question %d about reconnecting", i),
				Body:  strings.Repeat(fmt.Sprintf("After a network change the client %d reconnects and recovers history from the last offset; presence may lag. ", i), 8)},
			Doc{Key: fmt.Sprintf("topic:zh%d", i), Kind: "topic", Lang: "zh", URL: fmt.Sprintf("/zh/forum/t/%d", i),
				Title: fmt.Sprintf("问题 %d：断线重连", i),
				Body:  strings.Repeat(fmt.Sprintf("网络切换后客户端 %d 会重新连接，并从最后的偏移量恢复历史消息；订阅的频道会自动恢复。", i), 8)})
	}
	if err := withTopics.Upsert(ctx, topics...); err != nil {
		b.Fatal(err)
	}

	for _, ix := range []struct {
		name string
		ix   *Index
	}{{"docs", docsOnly}, {"docs+2000topics", withTopics}} {
		for _, q := range []struct{ name, lang, q string }{
			{"en-word", "en", "presence"},
			{"zh-2char", "zh", "频道"},
			{"en-2words", "en", "translation page"},
		} {
			b.Run(ix.name+"/"+q.name, func(b *testing.B) {
				if rs, err := ix.ix.Search(ctx, q.lang, q.q, 10); err != nil || len(rs) == 0 {
					b.Fatalf("Search(%s, %q): got %d results, %v; want some", q.lang, q.q, len(rs), err)
				}
				var times []time.Duration
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					start := time.Now()
					if _, err := ix.ix.Search(ctx, q.lang, q.q, 10); err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(start))
				}
				b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
			})
		}
	}
}
