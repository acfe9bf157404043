package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

const serveEnv = "SWITCHBOARD_ENGINE_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		serveChild()
		return
	}
	os.Exit(m.Run())
}

// serveChild runs an engine in this (child) process for memory benchmarks,
// so that the server's RSS is measured apart from the clients'. It prints
// one JSON line with its address and app, and exits when stdin closes.
func serveChild() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "engine-serve")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		panic(err)
	}
	e, err := engine.New(ctx, engine.Config{DB: d, Limits: engine.Limits{PingInterval: time.Hour}})
	if err != nil {
		panic(err)
	}
	a, err := e.CreateApp(ctx, "bench")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/ws", e.Handler())
	mux.HandleFunc("/mem", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		runtime.GC() // stacks shrink over collections
		json.NewEncoder(w).Encode(readMem())
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(l, mux)
	json.NewEncoder(os.Stdout).Encode(map[string]string{"addr": l.Addr().String(), "app_id": a.ID, "app_cert": a.Certificate})
	io.Copy(io.Discard, os.Stdin)
}

type memSample struct {
	RSS        int64 // VmRSS from /proc/self/status
	HeapInuse  int64
	StackInuse int64
	Goroutines int
}

func readMem() memSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := memSample{HeapInuse: int64(ms.HeapInuse), StackInuse: int64(ms.StackInuse), Goroutines: runtime.NumGoroutine()}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				s.RSS = kb * 1024
			}
		}
	}
	return s
}

// idleConn opens a WebSocket by hand (no client goroutine, no buffers),
// connects and subscribes, and leaves the socket idle.
func idleConn(addr, path, token, channel string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path, addr)
	br := bufio.NewReaderSize(c, 256)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 101 ") {
		c.Close()
		return nil, fmt.Errorf("handshake: %q %v", status, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, err
		}
		if line == "\r\n" {
			break
		}
	}
	for _, req := range []string{
		`{"id":1,"op":"connect","token":"` + token + `"}`,
		`{"id":2,"op":"subscribe","channel":"` + channel + `"}`,
	} {
		writeMaskedText(c, []byte(req))
		reply, err := readFrame(br)
		if err != nil || bytes.Contains(reply, []byte(`"error"`)) {
			c.Close()
			return nil, fmt.Errorf("%s: %s %v", req[:30], reply, err)
		}
	}
	return c, nil
}

// writeMaskedText writes one client text frame with an all-zero mask.
func writeMaskedText(w io.Writer, p []byte) {
	h := []byte{0x81, 0}
	switch {
	case len(p) < 126:
		h[1] = 0x80 | byte(len(p))
	case len(p) < 1<<16:
		h[1] = 0x80 | 126
		h = binary.BigEndian.AppendUint16(h, uint16(len(p)))
	default:
		h[1] = 0x80 | 127
		h = binary.BigEndian.AppendUint64(h, uint64(len(p)))
	}
	h = append(h, 0, 0, 0, 0) // mask key 0: payload unchanged
	w.Write(append(h, p...))
}

func readFrame(r io.Reader) ([]byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	p := make([]byte, n)
	_, err := io.ReadFull(r, p)
	return p, err
}

// TestIdleConnectionMemory holds 1,000 idle, subscribed connections and
// checks the server-side cost per connection (heap and goroutine stacks,
// measured in process, so it includes the hand-made clients' sockets too).
func TestIdleConnectionMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 1,000 connections")
	}
	v := newEnv(t, func(c *engine.Config) { c.Limits.PingInterval = time.Hour })
	a := v.app("idle")
	addr := strings.TrimPrefix(v.url, "ws://")
	const n = 1000
	tok := v.token(a, "u", nil)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	runtime.GC()
	before := readMem()
	for i := 0; i < n; i++ {
		c, err := idleConn(addr, "/", tok, fmt.Sprint("room", i%100))
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	runtime.GC() // stacks shrink over collections
	after := readMem()
	if path := os.Getenv("IDLE_HEAPPROFILE"); path != "" { // for investigating regressions
		if f, err := os.Create(path); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	perConn := (after.HeapInuse + after.StackInuse - before.HeapInuse - before.StackInuse) / n
	goroutines := float64(after.Goroutines-before.Goroutines) / n
	t.Logf("idle connection: %d B heap+stack (heap %d, stack %d), %.2f goroutines", perConn, (after.HeapInuse-before.HeapInuse)/n, (after.StackInuse-before.StackInuse)/n, goroutines)
	budget := int64(16 * 1024)
	if wantNATS() {
		// A cluster node also listens on each online user's peer subject
		// (these are all different users): one NATS subscription each,
		// and here the embedded nats-server's side of it (its sublist,
		// about as much again; a separate process in production) is
		// counted too. 16.5-21 KB measured on a loaded 2-core machine.
		budget = 24 * 1024
	}
	if perConn > budget && !raceEnabled {
		t.Errorf("%d bytes per idle connection, want under %d KiB", perConn, budget/1024)
	}
	if goroutines > 1.05 {
		t.Errorf("%.2f goroutines per idle connection, want 1", goroutines)
	}
}

// BenchmarkIdleConnections10k opens 10,000 idle, subscribed connections to
// an engine running in a child process and reports the server's RSS and
// Go heap+stack growth per connection.
//
//	go test ./engine -run '^$' -bench IdleConnections10k -benchtime 1x
func BenchmarkIdleConnections10k(b *testing.B) {
	const n = 10000
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	var info struct{ Addr, AppID, AppCert string }
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		b.Fatal(err)
	}
	var m map[string]string
	json.Unmarshal(line, &m)
	info.Addr, info.AppID, info.AppCert = m["addr"], m["app_id"], m["app_cert"]
	mem := func() memSample {
		resp, err := http.Get("http://" + info.Addr + "/mem")
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var s memSample
		json.NewDecoder(resp.Body).Decode(&s)
		return s
	}
	tok, _ := engine.MintToken(info.AppID, info.AppCert, engine.Claims{Subject: "u"}, time.Hour)
	// Warm up: a few connections so one-time allocations are not counted.
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < 100; i++ {
		c, err := idleConn(info.Addr, "/v1/ws", tok, fmt.Sprint("room", i))
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
	}
	before := mem()
	b.ResetTimer()
	start := time.Now()
	for i := 100; i < n+100; i++ {
		c, err := idleConn(info.Addr, "/v1/ws", tok, fmt.Sprint("room", i%1000))
		if err != nil {
			b.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	connectTime := time.Since(start)
	b.StopTimer()
	time.Sleep(500 * time.Millisecond)
	after := mem()
	b.ReportMetric(float64(after.RSS-before.RSS)/n, "rss-B/conn")
	b.ReportMetric(float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse)/n, "heap+stack-B/conn")
	b.ReportMetric(float64(after.Goroutines-before.Goroutines)/n, "goroutines/conn")
	b.ReportMetric(float64(connectTime.Microseconds())/n, "µs-connect/conn")
	b.Logf("server RSS %d MB -> %d MB for %d connections", before.RSS>>20, after.RSS>>20, n)
}
