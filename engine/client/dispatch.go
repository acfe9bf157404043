package client

import "sync"

// dispatcher runs handlers one at a time, in arrival order, on its own
// goroutine, so handlers can call the Client without deadlocking the reader.
type dispatcher struct {
	mu      sync.Mutex
	queue   []func()
	wake    chan struct{}
	stopped bool
}

func newDispatcher() *dispatcher {
	d := &dispatcher{wake: make(chan struct{}, 1)}
	go d.loop()
	return d
}

func (d *dispatcher) push(f func()) {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, f)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) loop() {
	for range d.wake {
		for {
			d.mu.Lock()
			if len(d.queue) == 0 || d.stopped {
				d.queue = nil
				stopped := d.stopped
				d.mu.Unlock()
				if stopped {
					return
				}
				break
			}
			f := d.queue[0]
			d.queue[0] = nil
			d.queue = d.queue[1:]
			d.mu.Unlock()
			f()
		}
	}
}

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
