package content

import (
	"strings"
	"testing"
)

func TestSplitFrontMatter(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		want    FrontMatter
		body    string
		wantErr string // substring of the error; "" for success
	}{
		{
			name: "all keys",
			src:  "---\ntitle: Channels\ndescription: Subscribe and publish.\nweight: 20\nsource_hash: 3f2a9c0d1b7e\n---\n# Body\n",
			want: FrontMatter{Title: "Channels", Description: "Subscribe and publish.", Weight: 20, SourceHash: "3f2a9c0d1b7e"},
			body: "# Body\n",
		},
		{
			name: "quotes, comments, blank lines and a BOM",
			src:  "\ufeff---\n# a comment\ntitle: \"频道: 订阅与发布\"\n\nweight: -5   # first\nsource_hash: abc # translated 2026-11\n---\nbody",
			want: FrontMatter{Title: "频道: 订阅与发布", Weight: -5, SourceHash: "abc"},
			body: "body",
		},
		{
			name: "CRLF line ends",
			src:  "---\r\ntitle: Channels\r\nweight: 20\r\n---\r\n# Body\r\nline two\r\n",
			want: FrontMatter{Title: "Channels", Weight: 20},
			body: "# Body\nline two\n",
		},
		{
			name: "no front matter",
			src:  "# Just Markdown\n",
			body: "# Just Markdown\n",
		},
		{name: "unknown key", src: "---\ntitle: A\nauthor: me\n---\n", wantErr: `unknown key "author"`},
		{name: "bad weight", src: "---\ntitle: A\nweight: ten\n---\n", wantErr: `weight "ten"`},
		{name: "missing closing", src: "---\ntitle: A\nweight: 1\n\nBody without end\n", wantErr: "no closing ---"},
		{name: "line without colon", src: "---\ntitle: A\njust words\n---\n", wantErr: "line 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fm, body, err := splitFrontMatter([]byte(tc.src))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if fm != tc.want {
				t.Errorf("got %+v, want %+v", fm, tc.want)
			}
			if string(body) != tc.body {
				t.Errorf("got body %q, want %q", body, tc.body)
			}
		})
	}
}

func TestSourceHashIgnoresLineEnds(t *testing.T) {
	unix := "---\ntitle: Channels\n---\nSubscribe.\n\nPublish.\n"
	fm1, b1, err1 := splitFrontMatter([]byte(unix))
	fm2, b2, err2 := splitFrontMatter([]byte(strings.ReplaceAll(unix, "\n", "\r\n")))
	if err1 != nil || err2 != nil {
		t.Fatalf("got errors %v, %v; want none", err1, err2)
	}
	if h1, h2 := SourceHash(fm1, b1), SourceHash(fm2, b2); h1 != h2 {
		t.Errorf("got %s for LF and %s for CRLF, want the same revision", h1, h2)
	}
}

func TestSourceHash(t *testing.T) {
	base := FrontMatter{Title: "Channels", Description: "Old description.", Weight: 10}
	body := []byte("Subscribe to a channel.\n")
	h := SourceHash(base, body)
	if len(h) != 12 {
		t.Fatalf("got hash %q of length %d, want 12 hex digits", h, len(h))
	}
	cases := []struct {
		name string
		fm   FrontMatter
		body string
		same bool
	}{
		{"same page", base, "Subscribe to a channel.\n", true},
		{"weight changed", FrontMatter{Title: "Channels", Description: "Old description.", Weight: 99}, "Subscribe to a channel.\n", true},
		{"description changed", FrontMatter{Title: "Channels", Description: "New words.", Weight: 10}, "Subscribe to a channel.\n", true},
		{"surrounding blank lines", base, "\n\nSubscribe to a channel.\n\n\n", true},
		{"source_hash of the page itself", FrontMatter{Title: "Channels", SourceHash: "x"}, "Subscribe to a channel.\n", true},
		{"body changed", base, "Subscribe to two channels.\n", false},
		{"title changed", FrontMatter{Title: "Channel", Weight: 10}, "Subscribe to a channel.\n", false},
		{"text moved from title to body", FrontMatter{Title: "Channel"}, "sSubscribe to a channel.\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := SourceHash(tc.fm, []byte(tc.body))
			if (got == h) != tc.same {
				t.Errorf("got %s against %s, want same=%v", got, h, tc.same)
			}
		})
	}
}
