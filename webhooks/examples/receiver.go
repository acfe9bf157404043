// Package examples is the webhook receiver the docs show: what a backend
// writes to check a delivery's signature and reject replays. The docs
// include the regions of receiver.go and receiver.mjs verbatim, and the
// webhooks tests use this code to check every delivery they receive.
package examples

// [START verify]
import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how old a signature may be: older requests are replays.
const Tolerance = 5 * time.Minute

// Verify checks a Switchboard-Signature header, "t=<unix>,v1=<hex>", against
// the raw request body and the endpoint's signing secret.
func Verify(secret, header string, body []byte, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("no timestamp in signature")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	valid := false
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		valid = valid || (err == nil && hmac.Equal(got, want))
	}
	if !valid {
		return errors.New("signature does not match")
	}
	if age := now.Sub(time.Unix(sec, 0)); age > Tolerance || age < -Tolerance {
		return errors.New("signature too old: a replay, or a clock far off")
	}
	return nil
}

// [END verify]

// [START handler]

// Event is a delivery's body.
type Event struct {
	ID    string          `json:"id"` // also in Switchboard-Delivery; the same on every retry
	Type  string          `json:"type"`
	AppID string          `json:"app_id"`
	Time  int64           `json:"time"` // Unix milliseconds
	Data  json.RawMessage `json:"data"`
}

// Handler verifies each delivery and passes it to handle. Answer 2xx
// quickly: anything else, or no answer within 10 s, is retried. Deliveries
// are at least once, so skip event IDs you have handled already.
func Handler(secret string, handle func(Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := Verify(secret, r.Header.Get("Switchboard-Signature"), body, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var ev Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		if err := handle(ev); err != nil {
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// [END handler]
