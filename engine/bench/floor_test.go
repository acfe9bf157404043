package bench

import (
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkLoopbackFloor measures what one delivery costs at the very
// least on this machine: a 170-byte frame (the size of a bench "pub" push)
// written to each of 100 (or 1000) loopback TCP connections, as a fan-out
// does, and read by a goroutine per connection that then waits for the
// next one, as a subscriber does. There is no WebSocket, JSON or engine in between, so
// neither the engine nor the SDK can deliver a message for less CPU.
// One op is one delivery; cpu-µs/delivery counts both sides together.
func BenchmarkLoopbackFloor(b *testing.B) {
	for _, conns := range []int{100, 1000} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { loopbackFloor(b, conns) })
	}
}

// floorFrame is the size of a bench "pub" push.
const floorFrame = 170

// floorConns is n loopback TCP connections, each read by a goroutine that
// calls delivered.Done for every floorFrame bytes.
type floorConns struct {
	writers   []net.Conn
	delivered sync.WaitGroup
	readers   sync.WaitGroup
	ln        net.Listener
}

func newFloorConns(b *testing.B, n int) *floorConns {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	f := &floorConns{writers: make([]net.Conn, n), ln: ln}
	for i := range f.writers {
		f.readers.Add(1)
		go func() {
			defer f.readers.Done()
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			buf := make([]byte, floorFrame)
			for {
				if _, err := io.ReadFull(c, buf); err != nil {
					return
				}
				f.delivered.Done()
			}
		}()
		if f.writers[i], err = net.Dial("tcp", ln.Addr().String()); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// round writes one frame to every connection and waits until all are read.
func (f *floorConns) round(b *testing.B, msg []byte) {
	f.delivered.Add(len(f.writers))
	for _, w := range f.writers {
		if _, err := w.Write(msg); err != nil {
			b.Fatal(err)
		}
	}
	f.delivered.Wait()
}

func (f *floorConns) close() {
	for _, w := range f.writers {
		w.Close()
	}
	f.readers.Wait()
	f.ln.Close()
}

func loopbackFloor(b *testing.B, conns int) {
	f := newFloorConns(b, conns)
	defer f.close()
	msg := make([]byte, floorFrame)
	rounds := max(1, b.N/conns)
	cpu0 := selfCPU()
	b.ResetTimer()
	for range rounds {
		f.round(b, msg)
	}
	b.StopTimer()
	used := selfCPU() - cpu0
	b.ReportMetric(float64(used)/float64(time.Microsecond)/float64(rounds*conns), "cpu-µs/delivery")
}

// BenchmarkLoopbackFloorPaced is the floor for the bench's latency
// targets: one 170-byte frame written to each of 100 (or 1000) loopback
// connections every 10 ms (a channel at 100 messages/s), read by a
// goroutine per connection, with no WebSocket, JSON or engine in between.
// It reports how long a round takes from the first write to the last read
// (p50 and p99 over the rounds), which no engine can beat on this machine,
// the deliveries per second it reached (a round that takes longer than
// 10 ms delays the next), and the CPU per delivery. One op is one round.
func BenchmarkLoopbackFloorPaced(b *testing.B) {
	for _, conns := range []int{100, 1000} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { loopbackFloorPaced(b, conns) })
	}
}

func loopbackFloorPaced(b *testing.B, conns int) {
	const interval = 10 * time.Millisecond
	f := newFloorConns(b, conns)
	defer f.close()
	msg := make([]byte, floorFrame)
	rounds := make([]time.Duration, 0, b.N)
	cpu0 := selfCPU()
	b.ResetTimer()
	next := time.Now()
	for range b.N {
		time.Sleep(time.Until(next))
		next = next.Add(interval)
		start := time.Now()
		f.round(b, msg)
		rounds = append(rounds, time.Since(start))
	}
	b.StopTimer()
	used := selfCPU() - cpu0
	b.ReportMetric(float64(b.N*conns)/b.Elapsed().Seconds(), "deliveries/s")
	slices.Sort(rounds)
	b.ReportMetric(float64(rounds[len(rounds)/2])/float64(time.Millisecond), "round-p50-ms")
	b.ReportMetric(float64(rounds[len(rounds)*99/100])/float64(time.Millisecond), "round-p99-ms")
	b.ReportMetric(float64(used)/float64(time.Microsecond)/float64(b.N*conns), "cpu-µs/delivery")
}
