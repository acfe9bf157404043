package forum

import "time"

// Demo content for a fresh forum. It describes only what the product
// does: the real-time engine's channels, peer messages, presence,
// history and recovery, JWT login, limits, and the Go and JavaScript SDKs.

type demoUser struct {
	key, email, name, lang string
	role                   Role
	bio                    string
}

var demoUsers = []demoUser{
	{"mei", "mei.lin@switchboard.example", "Mei Lin", LangEN, RoleStaff, "Engineer on the Switchboard engine team. I answer questions about the Go SDK and production setups."},
	{"wang", "wang.lei@switchboard.example", "王磊", LangZH, RoleStaff, "Switchboard 引擎团队工程师，主要负责鉴权和 JavaScript SDK。"},
	{"alex", "alex.rivera@example.com", "Alex Rivera", LangEN, RoleMember, "Building a live dashboard for a logistics company."},
	{"priya", "priya.nair@example.com", "Priya Nair", LangEN, RoleMember, ""},
	{"chen", "chen.jing@example.com", "陈静", LangZH, RoleMember, "在做一个在线协作白板。"},
}

type demoReply struct {
	author string
	after  time.Duration // after the previous post
	body   string
	vote   string // a user who up-votes the reply
	accept bool   // the asker accepts it
}

type demoTopic struct {
	author, category, lang, title, body string
	tags                                []string
	priority                            Priority
	at                                  time.Duration // after the seed's base time
	pinned                              bool
	replies                             []demoReply
}

var demoTopics = []demoTopic{
	{
		author: "mei", category: CategoryAnnouncements, lang: LangEN, pinned: true,
		title: "Welcome to the Switchboard community forum",
		tags:  []string{"meta"},
		body: `Welcome! This is the place to ask about Switchboard: the real-time engine, the Go and JavaScript SDKs, the sandbox, and running it in production.

- Pick the category that fits, and write in English or Chinese — both are answered.
- Replies from Switchboard engineers carry an **Official** badge.
- When a reply solves your problem, accept it so the next person finds the answer first.

We publish how fast official answers arrive on the response-times page, counted in business hours, waiting topics included.`,
	},
	{
		author: "alex", category: CategoryGoSDK, lang: LangEN, at: 26 * time.Hour,
		title: "Do I get the messages published while my Go client was reconnecting?",
		tags:  []string{"recovery", "history", "go"},
		body: "My Go service subscribes to `orders.eu` and the connection sometimes drops for a few seconds (a load balancer restarts). " +
			"Are the messages published during that gap lost, or does the client receive them after it reconnects?",
		replies: []demoReply{
			{author: "mei", after: 47 * time.Minute, vote: "priya", accept: true, body: "They are not lost, as long as the gap fits in the channel's history window.\n\n" +
				"Every message in a channel carries an **offset** and an **epoch**. The SDK remembers the last offset it saw; when it reconnects it resubscribes with that position, " +
				"and the engine sends every message published since, in order and without duplicates. The SDK then tells you whether recovery was complete.\n\n" +
				"Recovery is incomplete when the gap is longer than the history the channel keeps (the last N messages or T minutes), or when the epoch changed. " +
				"In that case, reload the current state from your backend instead of relying on the stream."},
			{author: "alex", after: 2 * time.Hour, body: "That explains it — our history window was far too short for a restart. Thanks!"},
		},
	},
	{
		author: "chen", category: CategoryGettingStarted, lang: LangZH, at: 50 * time.Hour,
		title: "后端应该怎样生成客户端登录用的 JWT？",
		tags:  []string{"jwt", "鉴权"},
		body:  "我们的后端是 Go 写的。前端连接 Switchboard 时需要一个令牌，这个令牌应该由谁来签发？需要哪些字段？",
		replies: []demoReply{
			{author: "wang", after: 35 * time.Minute, vote: "alex", accept: true, body: "令牌由你们自己的后端签发，用应用的 App Certificate 以 HS256 签名。必需的声明有 `sub`（用户 ID）、`app`（App ID）、`iat` 和 `exp`，" +
				"还可以加上按频道限制订阅和发布权限的可选声明。\n\n用 Go 的话，可以这样写：\n\n```go\nclaims := jwt.MapClaims{\n\t\"sub\": userID,\n\t\"app\": appID,\n\t\"iat\": time.Now().Unix(),\n\t\"exp\": time.Now().Add(time.Hour).Unix(),\n}\n" +
				"token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(appCertificate))\n```\n\n" +
				"注意：App Certificate 只能放在服务端，千万不要下发到浏览器。令牌快过期时，SDK 会触发事件，你只需要再向后端要一个新令牌，连接不会中断。"},
			{author: "chen", after: time.Hour, body: "明白了，已经跑通。谢谢！"},
		},
	},
	{
		author: "priya", category: CategoryJavaScriptSDK, lang: LangEN, at: 74 * time.Hour,
		title: "Presence lists the same user twice after a page reload",
		tags:  []string{"presence", "javascript"},
		body:  "When a user reloads the page, for a short while the presence list of the channel shows them twice. Is this a bug in the JavaScript SDK?",
		replies: []demoReply{
			{author: "alex", after: 40 * time.Minute, body: "I see the same thing. I think the old tab's connection is still counted for a moment."},
			{author: "mei", after: 80 * time.Minute, vote: "priya", body: "Alex is right, and it is expected. Presence is tracked per connection: the reloaded page opens a new connection, " +
				"and the old one is removed once the engine notices it is gone — immediately when the browser closes it cleanly, otherwise when the ping/pong keep-alive times out.\n\n" +
				"If your UI shows people rather than connections, group the presence entries by user ID (the token's `sub`)."},
		},
	},
	{
		author: "alex", category: CategoryProduction, lang: LangEN, at: 98 * time.Hour, priority: PriorityHigh,
		title: "What happens when a client publishes faster than the rate limit?",
		tags:  []string{"limits", "production"},
		body:  "Our sensors sometimes burst above 60 messages per second on one connection. Are the extra messages dropped silently?",
		replies: []demoReply{
			{author: "mei", after: 25 * time.Minute, accept: true, body: "Never silently. Each connection has a token bucket (60 messages/s by default, configurable). " +
				"A publish beyond it is refused with a documented error code, so your code knows exactly which message was not sent and can retry it later.\n\n" +
				"For bursty sensors, either batch readings into one message (up to the 32 KB message size limit) or spread them over several connections."},
		},
	},
	{
		author: "chen", category: CategoryGoSDK, lang: LangZH, at: 122 * time.Hour,
		title: "点对点消息的离线投递能保证顺序吗？",
		tags:  []string{"点对点消息"},
		body:  "用户 A 给离线的用户 B 连发了三条点对点消息，B 上线后收到的顺序和发送顺序一致吗？A 怎么知道消息有没有送达？",
		replies: []demoReply{
			{author: "wang", after: 55 * time.Minute, vote: "chen", accept: true, body: "能保证。B 离线时，消息会带着有效期保存在服务端，B 下次登录时按发送顺序投递。\n\n" +
				"A 每发一条都会收到回执：对方在线并已投递、对方离线已存储，或者失败（附带原因）。超过有效期仍未投递的离线消息会被丢弃，所以有效期要按业务需要来配置。"},
		},
	},
	{
		author: "chen", category: CategorySandbox, lang: LangZH, at: 146 * time.Hour,
		title: "沙盒里的频道历史消息能保留多久？",
		tags:  []string{"沙盒", "history"},
		body:  "我在沙盒里测试频道的历史消息和断线恢复。沙盒的历史保留时长和正式环境一样吗？想确认测试结果能不能代表线上表现。",
	},
}
