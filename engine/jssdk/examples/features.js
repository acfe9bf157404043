// Examples of the JavaScript SDK's features, for the docs pages on tokens,
// peer messages, presence, and history and recovery. The docs include the
// code between region markers; jssdk_e2e_test.go (in the repository root)
// runs every function here in headless Chromium against a live engine and
// checks what it logs. log stands for console.log.

import { connect } from '/sdk/v1/switchboard.js';

/** Stays connected past the first token's expiry by renewing it. */
export async function renewal(url, token, fetchToken, log = console.log) {
  // [START renewal]
  const client = await connect(url, token, {
    // Called when the server says the token expires soon (the connection
    // stays open), and before reconnecting if it expired meanwhile. Usually:
    // getToken: () => fetch('/api/switchboard-token').then((r) => r.text()),
    getToken: fetchToken,
    on: {
      refresh: ({ expiresAt }) => log('token renewed, valid until', expiresAt.toISOString()),
      error: (err) => log('renewal failed:', err.codeName),
    },
  });
  // [END renewal]
  return client;
}

/** Alice writes to Bob while he is offline, then while he is online. */
export async function peer(url, aliceToken, bobToken, log = console.log) {
  // [START peer]
  const alice = await connect(url, aliceToken);
  let receipt = await alice.sendPeer('bob', { text: 'call me' });
  log(receipt.status); // "stored": bob is offline; he gets it at his next login

  // Register the listener in the options, so that stored messages, which
  // arrive right after login, are not missed.
  const bob = await connect(url, bobToken, {
    on: { peer: (m) => log(`${m.from}: ${m.data.text}`, m.offline ? '(stored)' : '(live)') },
  });
  receipt = await alice.sendPeer('bob', { text: 'are you there?' });
  log(receipt.status); // "delivered"

  receipt = await alice.sendPeer('carol', 'hello', { store: false });
  log(receipt.status, receipt.reason); // "failed offline": carol is offline, nothing stored
  // [END peer]
  return [alice, bob];
}

/** Who is in a room, with what state, and where a user is. */
export async function presence(url, token, log = console.log) {
  // [START presence]
  const client = await connect(url, token);
  await client.subscribe('room', {
    onPresence: (e) => log('presence:', e.type, e.user, JSON.stringify(e.state)),
  });
  await client.setState('room', { mood: 'busy' }); // string values only

  for (const m of await client.presence('room')) {
    log(m.user, m.connections, m.state.mood);
  }
  log('where:', await client.whereNow(client.info.userId));
  // [END presence]
  return client;
}

/** Reads history, then resumes a subscription from a saved position. */
export async function history(url, token, log = console.log) {
  const client = await connect(url, token);
  for (const text of ['one', 'two', 'three']) await client.publish('log', text);
  // [START history]
  // The last two messages, oldest first:
  const last = await client.history('log', { latest: true, limit: 2 });
  for (const p of last.publications) log(p.offset, p.data);

  // A page that kept position {offset, epoch} (say in localStorage) resumes
  // from it: what was published after it is delivered first, in order.
  const saved = { offset: 1, epoch: last.position.epoch };
  const sub = await client.subscribe('log', { recover: saved, onMessage: (m) => log('resumed', m.offset, m.data) });
  log('nothing missed:', sub.recovery.recovered);
  // [END history]
  return client;
}
