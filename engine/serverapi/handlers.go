package serverapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard-rtm/switchboard/engine"
)

// MaxIdempotencyKeyBytes is the longest idempotency_key.
const MaxIdempotencyKeyBytes = 256

type publishRequest struct {
	Channel        string          `json:"channel"`
	Data           json.RawMessage `json:"data"`
	IdempotencyKey string          `json:"idempotency_key"`
}

type positionResponse struct {
	Offset uint64 `json:"offset"`
	Epoch  string `json:"epoch"`
}

// publish: POST /v1/api/publish {"channel", "data", "idempotency_key"?}
// → {"offset", "epoch"}.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, app engine.App) error {
	var req publishRequest
	if err := s.readBody(r, &req); err != nil {
		return err
	}
	if req.Data == nil {
		return apiError(engine.CodeBadRequest, "missing data")
	}
	if len(req.IdempotencyKey) > MaxIdempotencyKeyBytes {
		return apiError(engine.CodeBadRequest, "idempotency_key is over %d bytes", MaxIdempotencyKeyBytes)
	}
	publish := func() (engine.StreamPosition, error) {
		return s.cfg.Engine.Publish(r.Context(), app.ID, req.Channel, req.Data)
	}
	var pos engine.StreamPosition
	var err error
	if req.IdempotencyKey == "" {
		pos, err = publish()
	} else {
		var replayed bool
		pos, replayed, err = s.idem.do(r.Context(), app.ID, req.IdempotencyKey, publish)
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, positionResponse{pos.Offset, pos.Epoch})
}

type broadcastRequest struct {
	Channels []string        `json:"channels"`
	Data     json.RawMessage `json:"data"`
}

type broadcastResult struct {
	Channel string        `json:"channel"`
	Offset  uint64        `json:"offset,omitempty"`
	Epoch   string        `json:"epoch,omitempty"`
	Error   *engine.Error `json:"error,omitempty"`
}

// broadcast: POST /v1/api/broadcast {"channels", "data"} → {"results": [...]},
// one result or error per channel, in the request's order. What is wrong
// with the request as a whole (its JSON, its data, the number of
// channels) fails it before anything is published.
func (s *Server) broadcast(w http.ResponseWriter, r *http.Request, app engine.App) error {
	var req broadcastRequest
	if err := s.readBody(r, &req); err != nil {
		return err
	}
	if req.Data == nil {
		return apiError(engine.CodeBadRequest, "missing data")
	}
	if len(req.Channels) == 0 || len(req.Channels) > MaxBroadcastChannels {
		return apiError(engine.CodeBadRequest, "channels must list 1-%d channels", MaxBroadcastChannels)
	}
	if max := s.cfg.Engine.Limits().MaxMessageBytes; len(req.Data) > max {
		return apiError(engine.CodeMessageTooLarge, "data is %d bytes, limit is %d", len(req.Data), max)
	}
	out := struct {
		Results []broadcastResult `json:"results"`
	}{make([]broadcastResult, len(req.Channels))}
	// One call: with webhooks, the events of all channels are stored in
	// one wait, not one per channel.
	positions, errs := s.cfg.Engine.Broadcast(r.Context(), app.ID, req.Channels, req.Data)
	for i, ch := range req.Channels {
		res := broadcastResult{Channel: ch}
		pos, err := positions[i], errs[i]
		var pe *engine.Error
		switch {
		case err == nil:
			res.Offset, res.Epoch = pos.Offset, pos.Epoch
		case errors.As(err, &pe):
			res.Error = pe
		case errors.Is(err, engine.ErrInvalid):
			res.Error = apiError(engine.CodeBadRequest, "%v", err)
		default:
			s.log.ErrorContext(r.Context(), "server api broadcast", "channel", ch, "err", err)
			res.Error = apiError(engine.CodeInternal, "internal error")
		}
		out.Results[i] = res
	}
	return writeJSON(w, http.StatusOK, out)
}

// queryUint reads an optional unsigned query parameter.
func queryUint(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, apiError(engine.CodeBadRequest, "query parameter %s must be a non-negative integer, not %q", name, v)
	}
	return n, nil
}

// history: GET /v1/api/channels/{channel}/history?limit=&since=&until=&latest=
// → the protocol's history reply: {"offset", "epoch", "oldest", "publications"}.
func (s *Server) history(w http.ResponseWriter, r *http.Request, app engine.App) error {
	var f engine.HistoryFilter
	var err error
	if f.Since, err = queryUint(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryUint(r, "until"); err != nil {
		return err
	}
	limit, err := queryUint(r, "limit")
	if err != nil {
		return err
	}
	if max := s.cfg.Engine.Limits().HistoryMaxLimit; limit > uint64(max) {
		return apiError(engine.CodeBadRequest, "limit must be 1-%d", max)
	}
	f.Limit = int(limit)
	if v := r.URL.Query().Get("latest"); v != "" {
		if f.Latest, err = strconv.ParseBool(v); err != nil {
			return apiError(engine.CodeBadRequest, "query parameter latest must be true or false, not %q", v)
		}
	}
	h, err := s.cfg.Engine.History(r.Context(), app.ID, r.PathValue("channel"), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h)
}

type presenceClient struct {
	User   string            `json:"user"`
	Client string            `json:"client"`
	State  map[string]string `json:"state"`
}

// presence: GET /v1/api/channels/{channel}/presence → {"clients": [{"user", "client", "state"}]}.
func (s *Server) presence(w http.ResponseWriter, r *http.Request, app engine.App) error {
	members, err := s.cfg.Engine.Presence(r.Context(), app.ID, r.PathValue("channel"))
	if err != nil {
		return err
	}
	out := struct {
		Clients []presenceClient `json:"clients"`
	}{[]presenceClient{}}
	for _, m := range members {
		for _, c := range m.Clients {
			out.Clients = append(out.Clients, presenceClient{User: m.User, Client: c, State: m.State})
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// occupancy: GET /v1/api/channels/{channel}/occupancy → {"clients", "users"}.
func (s *Server) occupancy(w http.ResponseWriter, r *http.Request, app engine.App) error {
	o, err := s.cfg.Engine.Occupancy(r.Context(), app.ID, r.PathValue("channel"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

// Channel listing page sizes.
const (
	DefaultChannelsLimit = 100
	MaxChannelsLimit     = 1000
)

// channels: GET /v1/api/channels?prefix=&limit=&cursor= → {"channels":
// [{"channel", "subscribers"}], "next_cursor"}; next_cursor is "" on the
// last page.
func (s *Server) channels(w http.ResponseWriter, r *http.Request, app engine.App) error {
	q := r.URL.Query()
	prefix, cursor := q.Get("prefix"), q.Get("cursor")
	if len(prefix) > engine.MaxChannelBytes || len(cursor) > engine.MaxChannelBytes {
		return apiError(engine.CodeChannelInvalid, "prefix and cursor are at most %d bytes", engine.MaxChannelBytes)
	}
	limit, err := queryUint(r, "limit")
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = DefaultChannelsLimit
	}
	if limit > MaxChannelsLimit {
		return apiError(engine.CodeBadRequest, "limit must be 1-%d", MaxChannelsLimit)
	}
	chans, more := s.cfg.Engine.Channels(r.Context(), app.ID, prefix, cursor, int(limit))
	out := struct {
		Channels   []engine.ChannelInfo `json:"channels"`
		NextCursor string               `json:"next_cursor"`
	}{Channels: chans}
	if out.Channels == nil {
		out.Channels = []engine.ChannelInfo{}
	}
	if more {
		out.NextCursor = chans[len(chans)-1].Name
	}
	return writeJSON(w, http.StatusOK, out)
}

type userMessageRequest struct {
	Data  json.RawMessage `json:"data"`
	Store *bool           `json:"store"`
}

// userMessage: POST /v1/api/users/{user}/messages {"data", "store"?} → the
// peer receipt {"status", "reason"?, "message_id"?, "expires_at"?}.
func (s *Server) userMessage(w http.ResponseWriter, r *http.Request, app engine.App) error {
	var req userMessageRequest
	if err := s.readBody(r, &req); err != nil {
		return err
	}
	rec, err := s.cfg.Engine.SendPeer(r.Context(), app.ID, r.PathValue("user"), req.Data, req.Store == nil || *req.Store)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rec)
}

// userDisconnect: POST /v1/api/users/{user}/disconnect → {"disconnected": n}.
func (s *Server) userDisconnect(w http.ResponseWriter, r *http.Request, app engine.App) error {
	var req struct{}
	if err := s.readBody(r, &req); err != nil {
		return err
	}
	n, err := s.cfg.Engine.DisconnectUser(r.Context(), app.ID, r.PathValue("user"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"disconnected": n})
}

// userUnsubscribe: POST /v1/api/users/{user}/unsubscribe {"channel"} → {"unsubscribed": n}.
func (s *Server) userUnsubscribe(w http.ResponseWriter, r *http.Request, app engine.App) error {
	var req struct {
		Channel string `json:"channel"`
	}
	if err := s.readBody(r, &req); err != nil {
		return err
	}
	n, err := s.cfg.Engine.UnsubscribeUser(r.Context(), app.ID, r.PathValue("user"), req.Channel)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"unsubscribed": n})
}

// openAPI: GET /v1/api/openapi.json, without authentication.
func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request, _ engine.App) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(OpenAPI)
	return err
}
