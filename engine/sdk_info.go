package engine

import "sort"

// Limits of the optional "sdk" object of connect (PROTOCOL.md, connect).
const (
	MaxSDKNameBytes    = 64
	MaxSDKVersionBytes = 32
)

// sdkInfo is the SDK a client says it is: {"name", "version"} in connect.
type sdkInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func (s sdkInfo) check() *Error {
	if len(s.Name) > MaxSDKNameBytes || len(s.Version) > MaxSDKVersionBytes || !printable(s.Name) || !printable(s.Version) {
		return errf(CodeBadRequest, "sdk.name must be at most %d and sdk.version at most %d printable ASCII bytes", MaxSDKNameBytes, MaxSDKVersionBytes)
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// ClientInfo describes one connected client of an app.
type ClientInfo struct {
	ClientID, UserID string
	SDK, SDKVersion  string // as sent in connect; empty when not sent
}

// Clients lists the clients of app connected to this node, by client ID.
func (e *Engine) Clients(appID string) []ClientInfo {
	e.hub.mu.RLock()
	out := make([]ClientInfo, 0, len(e.hub.apps[appID]))
	for c := range e.hub.apps[appID] {
		out = append(out, ClientInfo{ClientID: c.id, UserID: c.user, SDK: c.sdk.Name, SDKVersion: c.sdk.Version})
	}
	e.hub.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return out
}
