package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"time"
)

// SMTP is how the outbox reaches a mail server. The zero Addr means no
// server: nothing is sent and messages wait in the outbox.
type SMTP struct {
	Addr     string // host:port, usually port 587
	User     string // empty: no AUTH
	Password string
	// StartTLS requires the server to offer STARTTLS and upgrades before
	// AUTH and MAIL; false uses it only when offered (a local relay).
	StartTLS bool
	// TLS is the STARTTLS configuration; nil verifies the server's name
	// against the system roots.
	TLS     *tls.Config
	Timeout time.Duration // one whole transaction; default 30 s
}

// send delivers raw from from to to in one SMTP transaction. A 5xx answer
// to RCPT is a permanentError; every other failure is worth a retry.
func (c SMTP) send(ctx context.Context, from, to string, raw []byte) (err error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", c.Addr, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("smtp dial: %w", err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// A stop (ctx) interrupts a transaction blocked on the network.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer cl.Close()
	if err := cl.Hello("localhost"); err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	if ok, _ := cl.Extension("STARTTLS"); ok {
		cfg := c.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := cl.StartTLS(cfg); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	} else if c.StartTLS {
		return errors.New("smtp: the server does not offer STARTTLS (set -smtp-starttls=false for a local relay)")
	}
	if c.User != "" {
		// PlainAuth refuses to send the password unencrypted except to localhost.
		if err := cl.Auth(smtp.PlainAuth("", c.User, c.Password, host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := cl.Mail(from); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return permanentError{fmt.Errorf("smtp rcpt to: %w", err)}
		}
		return fmt.Errorf("smtp rcpt to: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	return cl.Quit()
}
