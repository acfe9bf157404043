package client

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Frames as the server sends them (engine/PROTOCOL.md), and replies.
var realFrames = []string{
	`{"type":"pub","channel":"news","offset":13,"epoch":"f3a9c2d1","data":{"text":"hi"},"from":"alice","time":1764064800123}`,
	`{"type":"pub","channel":"news","offset":14,"epoch":"f3a9c2d1","data":"plain","from":"","time":1764064800124}`,
	`{"type":"presence","channel":"room","event":"join","user":"alice","state":{"mood":"busy"}}`,
	`{"type":"presence","channel":"room","event":"leave","user":"alice"}`,
	`{"type":"presence","channel":"room","event":"state","user":"alice","state":{}}`,
	`{"type":"peer","from":"alice","data":{"text":"psst"},"time":1764064800123}`,
	`{"type":"peer","from":"alice","data":[1,2.5,-3e2,true,false,null],"time":1764064800123,"message_id":42,"offline":true}`,
	`{"type":"ping"}`,
	`{"type":"expiring","expires_at":1764068400}`,
	`{"type":"shutdown","reconnect_after_ms":2500}`,
	`{"type":"error","error":{"code":101,"message":"invalid JSON: unexpected end of JSON input"}}`,
	`{"id":7,"result":{"offset":12,"epoch":"f3a9c2d1"}}`,
	`{"id":7,"error":{"code":131,"message":"publish rate exceeded: 60/s, burst 60"}}`,
	`{"id":5,"result":{}}`,
	`{"id":1,"result":{"client":"c9f1","user":"alice","app":"2b1e9f6c4d3a8b7e5f0a1c2d3e4f5a6b","expires_at":1764068400,"ping_interval_ms":25000,"pong_timeout_ms":10000,"limits":{"max_message_bytes":32768,"publish_rate":60,"publish_burst":60,"max_subscriptions":128,"max_frame_bytes":69632}}}`,
	`{"id":6,"result":{"offset":16,"epoch":"f3a9c2d1","oldest":1,"publications":[{"offset":11,"data":{"a":[{}]},"from":"alice","time":1764064800123}]}}`,
	`{"id":10,"result":{"status":"stored","message_id":42,"expires_at":1764151200}}`,
}

// Inputs that must take json.Unmarshal's path, or its exact errors.
var nastyFrames = []string{
	``, ` `, `null`, ` null `, `[]`, `"pub"`, `1`, `{}`, ` {} `, `{}x`, `{} {}`, `{`, `}`, `{"id"}`, `{"id":}`,
	`{"id":1,}`, `{,"id":1}`, `{"id":1 "type":"pub"}`, `{'id':1}`, `{"ID":1}`, `{"Type":"pub"}`, `{"DATA":[]}`,
	`{"\u0069d":1}`, `{"ſtate":{"a":"b"}}`, "{\"\u212Aey\":1}", `{"id":1,"id":2}`, `{"data":1,"data":[2]}`,
	`{"error":{"code":1},"error":{"message":"m"}}`, `{"state":{"a":"b"},"state":{"c":"d"}}`,
	`{"state":null}`, `{"error":null}`, `{"data":null}`, `{"result":null}`, `{"type":null}`, `{"id":null}`,
	`{"offline":null}`, `{"offline":1}`, `{"offline":"true"}`, `{"offline":tru}`, `{"offline":truee}`,
	`{"id":-1}`, `{"id":1.0}`, `{"id":1e2}`, `{"id":01}`, `{"id":-0}`, `{"id":"1"}`, `{"id":18446744073709551615}`,
	`{"id":18446744073709551616}`, `{"id":9999999999999999999}`, `{"time":-1}`, `{"time":-0}`, `{"time":9223372036854775807}`,
	`{"time":9223372036854775808}`, `{"time":1.5}`, `{"time":1E3}`, `{"time":-}`, `{"time":1.}`, `{"time":.5}`,
	`{"error":{"code":"x","message":"m"}}`, `{"error":5}`, `{"error":[]}`, `{"error":{"Code":7,"extra":[1]}}`,
	`{"state":{"a":1}}`, `{"state":[]}`, `{"state":{"a":"b","a":"c"}}`,
	`{"channel":"a\"b"}`, `{"channel":"a\u0000b"}`, `{"channel":"\ud800"}`, "{\"channel\":\"a\x01\"}",
	"{\"channel\":\"\xff\"}", "{\"channel\":\"caf\xc3\xa9 \xe5\xbf\xab\"}", "{\"channel\":\"\xed\xa0\x80\"}",
	"{\"data\":\"\xff\xfe\"}", "{\"data\":\"\x7f\"}", `{"data":"\x"}`, `{"data":"\u12"}`, `{"data":"\u12G4"}`,
	`{"data":[1,]}`, `{"data":[,1]}`, `{"data":{"a"}}`, `{"data":{"a":1,}}`, `{"data":{1:2}}`, `{"data":[}`,
	`{"data":{]}`, `{"data":01}`, `{"data":-01}`, `{"data":1e}`, `{"data":1e+}`, `{"data":-}`, `{"data":+1}`,
	`{"data":NaN}`, `{"data":nul}`, `{"data":[ ]}`, `{"data":{ }}`, "{\t\"data\"\n:\r[ 1 , { \"a\" : [ ] } ]\n}\n",
	`{"unknown":{"deep":[[[{"x":"\n\t\\\u00e9"}]]]},"type":"pub"}`, `{"unknown":[}`, `{"message_ID":1}`, `{"messageid":1}`, `{"message-id":1}`, `{"expiresAt":1}`,
	`{"type":"pub","type":"ping"}`, `{"type":"\u0070ub"}`, `{"type":"PUB"}`, `{"type":"pubx"}`,
	`{"data":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`,
	`{"data":` + strings.Repeat(`{"a":`, 600) + `1` + strings.Repeat("}", 600) + `}`,
	`{"data":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
}

// checkSame fails unless decodeFrame(b) has exactly json.Unmarshal's
// result, and the result does not change when b is overwritten.
func checkSame(t *testing.T, b []byte) {
	t.Helper()
	var want inFrame
	wantErr := json.Unmarshal(b, &want)

	buf := bytes.Clone(b)
	got := inFrame{ID: 99, Type: "stale", Data: json.RawMessage(`1`), State: map[string]string{"x": "y"}, Error: &Error{Code: 1}}
	gotErr := decodeFrame(buf, &got)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("decodeFrame(%q) error = %v, want %v", b, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeFrame(%q) =\n%+v\nwant\n%+v", b, got, want)
	}
	for i := range buf {
		buf[i] = 'X'
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeFrame(%q) result changed when the input buffer was reused: %+v", b, got)
	}
	// With a string cache: the first decode fills it, the second reuses it.
	var cache stringCache
	for round := range 2 {
		copy(buf, b)
		got = inFrame{ID: 99, Type: "stale"}
		gotErr = decodeFrameCached(buf, &got, &cache)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("decodeFrameCached(%q) round %d error = %v, want %v", b, round, gotErr, wantErr)
		}
		for i := range buf {
			buf[i] = 'X'
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeFrameCached(%q) round %d =\n%+v\nwant\n%+v", b, round, got, want)
		}
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range realFrames {
		f.Add([]byte(s))
	}
	for _, s := range nastyFrames {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkSame(t, b) })
}

func TestDecodeFrameMatchesUnmarshal(t *testing.T) {
	for _, s := range append(append([]string{}, realFrames...), nastyFrames...) {
		checkSame(t, []byte(s))
	}
}

// TestDecodeFrameFastPath checks the decoded values of the frames the
// server sends, and that they do not fall back to encoding/json (which is
// what makes receiving cheap).
func TestDecodeFrameFastPath(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  inFrame
	}{
		{"pub", realFrames[0], inFrame{Type: "pub", Channel: "news", Offset: 13, Epoch: "f3a9c2d1", Data: json.RawMessage(`{"text":"hi"}`), From: "alice", Time: 1764064800123}},
		{"pub with spaces and UTF-8", "{ \"type\" : \"pub\" ,\n\"channel\":\"caf\xc3\xa9\", \"data\" : [ \"\\u00e9\\n\" , {} ] , \"offset\":0 }",
			inFrame{Type: "pub", Channel: "caf\u00e9", Data: json.RawMessage(`[ "\u00e9\n" , {} ]`)}},
		{"presence join", realFrames[2], inFrame{Type: "presence", Channel: "room", Event: "join", User: "alice", State: map[string]string{"mood": "busy"}}},
		{"presence empty state", realFrames[4], inFrame{Type: "presence", Channel: "room", Event: "state", User: "alice", State: map[string]string{}}},
		{"stored peer", realFrames[6], inFrame{Type: "peer", From: "alice", Data: json.RawMessage(`[1,2.5,-3e2,true,false,null]`), Time: 1764064800123, MessageID: 42, Offline: true}},
		{"ping", realFrames[7], inFrame{Type: "ping"}},
		{"expiring", realFrames[8], inFrame{Type: "expiring", ExpiresAt: 1764068400}},
		{"shutdown", realFrames[9], inFrame{Type: "shutdown", ReconnectAfterMS: 2500}},
		{"error push", realFrames[10], inFrame{Type: "error", Error: &Error{Code: 101, Message: "invalid JSON: unexpected end of JSON input"}}},
		{"reply", realFrames[11], inFrame{ID: 7, Result: json.RawMessage(`{"offset":12,"epoch":"f3a9c2d1"}`)}},
		{"error reply", realFrames[12], inFrame{ID: 7, Error: &Error{Code: 131, Message: "publish rate exceeded: 60/s, burst 60"}}},
		{"largest id", `{"id":9999999999999999999,"result":{}}`, inFrame{ID: 9999999999999999999, Result: json.RawMessage(`{}`)}},
		{"unknown fields skipped", `{"type":"pub","v":2,"extra":{"a":[1,"\""]},"channel":"c"}`, inFrame{Type: "pub", Channel: "c"}},
		{"null data", `{"type":"pub","data":null}`, inFrame{Type: "pub", Data: json.RawMessage(`null`)}},
		{"unknown type", `{"type":"future"}`, inFrame{Type: "future"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got inFrame
			d := frameDecoder{b: []byte(tt.frame)}
			if !d.frame(&got) {
				t.Fatalf("%s fell back to encoding/json", tt.frame)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			checkSame(t, []byte(tt.frame))
		})
	}
}

// BenchmarkDecodeFrame compares encoding/json with decodeFrame on a
// typical publication.
//
//	go test ./engine/client -run '^$' -bench DecodeFrame
func BenchmarkDecodeFrame(b *testing.B) {
	frame := []byte(`{"type":"pub","channel":"bench","offset":123456,"epoch":"f3a9c2d1","data":{"text":"a message of a typical size, about one hundred bytes long, sent to every subscriber"},"from":"alice","time":1764064800123}`)
	decoders := []struct {
		name   string
		decode func([]byte, *inFrame) error
	}{
		{"json.Unmarshal", func(b []byte, f *inFrame) error { *f = inFrame{}; return json.Unmarshal(b, f) }},
		{"decodeFrame", decodeFrame},
	}
	for _, dec := range decoders {
		b.Run(dec.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			var f inFrame
			for b.Loop() {
				if err := dec.decode(frame, &f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
