// Package smtpsink is a real SMTP server for tests: it offers STARTTLS
// with a self-signed certificate, requires AUTH PLAIN when a user is set,
// and keeps every message it accepts, parsed into its text and HTML parts.
// Only tests import it, so its SMTP library never reaches the binary.
package smtpsink

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one accepted message.
type Received struct {
	From    string
	To      []string
	Raw     []byte
	Header  mail.Header
	Subject string // decoded
	Text    string // the text/plain part, decoded
	HTML    string // the text/html part, decoded
}

// Links returns the http(s) URLs in the text part, in order.
func (r Received) Links() []string {
	return linkRE.FindAllString(r.Text, -1)
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// Sink is a running SMTP server.
type Sink struct {
	Addr string
	User string
	Pass string

	srv  *smtp.Server
	pool *x509.CertPool
	mu   sync.Mutex
	msgs []Received
	more chan struct{}
}

// Start listens on addr ("" for a free loopback port) and serves until
// the test ends or Stop. With user set, MAIL needs AUTH PLAIN as
// user/pass.
func Start(t testing.TB, addr, user, pass string) *Sink {
	t.Helper()
	return start(t, addr, user, pass, true)
}

// StartPlain is Start without STARTTLS, like a local relay: for a server
// process that cannot be handed the sink's certificate.
func StartPlain(t testing.TB, addr string) *Sink {
	t.Helper()
	return start(t, addr, "", "", false)
}

func start(t testing.TB, addr, user, pass string, withTLS bool) *Sink {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cert, pool := selfSigned(t)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("smtp sink listen: %v", err)
	}
	s := &Sink{Addr: ln.Addr().String(), User: user, Pass: pass, pool: pool, more: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	if withTLS {
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go s.srv.Serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Stop closes the server; the address is free again.
func (s *Sink) Stop() { s.srv.Close() }

// ClientTLS is a client configuration that trusts the sink's certificate.
func (s *Sink) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.pool, ServerName: "127.0.0.1"}
}

// Messages returns what has arrived so far.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait returns once at least n messages have arrived, failing the test
// after timeout.
func (s *Sink) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.more:
		case <-deadline:
			t.Fatalf("smtp sink: got %d messages within %v, want %d", len(s.Messages()), timeout, n)
		}
	}
}

type session struct {
	s      *Sink
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.User || pass != ss.s.Pass {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

// Rcpt refuses, for good (550), any address whose local part is "reject".
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "reject@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec, err := parse(raw)
	if err != nil {
		return err
	}
	rec.From, rec.To = ss.from, ss.to
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, rec)
	ss.s.mu.Unlock()
	select {
	case ss.s.more <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// parse reads a multipart/alternative message into its parts.
func parse(raw []byte) (Received, error) {
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return Received{}, err
	}
	rec := Received{Raw: raw, Header: m.Header}
	rec.Subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return Received{}, err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			return rec, nil
		}
		if err != nil {
			return Received{}, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return Received{}, err
		}
		body := strings.ReplaceAll(string(b), "\r\n", "\n")
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			rec.Text = body
		case strings.HasPrefix(ct, "text/html"):
			rec.HTML = body
		}
	}
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "smtpsink"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
