package status

// Component is a part of the service the prober measures.
type Component string

// The measured components. Every probe run checks all four (HTTP only when
// Config.HTTPURL is set).
const (
	// ComponentConnect: opening a WebSocket to the public endpoint and
	// authenticating with a token (two clients per probe).
	ComponentConnect Component = "engine_connect"
	// ComponentMessaging: subscribe, publish Config.Messages messages and
	// receive every one of them within Config.ReceiveTimeout.
	ComponentMessaging Component = "messaging"
	// ComponentPeer: a peer message to the second probe user gets the
	// receipt "delivered" and arrives within Config.ReceiveTimeout.
	ComponentPeer Component = "peer_messages"
	// ComponentHTTP: a GET of Config.HTTPURL (docs and forum) answers 2xx.
	ComponentHTTP Component = "docs_forum_http"
)

// Derived components, computed per probe from the measured ones.
const (
	// ComponentEngine is up in a probe when connect, messaging and peer
	// messages all succeeded. The engine availability SLA is judged on it.
	ComponentEngine Component = "engine"
	// ComponentOverall is up in a probe when every probed component
	// succeeded (the engine components and, if configured, HTTP).
	ComponentOverall Component = "overall"
)

// MeasuredComponents lists the measured components in display order.
func MeasuredComponents() []Component {
	return []Component{ComponentConnect, ComponentMessaging, ComponentPeer, ComponentHTTP}
}

// allComponents is every component stored in roll-ups.
var allComponents = []Component{ComponentConnect, ComponentMessaging, ComponentPeer, ComponentHTTP, ComponentEngine, ComponentOverall}

// Valid reports whether c is a measured component (incidents may name
// only those).
func (c Component) Valid() bool {
	switch c {
	case ComponentConnect, ComponentMessaging, ComponentPeer, ComponentHTTP:
		return true
	}
	return false
}
