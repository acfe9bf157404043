package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// topicRow returns the list item of the topic with id in a list page.
func topicRow(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<li class="topic-row[^"]*" data-topic="` + id + `">.*?</li>\n`).FindString(body)
	if m == "" {
		t.Fatalf("topic %s not in the list:\n%.2000s", id, body)
	}
	return m
}

// Topic lists the Discourse way: category, tags, replies, votes, views,
// last activity and its author, the solved mark, and "new" for signed-in
// readers until they read the topic. @name in a post links to the profile.
func TestForumListColumnsAndMentions(t *testing.T) {
	s, st := newForumServer(t)
	reader := newBrowser(t, s)
	reader.signup("reader@example.com", "Reader")
	time.Sleep(5 * time.Millisecond) // the topic comes after the reader's sign-up
	asker := newBrowser(t, s)
	asker.ip = "192.0.2.7:1"
	asker.signup("asker@example.com", "Asker Person")
	loc := asker.ask("Which SDK reconnects by itself?", "Both? Ask @reader or @nobody_known.")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")

	// The mention of an existing user links to their profile in the page's
	// language; an unknown name stays text.
	w := asker.get("/zh" + strings.TrimPrefix(loc, "/en"))
	if w.Code == http.StatusMovedPermanently {
		w = asker.get(w.Header().Get("Location"))
	}
	wantBody(t, "topic", w.Body.String(), `<a class="mention" href="/zh/u/reader">@reader</a>`, "@nobody_known")

	helper := newBrowser(t, s)
	helper.ip = "192.0.2.8:1"
	helper.signup("helper@example.com", "Helper")
	wantStatus(t, helper.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"The Go SDK and the JavaScript SDK both do."}}, true), http.StatusSeeOther)
	helper.get(loc)
	if err := st.FlushViews(t.Context()); err != nil {
		t.Fatal(err)
	}

	row := topicRow(t, reader.get("/en/forum").Body.String(), id)
	for _, want := range []string{
		`href="/en/forum/c/getting-started" data-category>Getting started</a>`,
		`href="/en/forum/tag/go">#go</a>`,
		`<span data-replies>1 reply</span>`,
		`<span data-votes>0 votes</span>`,
		`<span data-views>2 views</span>`, // the asker's and the helper's; the reader has not opened it
		`Last activity: <time datetime=`,
		` ago</time>`,
		`<a href="/en/u/helper">Helper</a>`,
		`data-new>New</span>`,
	} {
		if !strings.Contains(row, want) {
			t.Errorf("list row lacks %s:\n%s", want, row)
		}
	}
	// Reading it clears "new"; signed out there is no marker at all.
	reader.get(loc)
	if row := topicRow(t, reader.get("/en/forum").Body.String(), id); strings.Contains(row, "data-new") {
		t.Errorf("still new after the reader opened it:\n%s", row)
	}
	anon := newBrowser(t, s)
	if row := topicRow(t, anon.get("/zh/forum?lang=all").Body.String(), id); strings.Contains(row, "data-new") || !strings.Contains(row, "data-category>入门</a>") || !strings.Contains(row, "1 条回复") {
		t.Errorf("signed-out zh row:\n%s", row)
	}
}
