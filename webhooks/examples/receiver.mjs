// The webhook receiver the docs show, for Node 18+: no dependencies.
// webhooks/examples_test.go runs it as a real HTTP server that a real
// webhooks.Service delivers to, and checks that forged and replayed
// requests are refused.

// [START verify]
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const TOLERANCE_SECONDS = 5 * 60; // older signatures are replays

// verifySignature checks a Switchboard-Signature header,
// "t=<unix>,v1=<hex>", against the raw body (a Buffer) and the secret.
export function verifySignature(secret, header, rawBody, nowSeconds = Date.now() / 1000) {
  let t = '';
  const sigs = [];
  for (const part of String(header ?? '').split(',')) {
    const [k, v = ''] = part.trim().split('=');
    if (k === 't') t = v;
    if (k === 'v1') sigs.push(Buffer.from(v, 'hex'));
  }
  if (!/^\d+$/.test(t) || Math.abs(nowSeconds - Number(t)) > TOLERANCE_SECONDS) return false;
  const want = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return sigs.some((s) => s.length === want.length && timingSafeEqual(s, want));
}
// [END verify]

// [START server]
// webhookServer verifies each delivery and passes the event to onEvent.
// Answer 2xx quickly: anything else, or no answer in 10 s, is retried.
// Deliveries are at least once, so skip event IDs already handled.
export function webhookServer(secret, onEvent) {
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (!verifySignature(secret, req.headers['switchboard-signature'], body)) {
        res.writeHead(400).end('bad signature');
        return;
      }
      try {
        await onEvent(JSON.parse(body)); // {id, type, app_id, time, data}
        res.writeHead(204).end();
      } catch {
        res.writeHead(503).end('try again later');
      }
    });
  });
}
// [END server]
