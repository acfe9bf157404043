// Runs one docs snippet inside <iframe sandbox="allow-scripts"> (served by
// GET /sandbox/runner). The frame has an opaque origin: the snippet cannot
// read the portal's cookies, storage or DOM. The parent sends
// {type: "run", code, sandbox: {appId, wsUrl, users}} by postMessage; the
// snippet sees the credentials as the global `sandbox` (a snippet that
// exports a single function is also called with (wsUrl, token, ...)), and what it logs
// (and any error) goes back to the parent. A classic script, so that it
// loads without CORS from the opaque origin; the snippet itself is
// imported as a blob: module, which this page's own CSP allows.
(function () {
  'use strict';
  const send = (type, text) => parent.postMessage({ source: 'sb-runner', type, text: String(text) }, '*');
  const show = (v) => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return v.message;
    try { return JSON.stringify(v); } catch { return String(v); }
  };
  for (const level of ['log', 'info', 'debug', 'warn']) console[level] = (...a) => send('log', a.map(show).join(' '));
  console.error = (...a) => send('error', a.map(show).join(' '));
  window.addEventListener('error', (e) => send('error', e.message));
  window.addEventListener('unhandledrejection', (e) => send('error', show(e.reason)));

  let ran = false;
  window.addEventListener('message', async (e) => {
    const m = e.data;
    if (e.source !== parent || ran || !m || m.type !== 'run' || typeof m.code !== 'string') return;
    ran = true;
    globalThis.sandbox = Object.freeze(m.sandbox || {});
    // A blob: module has no base URL for "/sdk/v1/switchboard.js":
    // make root-relative import specifiers absolute.
    const code = m.code.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\/[^/'"][^'"]*)\2/g,
      (all, pre, q, p) => pre + q + new URL(p, location.href).href + q);
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    try {
      const mod = await import(url);
      // A snippet that exports one function, like the JavaScript
      // quick-start's quickstart(url, token) or peer(url, aliceToken,
      // bobToken), is called with the sandbox's WebSocket URL and as many
      // demo users' tokens as it names before its first default value.
      const fns = Object.values(mod).filter((v) => typeof v === 'function');
      if (fns.length === 1) {
        const tokens = (sandbox.users || []).map((u) => u.token);
        await fns[0](sandbox.wsUrl, ...tokens.slice(0, Math.max(1, fns[0].length - 1)));
      }
    } catch (err) {
      send('error', show(err));
    } finally {
      URL.revokeObjectURL(url);
      send('done', '');
    }
  });
  send('ready', '');
})();
