package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// The headers of every delivery. Receivers verify the signature as
// examples/receiver.go (Go) and examples/receiver.mjs (Node) do.
const (
	HeaderEvent     = "Switchboard-Event"
	HeaderDelivery  = "Switchboard-Delivery"
	HeaderSignature = "Switchboard-Signature"
)

// Sign returns the Switchboard-Signature header value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
