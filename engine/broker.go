package engine

import (
	"context"
	"encoding/json"
	"time"
)

// Publication is one message in a channel's stream.
type Publication struct {
	Offset uint64          // position in the channel, starting at 1
	Epoch  string          // stream generation; changes if the stream's history is lost
	Data   json.RawMessage // the client's data, byte for byte
	From   string          // publisher's user ID ("" for server publications)
	Time   int64           // Unix milliseconds
	frame  wsFrame         // the encoded "pub" push, shared by all subscribers
	// accepted is when this node's broker took the publication (with the
	// monotonic clock), for the server-side latency of usage accounting;
	// for one read back from a NATS stream, its stored time (wall clock).
	accepted time.Time
}

// Frame returns the encoded "pub" push (JSON) for this publication. It is
// built once by the broker, as a WebSocket frame that every subscriber's
// send queue shares.
func (p *Publication) Frame() []byte { return p.frame.payload() }

// StreamPosition is a channel's latest offset and its epoch.
type StreamPosition struct {
	Offset uint64
	Epoch  string
}

// HistoryFilter selects publications: offsets in (Since, Until] (Until 0 =
// no upper bound), at most Limit of them, the newest ones if Latest.
type HistoryFilter struct {
	Since  uint64
	Until  uint64
	Limit  int
	Latest bool
}

// HistoryResult is the answer to Broker.History.
type HistoryResult struct {
	Position     StreamPosition
	Oldest       uint64 // smallest offset still kept, 0 if none
	Publications []*Publication
}

type historyPub struct {
	Offset uint64          `json:"offset"`
	Data   json.RawMessage `json:"data"`
	From   string          `json:"from"`
	Time   int64           `json:"time"`
}

type historyJSON struct {
	Offset       uint64       `json:"offset"`
	Epoch        string       `json:"epoch"`
	Oldest       uint64       `json:"oldest"`
	Publications []historyPub `json:"publications"`
}

// MarshalJSON encodes the result as the protocol's history reply (and the
// server API's history response): {"offset", "epoch", "oldest",
// "publications": [{"offset", "data", "from", "time"}]}.
func (h HistoryResult) MarshalJSON() ([]byte, error) {
	out := historyJSON{Offset: h.Position.Offset, Epoch: h.Position.Epoch, Oldest: h.Oldest, Publications: make([]historyPub, len(h.Publications))}
	for i, p := range h.Publications {
		out.Publications[i] = historyPub{Offset: p.Offset, Data: p.Data, From: p.From, Time: p.Time}
	}
	return json.Marshal(out)
}

// BrokerEventHandler receives publications from the broker. HandlePublication
// is called in offset order per channel, and a publication is visible to
// History before (or while) it is handed to the handler, so a subscriber that
// registers first and then reads history misses nothing.
type BrokerEventHandler interface {
	HandlePublication(ch ChannelID, pub *Publication)
}

// Broker assigns offsets, keeps history and fans publications out to every
// node's event handler. MemoryBroker is the single-node implementation.
type Broker interface {
	// RegisterEventHandler sets the handler; it is called once, before use.
	RegisterEventHandler(h BrokerEventHandler)
	// Subscribe tells the broker this node has subscribers in ch (a
	// multi-node broker subscribes to the channel's topic). Unsubscribe
	// undoes it. Both may be no-ops.
	Subscribe(ch ChannelID) error
	Unsubscribe(ch ChannelID) error
	// Publish appends data to the channel's stream, stores it in history
	// and delivers it to the event handlers. It returns the publication with
	// its offset and epoch, or an error if it could not be stored (then
	// nothing was delivered).
	Publish(ctx context.Context, ch ChannelID, data json.RawMessage, from string) (*Publication, error)
	// History returns kept publications matching f and the stream position.
	History(ctx context.Context, ch ChannelID, f HistoryFilter) (HistoryResult, error)
	// RemoveApp forgets every stream of app.
	RemoveApp(ctx context.Context, app string) error
	// Close stops background work.
	Close() error
}

// selectHistory answers a history request from kept, the channel's kept
// publications in ascending offsets: every broker filters the same way.
func selectHistory(pos StreamPosition, kept []*Publication, f HistoryFilter) HistoryResult {
	res := HistoryResult{Position: pos}
	if len(kept) > 0 {
		res.Oldest = kept[0].Offset
	}
	var match []*Publication
	for _, p := range kept {
		if p.Offset > f.Since && (f.Until == 0 || p.Offset <= f.Until) {
			match = append(match, p)
		}
	}
	if f.Limit > 0 && len(match) > f.Limit {
		if f.Latest {
			match = match[len(match)-f.Limit:]
		} else {
			match = match[:f.Limit]
		}
	}
	res.Publications = match
	return res
}
