package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Event types. Publish events are sent only for channels matching the
// endpoint's Channels pattern; TypeTest only by Service.Test.
const (
	TypeConnect         = "connect"
	TypeDisconnect      = "disconnect"
	TypeSubscribe       = "subscribe"
	TypeUnsubscribe     = "unsubscribe"
	TypeChannelOccupied = "channel.occupied"
	TypeChannelVacated  = "channel.vacated"
	TypePresenceJoin    = "presence.join"
	TypePresenceLeave   = "presence.leave"
	TypePeerStored      = "peer.stored"
	TypePublish         = "publish"
	TypeTest            = "webhook.test"
	// TypeAlertFired and TypeAlertResolved come from the console's alert
	// rules (package alerts), not the engine.
	TypeAlertFired    = "alert.fired"
	TypeAlertResolved = "alert.resolved"
)

// Types lists the event types an endpoint may ask for, in docs order.
var Types = []string{TypeConnect, TypeDisconnect, TypeSubscribe, TypeUnsubscribe,
	TypeChannelOccupied, TypeChannelVacated, TypePresenceJoin, TypePresenceLeave,
	TypePeerStored, TypeAlertFired, TypeAlertResolved, TypePublish}

// Errors. Callers map them with errors.Is.
var (
	ErrNotFound = errors.New("webhooks: endpoint not found")
	ErrInvalid  = errors.New("webhooks: invalid endpoint")
	ErrPrivate  = errors.New("webhooks: private and loopback addresses are not allowed on this server")
)

// Endpoint is where an app's events are sent.
type Endpoint struct {
	ID     string
	AppID  string
	URL    string
	Events []string // of Types
	// Channels is the channel pattern of publish events ("orders:*", "*"):
	// an exact name or a prefix ending in "*", as in token claims.
	Channels  string
	Secret    string // the HMAC-SHA256 signing key
	CreatedAt time.Time
}

// wants reports whether e gets events of typ (on channel, for publish).
func (e *Endpoint) wants(typ, channel string, match func(pattern, channel string) bool) bool {
	if !slices.Contains(e.Events, typ) {
		return false
	}
	return typ != TypePublish || match(e.Channels, channel)
}

// NewEndpoint is what Add needs to create an endpoint.
type NewEndpoint struct {
	AppID    string
	URL      string
	Events   []string
	Channels string
}

// validate checks n and normalizes its event list.
func (n *NewEndpoint) validate(ctx context.Context, denyPrivate bool) error {
	u, err := url.Parse(n.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("%w: url must be an http:// or https:// URL without credentials, got %q", ErrInvalid, n.URL)
	}
	if denyPrivate {
		if err := checkHost(ctx, u.Hostname()); err != nil {
			return err
		}
	}
	if len(n.Events) == 0 {
		return fmt.Errorf("%w: no events (choose from %s)", ErrInvalid, strings.Join(Types, ", "))
	}
	var evs []string
	for _, ev := range n.Events {
		ev = strings.TrimSpace(ev)
		if !slices.Contains(Types, ev) {
			return fmt.Errorf("%w: unknown event %q (choose from %s)", ErrInvalid, ev, strings.Join(Types, ", "))
		}
		if !slices.Contains(evs, ev) {
			evs = append(evs, ev)
		}
	}
	n.Events = evs
	if slices.Contains(evs, TypePublish) != (n.Channels != "") {
		return fmt.Errorf("%w: a channel pattern goes with the publish event, and publish needs one", ErrInvalid)
	}
	return nil
}

// checkHost refuses a host that is, or resolves to, a private, loopback,
// link-local or unspecified address.
func checkHost(ctx context.Context, host string) error {
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%w: resolve %s: %v", ErrInvalid, host, err)
	}
	for _, a := range addrs {
		if privateAddr(a) {
			return fmt.Errorf("%w (%s is %s)", ErrPrivate, host, a)
		}
	}
	return nil
}

func privateAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(a) // carrier-grade NAT
}
