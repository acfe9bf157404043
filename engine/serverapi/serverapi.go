// Package serverapi is the engine's server API: HTTP and JSON under
// /v1/api/, for an app's backend to publish, read history and presence,
// send peer messages and disconnect users. A request names its app by the
// app's API key (Authorization: Bearer <api_key>), not by a token.
//
// The package is an adapter: every operation is an exported method of
// engine.Engine, and errors are the protocol's codes (engine.Code) with
// the HTTP status of engine.Code.HTTPStatus. openapi.json, embedded,
// documents every route; Routes lists what the handler serves, and a test
// keeps the two equal.
package serverapi

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-rtm/switchboard/engine"
)

// Engine is what the server API needs of *engine.Engine.
type Engine interface {
	AppByAPIKey(ctx context.Context, key string) (engine.App, error)
	AllowAPIRequest(app engine.App) bool
	APIRate(app engine.App) (rate float64, burst int)
	Limits() engine.Limits
	Publish(ctx context.Context, appID, channel string, data json.RawMessage) (engine.StreamPosition, error)
	Broadcast(ctx context.Context, appID string, channels []string, data json.RawMessage) ([]engine.StreamPosition, []error)
	History(ctx context.Context, appID, channel string, f engine.HistoryFilter) (engine.HistoryResult, error)
	Presence(ctx context.Context, appID, channel string) ([]engine.Member, error)
	Occupancy(ctx context.Context, appID, channel string) (engine.Occupancy, error)
	Channels(ctx context.Context, appID, prefix, after string, limit int) ([]engine.ChannelInfo, bool)
	SendPeer(ctx context.Context, appID, user string, data json.RawMessage, store bool) (engine.PeerReceipt, error)
	DisconnectUser(ctx context.Context, appID, user string) (int, error)
	UnsubscribeUser(ctx context.Context, appID, user, channel string) (int, error)
}

var _ Engine = (*engine.Engine)(nil)

// Config configures the server API.
type Config struct {
	Engine Engine // required
	Logger *slog.Logger
	// Now is the clock (idempotency keys expire by it). Default: time.Now.
	Now func() time.Time
}

// IdempotencyWindow is how long a publish's idempotency_key is remembered.
const IdempotencyWindow = 5 * time.Minute

// MaxBroadcastChannels is the most channels one broadcast may name.
const MaxBroadcastChannels = 100

// OpenAPI is the OpenAPI 3.1 document of the server API.
//
//go:embed openapi.json
var OpenAPI []byte

// Server serves the server API.
type Server struct {
	cfg  Config
	log  *slog.Logger
	idem *idempotency
	mux  *http.ServeMux
}

// Route is one endpoint: its method and path pattern (as in openapi.json).
type Route struct {
	Method, Path string
	auth         bool
	h            func(s *Server, w http.ResponseWriter, r *http.Request, app engine.App) error
}

// Routes lists every endpoint the handler serves.
func Routes() []Route {
	return []Route{
		{"POST", "/v1/api/publish", true, (*Server).publish},
		{"POST", "/v1/api/broadcast", true, (*Server).broadcast},
		{"GET", "/v1/api/channels", true, (*Server).channels},
		{"GET", "/v1/api/channels/{channel}/history", true, (*Server).history},
		{"GET", "/v1/api/channels/{channel}/presence", true, (*Server).presence},
		{"GET", "/v1/api/channels/{channel}/occupancy", true, (*Server).occupancy},
		{"POST", "/v1/api/users/{user}/messages", true, (*Server).userMessage},
		{"POST", "/v1/api/users/{user}/disconnect", true, (*Server).userDisconnect},
		{"POST", "/v1/api/users/{user}/unsubscribe", true, (*Server).userUnsubscribe},
		{"GET", "/v1/api/openapi.json", false, (*Server).openAPI},
	}
}

// New returns the server API. Mount its Handler at /v1/api/.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("serverapi: Config.Engine is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, idem: newIdempotency(cfg.Now), mux: http.NewServeMux()}
	for _, rt := range Routes() {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	s.mux.HandleFunc("/v1/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, apiError(engine.CodeUnknownOp, "no endpoint %s %s; see /v1/api/openapi.json", r.Method, r.URL.Path))
	})
	return s, nil
}

// Handler returns the API's http.Handler; it expects paths under /v1/api/.
func (s *Server) Handler() http.Handler { return s.mux }

// wrap authenticates and rate-limits a request, then runs the route.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		var app engine.App
		if rt.auth {
			var err error
			if app, err = s.authenticate(r); err != nil {
				s.writeError(w, r, err)
				return
			}
			if !s.cfg.Engine.AllowAPIRequest(app) {
				rate, burst := s.cfg.Engine.APIRate(app)
				w.Header().Set("Retry-After", "1")
				s.writeError(w, r, apiError(engine.CodeRateLimited, "over the server API rate of %g requests per second (burst %d) for this app", rate, burst))
				return
			}
		}
		if err := rt.h(s, w, r, app); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (engine.App, error) {
	h := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
		return engine.App{}, apiError(engine.CodeAPIKeyInvalid, "send the app's API key as Authorization: Bearer <api_key>")
	}
	app, err := s.cfg.Engine.AppByAPIKey(r.Context(), strings.TrimSpace(key))
	if errors.Is(err, engine.ErrNotFound) {
		return engine.App{}, apiError(engine.CodeAPIKeyInvalid, "unknown or expired API key")
	}
	return app, err
}

func apiError(code engine.Code, format string, args ...any) *engine.Error {
	return &engine.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

type errorBody struct {
	Error *engine.Error `json:"error"`
}

// writeError is the one place errors become responses: a protocol error
// keeps its code and gets its HTTP status; engine.ErrInvalid is 101;
// anything else is 100 (internal) and logged.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var pe *engine.Error
	switch {
	case errors.As(err, &pe):
	case errors.Is(err, engine.ErrInvalid):
		pe = apiError(engine.CodeBadRequest, "%s", strings.TrimSuffix(err.Error(), ": "+engine.ErrInvalid.Error()))
	case errors.Is(err, engine.ErrClosed):
		pe = apiError(engine.CodeShuttingDown, "server is shutting down")
	default:
		s.log.ErrorContext(r.Context(), "server api", "method", r.Method, "path", r.URL.Path, "err", err)
		pe = apiError(engine.CodeInternal, "internal error")
	}
	writeJSON(w, pe.Code.HTTPStatus(), errorBody{pe})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// readBody decodes the request body into v: at most the engine's frame
// limit (Limits.MaxFrameBytes) of one JSON object with only known fields.
// An empty body is an empty object.
func (s *Server) readBody(r *http.Request, v any) error {
	limit := int64(s.cfg.Engine.Limits().MaxFrameBytes)
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return apiError(engine.CodeBadRequest, "read body: %v", err)
	}
	if int64(len(b)) > limit {
		return apiError(engine.CodeMessageTooLarge, "body is over the limit of %d bytes", limit)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	// encoding/json lets invalid UTF-8 through (RawMessage keeps it), and
	// subscribers would get text frames a browser closes the socket over.
	if !utf8.Valid(b) {
		return apiError(engine.CodeBadRequest, "body is not valid UTF-8 (at byte %d)", invalidUTF8At(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiError(engine.CodeBadRequest, "%s", describeJSONError(err))
	}
	if dec.More() {
		return apiError(engine.CodeBadRequest, "body has data after the JSON object")
	}
	return nil
}

// invalidUTF8At is the offset of b's first invalid UTF-8 sequence.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("body is not valid JSON (at byte %d): %v", syn.Offset, syn)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("body must be a JSON object, not %s", typ.Value)
		}
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, jsonType(typ.Type.Kind().String()), jsonType(typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "body is not valid JSON: it ends too early"
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + msg
	}
	return "body is not valid JSON: " + err.Error()
}

// jsonType names a Go kind, or a JSON value's type, as a JSON type.
func jsonType(kind string) string {
	switch kind {
	case "object", "array":
		return "an " + kind
	case "string":
		return "a string"
	case "bool", "boolean":
		return "a boolean"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}
