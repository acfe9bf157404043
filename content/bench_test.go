package content

import (
	"io/fs"
	"os"
	"strings"
	"testing"
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
