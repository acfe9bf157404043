package webhooks

import (
	"encoding/json"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// The "data" objects of the events (documented on the webhooks page).
type (
	connectData struct {
		Client     string `json:"client"`
		User       string `json:"user"`
		SDK        string `json:"sdk,omitempty"`
		SDKVersion string `json:"sdk_version,omitempty"`
	}
	disconnectData struct {
		Client string `json:"client"`
		User   string `json:"user"`
		Code   int    `json:"code"`
	}
	subscribeData struct {
		Client  string `json:"client"`
		User    string `json:"user"`
		Channel string `json:"channel"`
		Reason  string `json:"reason,omitempty"`
	}
	channelData struct {
		Channel string `json:"channel"`
	}
	presenceData struct {
		Channel string `json:"channel"`
		User    string `json:"user"`
		Client  string `json:"client"`
	}
	peerStoredData struct {
		From      string          `json:"from"`
		To        string          `json:"to"`
		MessageID int64           `json:"message_id"`
		ExpiresAt int64           `json:"expires_at"`
		Data      json.RawMessage `json:"data"`
	}
	publishData struct {
		Channel string          `json:"channel"`
		Offset  uint64          `json:"offset"`
		From    string          `json:"from"`
		Data    json.RawMessage `json:"data"`
	}
)

// Hook sets c's event callbacks to enqueue webhook events, keeping any
// callbacks already set (they run first), and makes s the engine's
// EventSync. Every callback returns at once (Enqueue never blocks); the
// engine waits in Sync, holding no lock, before it acknowledges.
func (s *Service) Hook(c *engine.Config) {
	c.EventSync = s
	// The wanted check comes first, so an event nobody subscribed to
	// costs a map lookup and no allocation (publish is on the hot path).
	enq := func(typ, app, channel string, data any) {
		s.Enqueue(Event{Type: typ, AppID: app, Channel: channel, Time: time.Now(), Data: data})
	}
	wanted := func(typ, app, channel string) bool { return s.routes.Load().wanted(typ, app, channel) }
	c.OnConnect = chain(c.OnConnect, func(ev engine.ConnectEvent) {
		if wanted(TypeConnect, ev.AppID, "") {
			enq(TypeConnect, ev.AppID, "", connectData{ev.ClientID, ev.UserID, ev.SDK, ev.SDKVersion})
		}
	})
	c.OnDisconnect = chain(c.OnDisconnect, func(ev engine.DisconnectEvent) {
		if wanted(TypeDisconnect, ev.AppID, "") {
			enq(TypeDisconnect, ev.AppID, "", disconnectData{ev.ClientID, ev.UserID, ev.Code})
		}
	})
	c.OnSubscribe = chain(c.OnSubscribe, func(ev engine.SubscribeEvent) {
		if wanted(TypeSubscribe, ev.AppID, ev.Channel) {
			enq(TypeSubscribe, ev.AppID, ev.Channel, subscribeData{ev.ClientID, ev.UserID, ev.Channel, ""})
		}
	})
	c.OnUnsubscribe = chain(c.OnUnsubscribe, func(ev engine.SubscribeEvent) {
		if wanted(TypeUnsubscribe, ev.AppID, ev.Channel) {
			enq(TypeUnsubscribe, ev.AppID, ev.Channel, subscribeData{ev.ClientID, ev.UserID, ev.Channel, ev.Reason})
		}
	})
	c.OnChannelOccupied = chain(c.OnChannelOccupied, func(ev engine.ChannelEvent) {
		if wanted(TypeChannelOccupied, ev.AppID, ev.Channel) {
			enq(TypeChannelOccupied, ev.AppID, ev.Channel, channelData{ev.Channel})
		}
	})
	c.OnChannelVacated = chain(c.OnChannelVacated, func(ev engine.ChannelEvent) {
		if wanted(TypeChannelVacated, ev.AppID, ev.Channel) {
			enq(TypeChannelVacated, ev.AppID, ev.Channel, channelData{ev.Channel})
		}
	})
	c.OnPresenceJoin = chain(c.OnPresenceJoin, func(ev engine.PresenceEvent) {
		if wanted(TypePresenceJoin, ev.AppID, ev.Channel) {
			enq(TypePresenceJoin, ev.AppID, ev.Channel, presenceData{ev.Channel, ev.UserID, ev.ClientID})
		}
	})
	c.OnPresenceLeave = chain(c.OnPresenceLeave, func(ev engine.PresenceEvent) {
		if wanted(TypePresenceLeave, ev.AppID, ev.Channel) {
			enq(TypePresenceLeave, ev.AppID, ev.Channel, presenceData{ev.Channel, ev.UserID, ev.ClientID})
		}
	})
	c.OnPeerStored = chain(c.OnPeerStored, func(ev engine.PeerStoredEvent) {
		if wanted(TypePeerStored, ev.AppID, "") {
			enq(TypePeerStored, ev.AppID, "", peerStoredData{ev.From, ev.To, ev.MessageID, ev.ExpiresAt, ev.Data})
		}
	})
	c.OnPublish = chain(c.OnPublish, func(ev engine.PublishEvent) {
		if wanted(TypePublish, ev.AppID, ev.Channel) {
			enq(TypePublish, ev.AppID, ev.Channel, publishData{ev.Channel, ev.Offset, ev.UserID, ev.Data})
		}
	})
}

// chain returns a callback that runs prev (if set) and then next.
func chain[E any, F ~func(E)](prev F, next func(E)) F {
	if prev == nil {
		return next
	}
	return func(ev E) {
		prev(ev)
		next(ev)
	}
}
