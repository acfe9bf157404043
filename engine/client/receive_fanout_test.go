package client

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMain runs the fan-out server of BenchmarkReceiveFanout when the test
// binary is started as that server, and the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(fanoutServerEnv) != "" {
		runFanoutServer()
		return
	}
	os.Exit(m.Run())
}

const fanoutServerEnv = "SWITCHBOARD_CLIENT_FANOUT_SERVER"

// Fan-out shape: like bench -subscribers 1000 -rate 400, scaled down to a
// quarter of the clients (100,000 deliveries/s).
const (
	fanoutClients = 250
	fanoutRate    = 400 // messages per second to each client
)

// BenchmarkReceiveFanout measures what a subscriber costs per message when
// messages arrive one at a time, as under real fan-out (each wakes the
// reader, unlike BenchmarkReceive's back-to-back stream): 250 Clients each
// receive 400 msg/s from a server in a child process, which writes every
// publication to every connection in a separate write. cpu-ns/msg is this
// process's CPU time (the clients only) per delivered message; ns/op is
// set by the rate and means nothing.
//
//	cd engine/client && go test -run '^$' -bench ReceiveFanout -benchtime 400000x -count 5
func BenchmarkReceiveFanout(b *testing.B) {
	perClient := max(1, b.N/fanoutClients)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fanoutServerEnv+"="+strconv.Itoa(perClient))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	url := "ws://" + line[:len(line)-1]

	ctx := context.Background()
	var got atomic.Int64
	total := int64(perClient * fanoutClients)
	done := make(chan struct{})
	h := func(m Message) {
		if len(m.Data) == 0 {
			b.Error("empty data")
		}
		if got.Add(1) == total {
			close(done)
		}
	}
	clients := make([]*Client, fanoutClients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			c, err := Dial(ctx, url, "token")
			if err != nil {
				b.Error(err)
				return
			}
			clients[i] = c
			if _, err := c.Subscribe(ctx, "bench", h); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	if b.Failed() {
		return
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("received %d of %d messages", got.Load(), total)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(total), "cpu-ns/msg")
}

// runFanoutServer serves fanoutClients subscribers, then sends each of them
// the number of publications in its environment variable at fanoutRate,
// every publication to every client in turn, one write per frame.
func runFanoutServer() {
	perClient, _ := strconv.Atoi(os.Getenv(fanoutServerEnv))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var conns []net.Conn
	all := make(chan struct{})
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, ok := acceptSubscriber(w, r)
		if !ok {
			return
		}
		mu.Lock()
		conns = append(conns, conn)
		if len(conns) == fanoutClients {
			close(all)
		}
		mu.Unlock()
	}))
	fmt.Println(ln.Addr())
	<-all
	time.Sleep(100 * time.Millisecond) // let the benchmark start its clock
	tick := time.NewTicker(time.Second / fanoutRate)
	defer tick.Stop()
	var f, frame []byte
	for off := 1; off <= perClient; off++ {
		<-tick.C
		f = appendPub(f[:0], off)
		frame = serverFrame(frame[:0], f)
		for _, c := range conns {
			if _, err := c.Write(frame); err != nil {
				os.Exit(1)
			}
		}
	}
	select {} // until killed
}
