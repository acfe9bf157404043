// Examples of the JavaScript SDK's features, one exported function each, for
// the docs pages on channels, presence, peer messages, history and tokens.
// Each docs region is the import line plus one function, so a snippet is a
// whole module: the docs' Run button runs it in the sandbox, calling the
// function with the sandbox's WebSocket URL and its demo users' tokens
// (alice's first, then bob's). jssdk_e2e_test.go and examples_test.go run
// every function in headless Chromium against a live engine and check what
// it logs.

// [START subscribe] [START ack] [START unsubscribe] [START peer] [START without-store] [START presence] [START presence-events] [START history] [START recovery] [START renew]
import { connect } from '/sdk/v1/switchboard.js';

// [END subscribe] [END ack] [END unsubscribe] [END peer] [END without-store] [END presence] [END presence-events] [END history] [END recovery] [END renew]
// [START subscribe]
export async function subscribe(url, token) {
  const client = await connect(url, token);
  let done;
  const received = new Promise((resolve) => { done = resolve; });
  const sub = await client.subscribe('room.42', {
    onMessage: (m) => { console.log(`#${m.offset} ${m.from}: ${JSON.stringify(m.data)}`); done(); },
  });
  await client.publish('room.42', { text: 'hi', x: 1 });
  await received;
  console.log('subscribed to', sub.channel);
  return client;
}
// [END subscribe]

// [START ack]
export async function ack(url, token) {
  const client = await connect(url, token);
  let done;
  const handled = new Promise((resolve) => { done = resolve; });
  // The SDK acknowledges each message after onMessage returns; if it
  // throws, the engine delivers the message again.
  await client.subscribe('orders', {
    ack: true,
    onMessage: (m) => { console.log(JSON.stringify(m.data), 'on', m.channel); done(); },
  });
  await client.publish('orders', 'order #1');
  await handled;
  return client;
}
// [END ack]

// [START unsubscribe]
export async function unsubscribe(url, token) {
  const client = await connect(url, token);
  const sub = await client.subscribe('news', { onMessage: () => {} });
  await sub.unsubscribe();
  console.log('unsubscribed from', sub.channel);
  return client;
}
// [END unsubscribe]

// [START peer]
export async function peer(url, aliceToken, bobToken) {
  const alice = await connect(url, aliceToken);
  let receipt = await alice.sendPeer('bob', { text: 'call me' });
  console.log(receipt.status); // "stored" if bob is offline: he gets it at his next login

  // Register the listener in the options, so that stored messages, which
  // arrive right after login, are not missed.
  let done;
  const live = new Promise((resolve) => { done = resolve; });
  const bob = await connect(url, bobToken, {
    on: {
      peer: (m) => {
        console.log(`${m.from}: ${m.data.text}`, m.offline ? '(stored)' : '(live)');
        if (!m.offline) done();
      },
    },
  });
  receipt = await alice.sendPeer('bob', { text: 'are you there?' });
  console.log(receipt.status); // "delivered"
  await live;
  return [alice, bob];
}
// [END peer]

// [START without-store]
export async function withoutStore(url, token) {
  const client = await connect(url, token);
  // Only if carol is online now; nothing is kept for her otherwise.
  const receipt = await client.sendPeer('carol', 'are you there?', { store: false });
  console.log(receipt.status, receipt.reason || ''); // "failed offline" when she is not
  return client;
}
// [END without-store]

// [START presence]
export async function presence(url, token) {
  const client = await connect(url, token);
  await client.subscribe('room', { onMessage: () => {} });
  await client.setState('room', { mood: 'busy' }); // string values only

  for (const m of await client.presence('room')) {
    console.log(m.user, m.connections, m.state.mood);
  }
  console.log('where:', await client.whereNow(client.info.userId));
  return client;
}
// [END presence]

// [START presence-events]
export async function presenceEvents(url, bobToken, aliceToken) {
  const bob = await connect(url, bobToken);
  let done;
  const left = new Promise((resolve) => { done = resolve; });
  await bob.subscribe('lobby', {
    onPresence: (e) => {
      console.log(e.type, e.user); // "join", "leave" or "state"
      if (e.type === 'leave') done();
    },
  });
  const alice = await connect(url, aliceToken);
  await alice.subscribe('lobby');
  alice.close();
  await left;
  return bob;
}
// [END presence-events]

// [START history]
export async function history(url, token) {
  const client = await connect(url, token);
  for (const text of ['one', 'two', 'three']) await client.publish('log', text);

  // The last two messages, oldest first:
  const h = await client.history('log', { latest: true, limit: 2 });
  for (const p of h.publications) console.log(p.offset, p.data);
  console.log('latest offset', h.position.offset, 'oldest kept', h.oldest);
  return client;
}
// [END history]

// [START recovery]
export async function recovery(url, token) {
  const client = await connect(url, token);
  // A page keeps the position {offset, epoch} of the last message it
  // handled (say in sessionStorage)...
  const saved = await client.publish('scores', { home: 1, away: 0 });
  await client.publish('scores', { home: 1, away: 1 });

  // ...and resumes from it: what was published after it arrives before
  // anything new, in order.
  const sub = await client.subscribe('scores', {
    recover: saved,
    onMessage: (m) => console.log('resumed', m.offset, JSON.stringify(m.data)),
    onResubscribe: (r) => {
      if (!r.recovered) console.log('some messages were older than the history window: reload the scores');
    },
  });
  console.log('nothing missed:', sub.recovery.recovered, 'missed:', sub.recovery.missed);
  return client;
}
// [END recovery]

// [START renew]
export async function renew(url, token, fetchToken = () => fetch('/api/switchboard-token').then((r) => r.text())) {
  const client = await connect(url, token, {
    // Called when the engine says the token expires soon (the connection
    // stays open), and before reconnecting if it expired meanwhile.
    getToken: fetchToken,
    on: {
      refresh: ({ expiresAt }) => console.log('token renewed, valid until', expiresAt.toISOString()),
      error: (err) => console.log('renewal failed:', err.codeName),
    },
  });
  console.log('connected; the token expires at', client.info.expiresAt.toISOString());
  return client;
}
// [END renew]
