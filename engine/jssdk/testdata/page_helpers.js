// Helpers for the browser tests in jssdk_e2e_test.go (repository root). The
// test evaluates this file as the body of an async function, in a page of the
// portal's origin, after importing the SDK as window.sb.
window.T = {
  url: location.origin.replace(/^http/, 'ws') + '/v1/ws',
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),

  async waitFor(what, cond, ms = 5000) {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out waiting for ' + what);
      await T.sleep(10);
    }
  },

  // fail awaits p (or calls it) and returns the error it rejects with.
  async fail(p) {
    try {
      await (typeof p === 'function' ? p() : p);
    } catch (e) {
      return { code: e.code, codeName: e.codeName, typed: e instanceof sb.SwitchboardError };
    }
    throw new Error('expected an error');
  },

  // gated returns a WebSocket class (g.WebSocket) that records its instances
  // in g.sockets and, while g.closed, asks for a path that does not exist, so
  // that reconnect attempts fail with a 404.
  gated() {
    const g = { sockets: [], closed: false };
    g.WebSocket = class extends WebSocket {
      constructor(url) {
        super(g.closed ? url + '-gate-closed' : url);
        g.sockets.push(this);
      }
    };
    return g;
  },
};
