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
// channels publishing into SQLite-backed history as fast as the store
// allows (no sockets, no subscribers). With publishers=1000 (one per
// channel) group commits are large and pubs/s is the ceiling of the
// many-channel bench scenario; with publishers=8 (each taking its turn over
// 125 channels) a commit holds a few publications, as on a server whose
// connections wait for the CPU. cpu-µs/op is the server time of one
// publication. -cpu 1 is a server pinned to one CPU.
//
//	go test ./engine -run '^$' -bench ManyChannelHistory -benchtime 20000x -cpu 1,2
func BenchmarkManyChannelHistory(b *testing.B) {
	for _, pubs := range []int{1000, 8} {
		b.Run(fmt.Sprintf("publishers=%d", pubs), func(b *testing.B) { benchManyChannelHistory(b, pubs) })
	}
}

func benchManyChannelHistory(b *testing.B, publishers int) {
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
	mb, _ := e.broker.(*MemoryBroker)
	commits := func() uint64 {
		if mb == nil {
			return 0
		}
		return mb.writer.commits.Load()
	}
	b.ResetTimer()
	c0 := commits()
	cpu, rd, wr := processCPU(), ioBytes("rchar"), ioBytes("wchar")
	start := time.Now()
	var wg sync.WaitGroup
	for i := range publishers {
		n := b.N / publishers
		if i < b.N%publishers {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range n { // channels i, i+publishers, ...
				ch := i + k*publishers%channels
				if _, err := e.Publish(ctx, a.ID, fmt.Sprintf("ch.%d", ch%channels), data); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pubs/s")
	if c := commits() - c0; c > 0 {
		b.ReportMetric(float64(b.N)/float64(c), "pubs/commit")
	}
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
