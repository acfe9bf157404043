package client

import "sync"

// dispatcher runs handlers one at a time, in arrival order, on its own
// goroutine, so handlers can call the Client without deadlocking the reader.
type dispatcher struct {
	mu      sync.Mutex
	queue   []job // queue[head:] is waiting
	head    int
	wake    chan struct{}
	stopped bool
	idle    bool // the loop is waiting for wake (or about to)
}

// job is one queued handler: a publication for s (s != nil), which needs
// no closure and so no allocation, or else f.
type job struct {
	s *Subscription
	t *transport
	m Message
	f func()
}

func newDispatcher() *dispatcher {
	d := &dispatcher{wake: make(chan struct{}, 1), idle: true}
	go d.loop()
	return d
}

func (d *dispatcher) push(f func()) { d.enqueue(job{f: f}) }

// deliver queues a publication for s.
func (d *dispatcher) deliver(s *Subscription, t *transport, m Message) {
	d.enqueue(job{s: s, t: t, m: m})
}

func (d *dispatcher) enqueue(j job) {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	if len(d.queue) == cap(d.queue) && d.head > 0 {
		// Reuse the consumed front instead of growing.
		n := copy(d.queue, d.queue[d.head:])
		clear(d.queue[n:])
		d.queue, d.head = d.queue[:n], 0
	}
	d.queue = append(d.queue, j)
	wake := d.idle
	d.idle = false
	d.mu.Unlock()
	if wake {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

func (d *dispatcher) loop() {
	for range d.wake {
		for {
			d.mu.Lock()
			if d.head == len(d.queue) || d.stopped {
				clear(d.queue[d.head:])
				d.queue, d.head = d.queue[:0], 0
				if cap(d.queue) > maxIdleQueue {
					d.queue = nil
				}
				stopped := d.stopped
				d.idle = true
				d.mu.Unlock()
				if stopped {
					return
				}
				break
			}
			j := d.queue[d.head]
			d.queue[d.head] = job{}
			d.head++
			d.mu.Unlock()
			if j.s != nil {
				j.s.deliver(j.t, j.m)
			} else {
				j.f()
			}
		}
	}
}

// maxIdleQueue bounds the queue capacity kept while idle (a job is about
// 130 bytes): a burst must not pin its size for the client's lifetime.
const maxIdleQueue = 32

// stop discards queued handlers and ends the goroutine.
func (d *dispatcher) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}
