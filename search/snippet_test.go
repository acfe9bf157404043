package search

import (
	"html"
	"strings"
	"testing"
)

// snippetBodies are long texts in both languages with the matches far
// from their start, so that snippets are cut on both sides.
var snippetBodies = []string{
	strings.Repeat("Subscribers receive publications in order; acknowledgements confirm delivery. ", 30) +
		"After a reconnect the client recovers missed messages from the channel history, using offsets and epochs. " +
		strings.Repeat("Tokens are signed by your backend with the app certificate and expire after an hour. ", 8),
	strings.Repeat("订阅一个频道即可收到发布的消息，确认送达保证消息不会丢失。", 30) +
		"客户端断线后会自动重连，并根据偏移量从历史中恢复错过的消息。" +
		strings.Repeat("令牌由你的后端使用应用证书签发，一小时后过期。", 8),
	strings.Repeat("混合文本 mixed text：WebSocket 协议与 JSON 帧 frames。", 40) + "断线重连 reconnecting 之后 recovery 完成。" +
		strings.Repeat("Presence 在线状态 presence 事件。", 10),
}

func TestSnippetNeverCutsWords(t *testing.T) {
	queries := []string{"reconnect", "history", "offsets epochs", "tokens", "断线重连", "偏移量", "历史", "令牌", "频道",
		"websocket 协议", "recovery", "在线状态", "presence", "消息", "subscribers", "json"}
	for _, body := range snippetBodies {
		text := []rune(strings.Join(strings.Fields(body), " "))
		for _, q := range queries {
			sn := Snippet(body, Parse(q+" "))
			plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(sn))
			head, tail := strings.HasPrefix(plain, "…"), strings.HasSuffix(plain, "…")
			plain = strings.TrimSuffix(strings.TrimPrefix(plain, "…"), "…")
			i := strings.Index(string(text), plain)
			if i < 0 || plain == "" {
				t.Errorf("%q: snippet %q is not a part of the body", q, sn)
				continue
			}
			start := len([]rune(string(text)[:i]))
			end := start + len([]rune(plain))
			if head != (start > 0) || tail != (end < len(text)) {
				t.Errorf("%q: snippet %q: ellipses do not match the cuts (%d..%d of %d)", q, sn, start, end, len(text))
			}
			for _, cut := range []int{start, end} {
				if !boundary(text, cut) {
					t.Errorf("%q: snippet %q cuts %q|%q", q, sn, string(text[max(0, cut-4):cut]), string(text[cut:min(len(text), cut+4)]))
				}
			}
			if len(findMatches(foldRunes(text), Parse(q+" "))) > 0 && !strings.Contains(sn, "<mark>") {
				t.Errorf("%q: snippet %q marks nothing", q, sn)
			}
		}
	}
}

// A Chinese dictionary word is not cut: 偏移量 stays whole at a cut.
func TestBoundary(t *testing.T) {
	text := []rune("根据偏移量恢复 reconnect")
	for i, want := range map[int]bool{0: true, 2: true, 3: false, 4: false, 5: true, 9: false, 8: true, len(text): true} {
		if got := boundary(text, i); got != want {
			t.Errorf("boundary at %d (%q|%q): got %v, want %v", i, string(text[:i]), string(text[i:]), got, want)
		}
	}
}

func foldRunes(text []rune) []rune {
	out := make([]rune, len(text))
	for i, r := range text {
		out[i] = foldRune(r, tables().ts)
	}
	return out
}
