package bench

import (
	"encoding/json"
	"testing"
	"time"
)

func TestPayloadIsValidJSONOfExactSize(t *testing.T) {
	for _, size := range []int{MinPayloadBytes, 33, 128, 4096} {
		p := newPayload(size)
		now := time.Now()
		stamp(p, now)
		if len(p) != size {
			t.Errorf("size %d: payload is %d bytes", size, len(p))
		}
		var v struct {
			T int64  `json:"t"`
			P string `json:"p"`
		}
		if err := json.Unmarshal(p, &v); err != nil {
			t.Fatalf("size %d: payload %q is not JSON: %v", size, p, err)
		}
		if v.T != now.UnixNano() {
			t.Errorf("size %d: t = %d, want %d", size, v.T, now.UnixNano())
		}
		got, err := parseStamp(p)
		if err != nil || got != now.UnixNano() {
			t.Errorf("size %d: parseStamp = %d, %v; want %d", size, got, err, now.UnixNano())
		}
	}
}

func TestParseStampRejectsForeignPayloads(t *testing.T) {
	for _, p := range []string{``, `{"text":"hello"}`, `{"t":12345678901234567a9,"p":""}`, `"a string that is long enough to pass"`} {
		if _, err := parseStamp([]byte(p)); err == nil {
			t.Errorf("parseStamp(%q) succeeded, want an error", p)
		}
	}
	p := newPayload(64)
	stamp(p, time.Now())
	if a := testing.AllocsPerRun(100, func() { parseStamp(p) }); a != 0 {
		t.Errorf("parseStamp allocates %v times, want 0", a)
	}
}
