// "Show code": every action taken on a virtual client, as the equivalent
// JavaScript and Go SDK calls. The names are the SDKs' real ones
// (engine/jssdk/switchboard.js and engine/client), so the output runs.

const q = (s) => JSON.stringify(String(s));
const json = (v) => JSON.stringify(v);
const goRaw = (v) => 'json.RawMessage(`' + JSON.stringify(v).replaceAll('`', '` + "`" + `') + '`)';
const goState = (st) => 'map[string]string{' + Object.entries(st).map(([k, v]) => `${q(k)}: ${q(v)}`).join(', ') + '}';
const ident = (ch) => 'sub_' + ch.replace(/[^A-Za-z0-9]/g, '_');
// block scopes a Go step so that its variables may be declared again later.
const block = (s) => '{\n' + s.split('\n').map((l) => '\t' + l).join('\n') + '\n}';

// Templates by action: each returns [javascript, go].
const templates = {
  connect: ({ url, token }) => [
    `let client = await connect(${q(url)}, ${q(token)}, {\n  on: { peer: (m) => console.log('peer from', m.from, m.data) },\n});`,
    `c, err := client.Dial(ctx, ${q(url)}, ${q(token)},\n\tclient.WithPeerHandler(func(m client.PeerMessage) { fmt.Println("peer from", m.From, string(m.Data)) }))\nif err != nil {\n\tlog.Fatal(err)\n}\ndefer c.Close()`,
  ],
  subscribe: ({ channel }) => [
    `let ${ident(channel)} = await client.subscribe(${q(channel)}, {\n  onMessage: (m) => console.log(m.channel, m.offset, m.from, m.data),\n  onPresence: (e) => console.log(e.type, e.user, e.state),\n});`,
    `${ident(channel)}, err := c.Subscribe(ctx, ${q(channel)}, func(m client.Message) {\n\tfmt.Println(m.Channel, m.Offset, m.From, string(m.Data))\n}, client.WithPresenceEvents(func(e client.PresenceEvent) { fmt.Println(e.Type, e.User, e.State) }))\nif err != nil {\n\tlog.Fatal(err)\n}\n_ = ${ident(channel)}`,
  ],
  unsubscribe: ({ channel }) => [
    `await ${ident(channel)}.unsubscribe();`,
    `if err := ${ident(channel)}.Unsubscribe(ctx); err != nil {\n\tlog.Fatal(err)\n}`,
  ],
  publish: ({ channel, data }) => [
    `await client.publish(${q(channel)}, ${json(data)});`,
    block(`pos, err := c.Publish(ctx, ${q(channel)}, ${goRaw(data)})\nif err != nil {\n\tlog.Fatal(err)\n}\nfmt.Println(pos.Offset)`),
  ],
  peer: ({ to, data }) => [
    `console.log((await client.sendPeer(${q(to)}, ${json(data)})).status);`,
    block(`receipt, err := c.SendPeer(ctx, ${q(to)}, ${goRaw(data)})\nif err != nil {\n\tlog.Fatal(err)\n}\nfmt.Println(receipt.Status)`),
  ],
  state: ({ channel, state }) => [
    `await client.setState(${q(channel)}, ${json(state)});`,
    `if err := c.SetState(ctx, ${q(channel)}, ${goState(state)}); err != nil {\n\tlog.Fatal(err)\n}`,
  ],
  presence: ({ channel }) => [
    `console.log(await client.presence(${q(channel)}));`,
    block(`members, err := c.Presence(ctx, ${q(channel)})\nif err != nil {\n\tlog.Fatal(err)\n}\nfmt.Println(members)`),
  ],
  history: ({ channel, limit }) => [
    `console.log((await client.history(${q(channel)}, { limit: ${limit}, latest: true })).publications);`,
    block(`history, err := c.History(ctx, ${q(channel)}, client.HistoryOptions{Limit: ${limit}, Latest: true})\nif err != nil {\n\tlog.Fatal(err)\n}\nfor _, m := range history.Publications {\n\tfmt.Println(m.Offset, string(m.Data))\n}`),
  ],
  disconnect: ({ channels }) => [
    channels.map((ch) => `const ${ident(ch)}Pos = ${ident(ch)}.position; // where to resume`).concat(['client.close();']).join('\n'),
    channels.map((ch) => `${ident(ch)}Pos := ${ident(ch)}.Position()`).concat(['c.Close()']).join('\n'),
  ],
  reconnect: ({ url, token, channels }) => [
    [`client = await connect(${q(url)}, ${q(token)});`].concat(channels.map((ch) =>
      `${ident(ch)} = await client.subscribe(${q(ch)}, {\n  recover: ${ident(ch)}Pos, // missed messages arrive first\n  onMessage: (m) => console.log(m.channel, m.offset, m.data),\n});`)).join('\n'),
    [`c, err = client.Dial(ctx, ${q(url)}, ${q(token)})\nif err != nil {\n\tlog.Fatal(err)\n}`].concat(channels.map((ch) =>
      `${ident(ch)}, err = c.Subscribe(ctx, ${q(ch)}, func(m client.Message) {\n\tfmt.Println(m.Channel, m.Offset, string(m.Data))\n}, client.WithRecover(${ident(ch)}Pos)) // missed messages arrive first\nif err != nil {\n\tlog.Fatal(err)\n}`)).join('\n'),
  ],
};

/** Returns [js, go] code for one action. */
export function codeFor(action, args) {
  const t = templates[action];
  return t ? t(args) : ['', ''];
}

/** Wraps a card's actions into whole programs, ready to copy. */
export function programs(steps) {
  const js = ["import { connect } from '/sdk/v1/switchboard.js';", '']
    .concat(steps.map((s) => s[0])).join('\n');
  const body = steps.map((s) => s[1]).join('\n').split('\n').map((l) => (l ? '\t' + l : l)).join('\n');
  const go = 'package main\n\nimport (\n\t"context"\n\t"encoding/json"\n\t"fmt"\n\t"log"\n\n\t"github.com/switchboard-rtm/switchboard/engine/client"\n)\n\n' +
    'var _ = json.RawMessage{}\n\nfunc main() {\n\tctx := context.Background()\n\tvar err error\n\t_ = err\n' + body + '\n\tselect {} // keep receiving\n}\n';
  return [js, go];
}
