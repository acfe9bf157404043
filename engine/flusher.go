package engine

import (
	"runtime"
	"sync"
)

// flusher writes connections' send queues on a few long-lived goroutines,
// taking connections first come, first served.
//
// A connection with frames to write joins the line once; a worker takes it,
// writes its whole queue with one non-blocking system call, and sends it to
// the back of the line if more frames arrived meanwhile. When the engine
// is busy a connection's queue grows while it waits its turn, so one write
// carries several frames: the cost per frame falls as the load rises, and
// because the line is first come, first served, every subscriber waits
// about as long as the others. A socket that cannot take the bytes now (a
// slow reader) is handed to a goroutine of its own, so it never holds up a
// worker.
type flusher struct {
	mu      sync.Mutex
	line    []*conn // waiting connections, oldest first, from head
	head    int
	waiting int           // workers blocked on wake
	wake    chan struct{} // one token per wake-up
	stopped bool
	done    sync.WaitGroup
}

func newFlusher() *flusher {
	n := max(2, runtime.GOMAXPROCS(0))
	f := &flusher{wake: make(chan struct{}, n)}
	f.done.Add(n)
	for range n {
		go f.work()
	}
	return f
}

// push puts c at the back of the line.
func (f *flusher) push(c *conn) {
	f.mu.Lock()
	if f.stopped {
		f.mu.Unlock()
		go c.writeLoop()
		return
	}
	f.line = append(f.line, c)
	wake := f.waiting > 0
	if wake {
		f.waiting--
	}
	f.mu.Unlock()
	if wake {
		f.wake <- struct{}{}
	}
}

// next blocks until a connection is waiting; nil once stopped.
func (f *flusher) next() *conn {
	f.mu.Lock()
	for f.head == len(f.line) {
		if f.stopped {
			f.mu.Unlock()
			return nil
		}
		// Empty: reuse the slice from the start.
		f.line, f.head = f.line[:0], 0
		f.waiting++
		f.mu.Unlock()
		<-f.wake
		f.mu.Lock()
	}
	c := f.line[f.head]
	f.line[f.head] = nil
	f.head++
	if f.head >= 1024 && 2*f.head >= len(f.line) {
		// Never empty under steady load: move the live part down.
		n := copy(f.line, f.line[f.head:])
		f.line, f.head = f.line[:n], 0
	}
	f.mu.Unlock()
	return c
}

func (f *flusher) work() {
	defer f.done.Done()
	for {
		c := f.next()
		if c == nil {
			return
		}
		c.flush()
	}
}

// stop ends the workers once the line is empty; later pushes get a
// goroutine each.
func (f *flusher) stop() {
	f.mu.Lock()
	f.stopped = true
	n := f.waiting
	f.waiting = 0
	f.mu.Unlock()
	for range n {
		f.wake <- struct{}{}
	}
	f.done.Wait()
}
