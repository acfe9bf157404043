package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one composed email, ready to store and send.
type Message struct {
	Kind        string // what it is about: reset, verify, forum_mention, ...
	To          string // one address
	Lang        string // en or zh
	Subject     string
	Text        string // the plain-text part
	HTML        string // the HTML part
	Unsubscribe string // URL for List-Unsubscribe; empty for transactional mail
}

// build returns msg as an RFC 5322 message (multipart/alternative, text
// then HTML, both quoted-printable UTF-8) from the given sender.
func build(msg Message, from string, now time.Time) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("build mail: from %q: %w", from, err)
	}
	toAddr, err := mail.ParseAddress(msg.To)
	if err != nil {
		return nil, fmt.Errorf("build mail: to %q: %w", msg.To, ErrInvalid)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", fromAddr.String())
	hdr("To", toAddr.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", msg.Subject))
	hdr("Date", now.UTC().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+randomID()+"@"+domainOf(fromAddr.Address)+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Language", msg.Lang)
	if msg.Unsubscribe != "" {
		hdr("List-Unsubscribe", "<"+msg.Unsubscribe+">")
	}
	hdr("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", msg.Text}, {"text/html", msg.HTML}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("build mail: %w", err)
		}
		qw := quotedprintable.NewWriter(pw)
		qw.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n")))
		if err := qw.Close(); err != nil {
			return nil, fmt.Errorf("build mail: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("build mail: %w", err)
	}
	return b.Bytes(), nil
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
