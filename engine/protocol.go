package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// maxRequestID is the largest id a client may use (2^53-1, safe in JavaScript).
const maxRequestID = 1<<53 - 1

// request is one client frame; see PROTOCOL.md section 4 for each op's fields.
type request struct {
	ID      uint64          `json:"id"`
	Op      string          `json:"op"`
	Token   string          `json:"token"`
	App     string          `json:"app"`
	SDK     sdkInfo         `json:"sdk"` // connect
	Channel string          `json:"channel"`
	Data    json.RawMessage `json:"data"`
	// subscribe
	Recover  bool   `json:"recover"`
	Offset   uint64 `json:"offset"`
	Epoch    string `json:"epoch"`
	Ack      bool   `json:"ack"`
	Presence bool   `json:"presence"`
	// history
	Since  uint64 `json:"since"`
	Until  uint64 `json:"until"`
	Limit  int    `json:"limit"`
	Latest bool   `json:"latest"`
	// presence, peers
	State     json.RawMessage `json:"state"`
	User      string          `json:"user"`
	To        string          `json:"to"`
	Store     *bool           `json:"store"`
	MessageID uint64          `json:"message_id"`
}

// opsWithoutID never get a reply.
var opsWithoutID = map[string]bool{"pong": true, "ack": true, "peer_ack": true}

// decodeRequest parses one text frame. On failure it returns the best id it
// could read (0 if none) with a bad_request error.
func decodeRequest(b []byte) (*request, *Error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errf(CodeBadRequest, "frame must be a JSON object")
	}
	var r request
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, errf(CodeBadRequest, "invalid JSON: %s", clip(err.Error(), 200))
	}
	// encoding/json accepts invalid UTF-8 and RawMessage keeps it: it would
	// reach subscribers, whose browsers close the socket over such a frame.
	if !utf8.Valid(b) {
		if r.ID > maxRequestID {
			r.ID = 0
		}
		return &r, errf(CodeBadRequest, "frame is not valid UTF-8")
	}
	if r.Op == "" {
		return &r, errf(CodeBadRequest, "missing op")
	}
	if r.ID > maxRequestID {
		r.ID = 0
		return &r, errf(CodeBadRequest, "id must be 1..2^53-1")
	}
	if r.ID == 0 && !opsWithoutID[r.Op] {
		return &r, errf(CodeBadRequest, "missing id")
	}
	return &r, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

type replyFrame struct {
	ID     uint64 `json:"id"`
	Result any    `json:"result,omitempty"`
	Error  *Error `json:"error,omitempty"`
}

type errorPush struct {
	Type  string `json:"type"`
	Error *Error `json:"error"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types are marshaled; failure is a programming error.
		panic(fmt.Sprintf("engine: encode frame: %v", err))
	}
	return b
}

// encodeFrame encodes one of our frame types as a WebSocket text frame.
func encodeFrame(v any) wsFrame { return textFrame(mustJSON(v)) }

func encodeReply(id uint64, result any) wsFrame {
	if result == nil {
		result = struct{}{}
	}
	return encodeFrame(replyFrame{ID: id, Result: result})
}

func encodeError(id uint64, e *Error) wsFrame {
	if id == 0 {
		return encodeFrame(errorPush{Type: "error", Error: e})
	}
	return encodeFrame(replyFrame{ID: id, Error: e})
}

// pubPush is the "pub" push; it is encoded once per publication and the
// same bytes are queued to every subscriber.
type pubPush struct {
	Type    string          `json:"type"`
	Channel string          `json:"channel"`
	Offset  uint64          `json:"offset"`
	Epoch   string          `json:"epoch"`
	Data    json.RawMessage `json:"data"`
	From    string          `json:"from"`
	Time    int64           `json:"time"`
}

func encodePub(channel string, p *Publication) wsFrame {
	return encodeFrame(pubPush{Type: "pub", Channel: channel, Offset: p.Offset, Epoch: p.Epoch, Data: p.Data, From: p.From, Time: p.Time})
}

// presencePush is a "join" or "state" push; State is always an object.
type presencePush struct {
	Type    string            `json:"type"`
	Channel string            `json:"channel"`
	Event   string            `json:"event"`
	User    string            `json:"user"`
	State   map[string]string `json:"state"`
}

// leavePush is a "leave" push, which has no state.
type leavePush struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	Event   string `json:"event"`
	User    string `json:"user"`
}

type peerPush struct {
	Type      string          `json:"type"`
	From      string          `json:"from"`
	Data      json.RawMessage `json:"data"`
	Time      int64           `json:"time"`
	MessageID int64           `json:"message_id,omitempty"`
	Offline   bool            `json:"offline,omitempty"`
}

var (
	pingFrame = textFrame([]byte(`{"type":"ping"}`))
)

type expiringPush struct {
	Type      string `json:"type"`
	ExpiresAt int64  `json:"expires_at"`
}

type shutdownPush struct {
	Type             string `json:"type"`
	ReconnectAfterMS int64  `json:"reconnect_after_ms"`
}

// unsubscribedPush tells a client that the server ended its subscription
// (server API: unsubscribe a user).
type unsubscribedPush struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
}
