package status

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// NodeProbe is the probe of one engine node (Config.NodeURLs): the same
// connect, messaging and peer checks as the EngineURL probe, every client
// on that node. HTTP is always Skipped.
type NodeProbe struct {
	// URL is the node's base URL as configured; it keys the node's rows.
	URL string `json:"url"`
	// Node is the node's name from its /healthz, else the URL's host.
	Node string `json:"node"`
	// Cross is the cross-node check: a client on the next node of
	// Config.NodeURLs (CrossFrom, its URL) publishes Config.Messages
	// messages, and every accepted one must reach this node's subscriber
	// within Config.ReceiveTimeout. Skipped with one node, when this
	// node's own messaging failed, or when no publish on CrossFrom was
	// accepted (that node's own row shows why).
	CrossFrom      string  `json:"cross_from,omitempty"`
	Cross          Outcome `json:"cross_node"`
	CrossExpected  int     `json:"cross_expected"`
	CrossDelivered int     `json:"cross_delivered"`
	Probe
}

// outcome is the node's engine outcome in this probe: connect, messaging,
// peer messages and the cross-node check together.
func (np *NodeProbe) outcome() Outcome {
	return worst(np.Connect, np.Messaging, np.Peer, np.Cross)
}

// validNodeURLs checks that every node URL is an absolute http or https
// URL without a query.
func validNodeURLs(urls []string) error {
	seen := map[string]bool{}
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return invalid("NodeURLs", "%q is not an http or https base URL, e.g. http://10.0.0.2:8080", s)
		}
		if seen[s] {
			return invalid("NodeURLs", "%q is listed twice", s)
		}
		seen[s] = true
	}
	return nil
}

// nodeWSURL is the engine endpoint under a node's base URL.
func nodeWSURL(base string) string {
	base = strings.TrimSuffix(base, "/")
	if rest, ok := strings.CutPrefix(base, "https://"); ok {
		return "wss://" + rest + "/v1/ws"
	}
	return "ws://" + strings.TrimPrefix(base, "http://") + "/v1/ws"
}

// probeNodes probes every node of Config.NodeURLs at once, each with its
// own probe users, and stores the results with start time at. A node's
// failures are recorded in its NodeProbe; the error is only for a
// cancelled ctx or a failure to store.
func (m *Monitor) probeNodes(ctx context.Context, at time.Time) ([]NodeProbe, error) {
	nps := make([]NodeProbe, len(m.cfg.NodeURLs))
	var wg sync.WaitGroup
	for i, u := range m.cfg.NodeURLs {
		wg.Go(func() {
			np := &nps[i]
			np.URL, np.Probe, np.Cross = u, Probe{At: at, HTTP: Skipped}, Skipped
			var errs []string
			fail := func(what string, err error) { errs = append(errs, what+": "+err.Error()) }
			pctx, cancel := context.WithTimeout(ctx, m.cfg.ProbeTimeout)
			defer cancel()
			np.Node = m.nodeName(pctx, u)
			n := strconv.Itoa(i + 1)
			var cross func(context.Context, engine.App, *receiver)
			if len(m.cfg.NodeURLs) > 1 {
				np.CrossFrom = m.cfg.NodeURLs[(i+1)%len(m.cfg.NodeURLs)]
				cross = func(ctx context.Context, app engine.App, r *receiver) {
					if err := m.probeCross(ctx, np, app, probeUserC+"-n"+n, r); err != nil {
						fail("cross-node from "+nodeHost(np.CrossFrom), err)
					}
				}
			}
			m.probeEngine(pctx, nodeWSURL(u), probeUserA+"-n"+n, probeUserB+"-n"+n, &np.Probe, fail, cross)
			np.Error = strings.Join(errs, "; ")
			if len(np.Error) > maxErrorText {
				np.Error = strings.ToValidUTF8(np.Error[:maxErrorText], "")
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nps, fmt.Errorf("probe nodes: %w", err)
	}
	if err := m.insertNodeProbes(ctx, nps); err != nil {
		return nps, err
	}
	for i := range nps {
		if nps[i].Error != "" {
			m.log.WarnContext(ctx, "status node probe failed", "node", nps[i].Node, "url", nps[i].URL, "error", nps[i].Error)
		}
	}
	return nps, nil
}

// crossFirst numbers the cross-node check's messages apart from the
// node's own (0 to Config.Messages-1) in the subscriber's receiver.
const crossFirst = 1 << 20

// probeCross publishes from a client on np.CrossFrom to the probe channel
// and collects what this node's subscriber (r) receives; it sets np.Cross.
func (m *Monitor) probeCross(ctx context.Context, np *NodeProbe, app engine.App, user string, r *receiver) error {
	c, err := m.dial(ctx, nodeWSURL(np.CrossFrom), app, user)
	if err != nil {
		return nil // that node's own probe reports it; Cross stays Skipped
	}
	defer c.Close()
	var sent int
	var pubErr error
	sentAt := m.publishProbe(ctx, c, r.nonce, crossFirst, &sent, &pubErr)
	if len(sentAt) == 0 {
		return nil // no publish accepted there: that node's row shows it
	}
	np.CrossExpected = len(sentAt)
	np.CrossDelivered, _ = m.collect(ctx, r, sentAt)
	if np.CrossDelivered < np.CrossExpected {
		np.Cross = Failed
		return fmt.Errorf("%d of %d messages not delivered within %v", np.CrossExpected-np.CrossDelivered, np.CrossExpected, m.cfg.ReceiveTimeout)
	}
	np.Cross = OK
	return nil
}

// nodeName reads the node's name from the "node: NAME" line of its
// /healthz. When the node does not answer or names no node, it is the
// name read last time, else the URL's host.
func (m *Monitor) nodeName(ctx context.Context, base string) string {
	if name := m.readNodeName(ctx, base); name != "" {
		m.namesMu.Lock()
		if m.names == nil {
			m.names = map[string]string{}
		}
		m.names[base] = name
		m.namesMu.Unlock()
		return name
	}
	m.namesMu.Lock()
	name := m.names[base]
	m.namesMu.Unlock()
	if name != "" {
		return name
	}
	return nodeHost(base)
}

func nodeHost(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}

func (m *Monitor) readNodeName(ctx context.Context, base string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/healthz", nil)
	if err != nil {
		return ""
	}
	res, err := m.cfg.HTTPClient.Do(req)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	// A 503 still names the node (the line after "<dependency> unavailable").
	sc := bufio.NewScanner(io.LimitReader(res.Body, 4096))
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "node: "); ok {
			return strings.TrimSpace(name)
		}
	}
	return ""
}
