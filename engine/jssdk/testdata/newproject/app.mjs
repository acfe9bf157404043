// The program of the "new project" step of the JavaScript quick-start:
// newproject_test.go installs the SDK into a fresh npm project the way the
// docs say, and runs this against a real engine.

// [START app]
import { connect } from '@switchboard-rtm/js';

// node app.mjs ws://127.0.0.1:8080/v1/ws TOKEN (a JWT your backend mints).
const [url, token] = process.argv.slice(2);
const client = await connect(url, token);
console.log('connected as', client.info.userId);

let done;
const received = new Promise((resolve) => { done = resolve; });
await client.subscribe('news', {
  onMessage: (m) => done(`${m.channel} #${m.offset}: ${JSON.stringify(m.data)}`),
});
await client.publish('news', { text: 'hello from Node' });
console.log(await received);
client.close();
// [END app]
