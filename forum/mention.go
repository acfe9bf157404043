package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// maxMentions caps the users notified by one post, so a post cannot spam
// the whole forum.
const maxMentions = 10

// mentionRE finds "@handle" not preceded by an ASCII letter, digit or
// '_', '.', '-', '@', so e-mail addresses do not count, while Chinese text,
// which has no spaces ("请@李伟看一下"), does.
var mentionRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.@-])@([\p{L}\p{N}_][\p{L}\p{N}_.-]{0,29})`)

// mentionCandidates returns the distinct lower-cased texts following '@'.
func mentionCandidates(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		c := strings.ToLower(strings.TrimRight(m[1], ".-"))
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
		if len(out) >= 3*maxMentions {
			break
		}
	}
	return out
}

// resolveMentions maps candidates to user IDs.
func resolveMentions(ctx context.Context, tx *txn, cands []string) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, c := range cands {
		id, _, err := longestUsername(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		if len(ids) >= maxMentions {
			break
		}
	}
	return ids, nil
}

// longestUsername returns the user whose username is the longest prefix
// (two characters or more) of the candidate c, or 0. Chinese text often
// has no space after a name ("@李伟你好"), hence prefixes.
func longestUsername(ctx context.Context, tx *txn, c string) (int64, string, error) {
	r := []rune(strings.ToLower(c))
	var prefixes []any
	for n := len(r); n >= 2; n-- {
		prefixes = append(prefixes, string(r[:n]))
	}
	if len(prefixes) == 0 {
		return 0, "", nil
	}
	var id int64
	var username string
	err := tx.QueryRowContext(ctx, `SELECT id, username FROM forum_users WHERE username IN (?`+strings.Repeat(",?", len(prefixes)-1)+`)
		ORDER BY length(username) DESC LIMIT 1`, prefixes...).Scan(&id, &username)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("resolve mentions: %w", err)
	}
	return id, username, nil
}

// MentionHref starts the link of a resolved @mention in stored post HTML;
// the portal puts the reader's language before "/u/". The sanitizer lets
// no post carry class="mention", so only these links match.
const MentionHref = `<a class="mention" href="/u/`

// linkMentions turns each @name of an existing user in sanitized html
// (outside links and code) into a link to their profile.
func linkMentions(ctx context.Context, tx *txn, h string) (string, error) {
	if !strings.Contains(h, "@") {
		return h, nil
	}
	z := html.NewTokenizer(strings.NewReader(h))
	var b strings.Builder
	skip := 0 // depth inside a, code and pre
	for n := 0; ; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			if errors.Is(z.Err(), io.EOF) {
				return b.String(), nil
			}
			return "", fmt.Errorf("link mentions: %w", z.Err())
		}
		raw := string(z.Raw())
		switch tt {
		case html.StartTagToken, html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" || string(name) == "code" || string(name) == "pre" {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
		case html.TextToken:
			if skip == 0 && n < 10_000 {
				var err error
				if raw, err = linkText(ctx, tx, raw); err != nil {
					return "", err
				}
			}
		}
		b.WriteString(raw)
	}
}

// linkText links the mentions in one escaped text run.
func linkText(ctx context.Context, tx *txn, raw string) (string, error) {
	ms := mentionRE.FindAllStringSubmatchIndex(raw, maxMentions*3)
	if ms == nil {
		return raw, nil
	}
	var b strings.Builder
	at := 0
	for _, m := range ms {
		typed := strings.TrimRight(raw[m[2]:m[3]], ".-")
		_, username, err := longestUsername(ctx, tx, typed)
		if err != nil {
			return "", err
		}
		if username == "" {
			continue
		}
		// The typed name as written (its case), as long as the username.
		end := m[2]
		for i := 0; i < utf8.RuneCountInString(username); i++ {
			_, size := utf8.DecodeRuneInString(raw[end:])
			end += size
		}
		b.WriteString(raw[at : m[2]-1])
		b.WriteString(MentionHref + url.PathEscape(username) + `">@` + raw[m[2]:end] + `</a>`)
		at = end
	}
	b.WriteString(raw[at:])
	return b.String(), nil
}
