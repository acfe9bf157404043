package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A node's start-up waits out a JetStream that does not answer yet, but
// gives up at once on a server without JetStream: retrying cannot mend it.
func TestNATSSetupRetries(t *testing.T) {
	calls := 0
	v, err := natsSetup(context.Background(), func(ctx context.Context) (int, error) {
		calls++
		if calls < 3 {
			return 0, context.DeadlineExceeded // as a request to a leaderless cluster ends
		}
		return 7, nil
	})
	if err != nil || v != 7 || calls != 3 {
		t.Fatalf("natsSetup = %d, %v after %d calls; want 7 after 3", v, err, calls)
	}

	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	defer s.Shutdown()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	calls = 0
	_, err = natsSetup(context.Background(), func(ctx context.Context) (*jetstream.AccountInfo, error) {
		calls++
		return js.AccountInfo(ctx)
	})
	if !errors.Is(err, jetstream.ErrJetStreamNotEnabled) || calls != 1 || time.Since(start) > natsSetupWindow/2 {
		t.Fatalf("without JetStream: %v after %d calls in %v; want ErrJetStreamNotEnabled at once", err, calls, time.Since(start))
	}
}
