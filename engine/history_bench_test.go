//go:build unix

package engine

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkManyChannelHistory is the history's write path alone: 1000
// channels, each with its own publisher, publishing into SQLite-backed
// history as fast as the store allows (no sockets, no subscribers). Its
// pubs/s is the ceiling of the many-channel bench scenario; cpu-µs/op is
// the server time of one publication.
//
//	go test ./engine -run '^$' -bench ManyChannelHistory -benchtime 20000x
func BenchmarkManyChannelHistory(b *testing.B) {
	ctx := context.Background()
	e, _ := newTestEngine(b)
	a, err := e.CreateApp(ctx, "many")
	if err != nil {
		b.Fatal(err)
	}
	const channels = 1000
	data := []byte(`{"payload":"` + fmt.Sprintf("%0110d", 0) + `"}`) // 128 bytes, like the bench's
	for i := range channels {                                        // create the streams first
		if _, err := e.Publish(ctx, a.ID, fmt.Sprintf("ch.%d", i), data); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	cpu, rd, wr := processCPU(), ioBytes("rchar"), ioBytes("wchar")
	start := time.Now()
	var wg sync.WaitGroup
	for i := range channels {
		n := b.N / channels
		if i < b.N%channels {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				if _, err := e.Publish(ctx, a.ID, fmt.Sprintf("ch.%d", i), data); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pubs/s")
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	// What SQLite wrote and read back per publication (WAL frames, pages
	// missing from the cache): unlike time, it hardly moves with the load
	// of a shared machine. -1 where /proc/self/io is missing.
	b.ReportMetric(float64(ioBytes("wchar")-wr)/1024/float64(b.N), "write-KiB/op")
	b.ReportMetric(float64(ioBytes("rchar")-rd)/1024/float64(b.N), "read-KiB/op")
}

// ioBytes reads a counter of /proc/self/io (-1 if there is none).
func ioBytes(field string) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+": "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
