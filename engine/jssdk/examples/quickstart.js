// Quick start for the Switchboard JavaScript SDK. The docs include the code
// between the region markers verbatim; jssdk_e2e_test.go (in the repository
// root) loads this file in headless Chromium and runs quickstart() against a
// live engine with a real app and token.

// [START quickstart]
import { connect } from '/sdk/v1/switchboard.js';

// url is your server's WebSocket endpoint, for example
// 'wss://switchboard.example.com/v1/ws'. token is a JWT that your backend
// mints for the signed-in user (see "Authentication and tokens").
export async function quickstart(url, token) {
  const client = await connect(url, token);

  // Subscribe to a channel: onMessage gets every message, in order.
  let firstMessage;
  const received = new Promise((resolve) => { firstMessage = resolve; });
  await client.subscribe('news', {
    onMessage: (m) => firstMessage(`${m.channel} #${m.offset} from ${m.from}: ${JSON.stringify(m.data)}`),
  });

  // Publish to it; any JSON value will do.
  await client.publish('news', { text: 'hello' });

  const line = await received;
  console.log(line); // news #1 from alice: {"text":"hello"}
  client.close();
  return line;
}
// [END quickstart]
