package client

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeFrame decodes one server frame into f. It has exactly the effect of
//
//	*f = inFrame{}
//	err := json.Unmarshal(b, f)
//
// for every input, but decodes the frames the server actually sends in one
// pass without reflection: encoding/json was most of a subscriber's CPU per
// message. Anything off the common path (escapes, null in a decoded field,
// a key that only case-folds to a field name, a repeated field, invalid
// JSON, ...) falls back to json.Unmarshal, which then defines the result.
//
// f never aliases b, so b may be a reused read buffer.
func decodeFrame(b []byte, f *inFrame) error { return decodeFrameCached(b, f, nil) }

// decodeFrameCached is decodeFrame that reuses the strings of cache (nil:
// none) when a field repeats its value from the previous frame, as the
// channel, epoch and publisher of a stream do, instead of allocating them
// again. The result is equal either way.
func decodeFrameCached(b []byte, f *inFrame, cache *stringCache) error {
	*f = inFrame{}
	d := frameDecoder{b: b, cache: cache}
	if d.frame(f) {
		return nil
	}
	*f = inFrame{}
	return json.Unmarshal(b, f)
}

// maxSkipDepth bounds the nesting the fast path validates; deeper values go
// to json.Unmarshal, whose own limit (10,000) is far above it.
const maxSkipDepth = 512

// frameDecoder is the fast path. Each method reports false for anything it
// does not handle exactly like encoding/json, and never reports an error
// itself.
type frameDecoder struct {
	b     []byte
	i     int
	cache *stringCache
}

// stringCache holds the last value of the string fields that repeat from
// frame to frame; only one reader uses it.
type stringCache [numCached]string

const (
	cacheChannel = iota
	cacheEpoch
	cacheFrom
	cacheUser
	numCached
)

// Bits of the fields already seen, to leave repeated fields to encoding/json.
const (
	seenID uint32 = 1 << iota
	seenType
	seenResult
	seenError
	seenChannel
	seenOffset
	seenEpoch
	seenData
	seenFrom
	seenTime
	seenEvent
	seenUser
	seenState
	seenMessageID
	seenOffline
	seenExpiresAt
	seenReconnectAfterMS
)

// fieldNames are inFrame's JSON names: encoding/json matches a key that
// equals one of them case-insensitively to that field.
var fieldNames = [...]string{
	"id", "type", "result", "error", "channel", "offset", "epoch", "data", "from", "time",
	"event", "user", "state", "message_id", "offline", "expires_at", "reconnect_after_ms",
}

// frame decodes a whole frame: one object and nothing but white space after it.
func (d *frameDecoder) frame(f *inFrame) bool {
	d.skipSpace()
	if !d.consume('{') {
		return false
	}
	d.skipSpace()
	if d.consume('}') {
		return d.end()
	}
	var seen uint32
	for {
		d.skipSpace()
		key, ascii, ok := d.rawString()
		if !ok {
			return false
		}
		d.skipSpace()
		if !d.consume(':') {
			return false
		}
		d.skipSpace()
		bit, ok := d.field(f, key, ascii)
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		d.skipSpace()
		if d.consume('}') {
			return d.end()
		}
		if !d.consume(',') {
			return false
		}
	}
}

// field decodes the value of key into f and returns the field's seen bit (0
// for a skipped unknown key).
func (d *frameDecoder) field(f *inFrame, key []byte, ascii bool) (uint32, bool) {
	var ok bool
	switch string(key) {
	case "id":
		f.ID, ok = d.uint64()
		return seenID, ok
	case "type":
		f.Type, ok = d.frameType()
		return seenType, ok
	case "result":
		f.Result, ok = d.raw()
		return seenResult, ok
	case "error":
		ok = d.sub(func(b []byte) error { f.Error = new(Error); return json.Unmarshal(b, f.Error) })
		return seenError, ok
	case "channel":
		f.Channel, ok = d.cachedString(cacheChannel)
		return seenChannel, ok
	case "offset":
		f.Offset, ok = d.uint64()
		return seenOffset, ok
	case "epoch":
		f.Epoch, ok = d.cachedString(cacheEpoch)
		return seenEpoch, ok
	case "data":
		f.Data, ok = d.raw()
		return seenData, ok
	case "from":
		f.From, ok = d.cachedString(cacheFrom)
		return seenFrom, ok
	case "time":
		f.Time, ok = d.int64()
		return seenTime, ok
	case "event":
		f.Event, ok = d.string()
		return seenEvent, ok
	case "user":
		f.User, ok = d.cachedString(cacheUser)
		return seenUser, ok
	case "state":
		ok = d.sub(func(b []byte) error { return json.Unmarshal(b, &f.State) })
		return seenState, ok
	case "message_id":
		f.MessageID, ok = d.int64()
		return seenMessageID, ok
	case "offline":
		f.Offline, ok = d.bool()
		return seenOffline, ok
	case "expires_at":
		f.ExpiresAt, ok = d.int64()
		return seenExpiresAt, ok
	case "reconnect_after_ms":
		f.ReconnectAfterMS, ok = d.int64()
		return seenReconnectAfterMS, ok
	}
	// Unicode case folding (the Kelvin sign folds to k) is left to
	// encoding/json; an ASCII key that folds to a field name is too.
	if !ascii {
		return 0, false
	}
	for _, name := range fieldNames {
		if asciiEqualFold(key, name) {
			return 0, false
		}
	}
	return 0, d.skipValue()
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func (d *frameDecoder) skipSpace() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *frameDecoder) consume(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (d *frameDecoder) end() bool {
	d.skipSpace()
	return d.i == len(d.b)
}

// rawString returns the contents of a string without escapes or control
// characters, and whether they are all ASCII.
func (d *frameDecoder) rawString() (s []byte, ascii, ok bool) {
	if !d.consume('"') {
		return nil, false, false
	}
	b, start := d.b, d.i
	var high byte
	for i := start; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			d.i = i + 1
			return b[start:i], high < utf8.RuneSelf, true
		}
		if c == '\\' || c < ' ' {
			return nil, false, false
		}
		high |= c
	}
	return nil, false, false
}

// string decodes a string without escapes.
func (d *frameDecoder) string() (string, bool) {
	s, ascii, ok := d.rawString()
	return toString(s, ascii, ok)
}

// cachedString is string, reusing the cache's value in slot when it is
// the same (comparing string(s) does not allocate).
func (d *frameDecoder) cachedString(slot int) (string, bool) {
	s, ascii, ok := d.rawString()
	if d.cache == nil {
		return toString(s, ascii, ok)
	}
	if ok && d.cache[slot] == string(s) {
		return d.cache[slot], true
	}
	v, ok := toString(s, ascii, ok)
	if ok {
		d.cache[slot] = v
	}
	return v, ok
}

// frameType is string without allocating for the push types.
func (d *frameDecoder) frameType() (string, bool) {
	s, ascii, ok := d.rawString()
	switch string(s) {
	case "pub":
		return "pub", ok
	case "presence":
		return "presence", ok
	case "peer":
		return "peer", ok
	case "ping":
		return "ping", ok
	case "expiring":
		return "expiring", ok
	case "shutdown":
		return "shutdown", ok
	case "error":
		return "error", ok
	}
	return toString(s, ascii, ok)
}

// toString copies the contents of a string. Invalid UTF-8, which
// encoding/json replaces with U+FFFD, is left to it.
func toString(s []byte, ascii, ok bool) (string, bool) {
	if !ok || !ascii && !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}

// digits reads a non-negative integer of at most maxDigits digits without a
// leading zero; whatever follows it is checked by the caller's syntax.
func (d *frameDecoder) digits(maxDigits int) (uint64, bool) {
	start := d.i
	if d.i >= len(d.b) || d.b[d.i] < '0' || d.b[d.i] > '9' {
		return 0, false
	}
	if d.b[d.i] == '0' {
		d.i++
		return 0, true
	}
	var n uint64
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		if d.i-start == maxDigits {
			return 0, false
		}
		n = n*10 + uint64(d.b[d.i]-'0')
		d.i++
	}
	return n, true
}

// uint64 reads up to 19 digits, always below 2^64.
func (d *frameDecoder) uint64() (uint64, bool) { return d.digits(19) }

// int64 reads up to 18 digits, always below 2^63.
func (d *frameDecoder) int64() (int64, bool) {
	n, ok := d.digits(18)
	return int64(n), ok
}

func (d *frameDecoder) bool() (bool, bool) {
	switch {
	case d.literal("true"):
		return true, true
	case d.literal("false"):
		return false, true
	}
	return false, false
}

func (d *frameDecoder) literal(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// raw validates one value and returns a copy of it, as json.RawMessage's
// UnmarshalJSON would.
func (d *frameDecoder) raw() (json.RawMessage, bool) {
	start := d.i
	if !d.skipValue() {
		return nil, false
	}
	r := make(json.RawMessage, d.i-start)
	copy(r, d.b[start:])
	return r, true
}

// sub validates one object and hands it to decode; other values (null
// included) and decode errors are left to json.Unmarshal of the whole frame.
func (d *frameDecoder) sub(decode func([]byte) error) bool {
	start := d.i
	if d.i >= len(d.b) || d.b[d.i] != '{' || !d.skipValue() {
		return false
	}
	return decode(d.b[start:d.i]) == nil
}

// skipValue moves past one valid JSON value that starts at d.i.
func (d *frameDecoder) skipValue() bool {
	var objects [maxSkipDepth / 64]uint64 // bit set: that level is an object
	depth := 0
	for {
		d.skipSpace()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case '{', '[':
			obj := d.b[d.i] == '{'
			d.i++
			d.skipSpace()
			if obj && d.consume('}') || !obj && d.consume(']') {
				break // empty: a complete value
			}
			if depth == maxSkipDepth {
				return false
			}
			if obj {
				objects[depth/64] |= 1 << (depth % 64)
				if !d.skipKey() {
					return false
				}
			} else {
				objects[depth/64] &^= 1 << (depth % 64)
			}
			depth++
			continue
		case '"':
			if !d.skipString() {
				return false
			}
		case 't':
			if !d.literal("true") {
				return false
			}
		case 'f':
			if !d.literal("false") {
				return false
			}
		case 'n':
			if !d.literal("null") {
				return false
			}
		default:
			if !d.skipNumber() {
				return false
			}
		}
		// A value ended: close containers until one wants another element.
		for {
			if depth == 0 {
				return true
			}
			d.skipSpace()
			if d.i >= len(d.b) {
				return false
			}
			c := d.b[d.i]
			d.i++
			obj := objects[(depth-1)/64]&(1<<((depth-1)%64)) != 0
			if c == ',' {
				if obj && !d.skipKey() {
					return false
				}
				break
			}
			if obj && c == '}' || !obj && c == ']' {
				depth--
				continue
			}
			return false
		}
	}
}

// skipKey moves past an object key and its colon.
func (d *frameDecoder) skipKey() bool {
	d.skipSpace()
	if !d.skipString() {
		return false
	}
	d.skipSpace()
	return d.consume(':')
}

// skipString moves past one string, validating its escapes. Like
// encoding/json's scanner it accepts any byte from 0x20 up, UTF-8 or not.
func (d *frameDecoder) skipString() bool {
	if !d.consume('"') {
		return false
	}
	b, i := d.b, d.i
	for i < len(b) {
		c := b[i]
		i++
		switch {
		case c > '\\' || c >= ' ' && c != '"' && c != '\\':
		case c == '"':
			d.i = i
			return true
		case c == '\\' && i < len(b):
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if len(b)-i < 5 {
					return false
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				i += 5
			default:
				return false
			}
		default: // a control character, or a backslash at the end
			return false
		}
	}
	return false
}

// skipNumber moves past -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (d *frameDecoder) skipNumber() bool {
	d.consume('-')
	switch {
	case d.consume('0'):
	case d.i < len(d.b) && '1' <= d.b[d.i] && d.b[d.i] <= '9':
		d.skipDigits()
	default:
		return false
	}
	if d.consume('.') && !d.skipDigits() {
		return false
	}
	if d.consume('e') || d.consume('E') {
		if !d.consume('+') {
			d.consume('-')
		}
		if !d.skipDigits() {
			return false
		}
	}
	return true
}

// skipDigits moves past [0-9]* and reports whether there was at least one.
func (d *frameDecoder) skipDigits() bool {
	start := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}
