// A smoke test of the SDK in Node, run by TestNode in jssdk_test.go:
// node node_smoke.mjs SDK_URL WS_URL ALICE_TOKEN BOB_TOKEN
// (Node 20.10-21 need --experimental-websocket). It prints one JSON line.
const [sdkURL, url, aliceToken, bobToken] = process.argv.slice(2);
const sb = await import(sdkURL);
const inbox = [];
const bob = await sb.connect(url, bobToken, { on: { peer: (m) => inbox.push(m.data) } });
let disconnects = 0;
const alice = await sb.connect(url, aliceToken, { on: { disconnect: () => disconnects++ } });
const got = [];
await bob.subscribe('news', { onMessage: (m) => got.push([m.offset, m.from, m.data]) });
await alice.publish('news', { text: 'hi' });
const receipt = await alice.sendPeer('bob', 'psst');
const deadline = Date.now() + 5000;
while ((got.length < 1 || inbox.length < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 3000)); // several ping rounds when the server pings often
const error = await sb.connect(url, 'not-a-jwt').catch((e) => [e instanceof sb.SwitchboardError, e.code]);
alice.close();
bob.close();
console.log(JSON.stringify({ got, inbox, receipt: receipt.status, error, disconnects }));
