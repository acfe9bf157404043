package portal

import (
	"net/http"
	"net/url"
	"testing"
)

// The forum's search page finds topics through the shared search engine:
// Traditional characters, typos ("Did you mean") and some-of-your-words.
func TestForumSearchPage(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	b.signup("zh@example.com", "小王")
	w := b.post("/zh/forum/new", url.Values{"category": {"1"}, "title": {"断线以后怎样重连"}, "body": {"客户端断线后没有自动重连，怎么办？"}, "lang": {"zh"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	b.ask("Reconnect fails behind a proxy", "The client cannot reconnect when a corporate proxy closes idle sockets.")

	w = b.get("/zh/forum/search?lang=all&q=" + url.QueryEscape("斷線"))
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "Traditional", w.Body.String(), "断线以后怎样重连", `data-hits="1"`)
	w = b.get("/en/forum/search?lang=all&q=" + url.QueryEscape("reconect proxy"))
	wantBody(t, "typo", w.Body.String(), "Reconnect fails behind a proxy", "Did you mean:", `href="/en/forum/search?q=reconnect%20proxy&amp;lang=all"`)
	w = b.get("/zh/forum/search?lang=all&q=" + url.QueryEscape("重连 kubernetes"))
	wantBody(t, "some words", w.Body.String(), "断线以后怎样重连", "以下结果只包含你的部分搜索词。")
}
