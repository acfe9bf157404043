package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
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

// resolveMentions maps candidates to user IDs. Chinese text often has no
// space after a name ("@李伟你好"), so each candidate matches the longest
// existing username it starts with.
func resolveMentions(ctx context.Context, tx *txn, cands []string) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, c := range cands {
		r := []rune(c)
		var prefixes []any
		for n := len(r); n >= 2; n-- {
			prefixes = append(prefixes, string(r[:n]))
		}
		if len(prefixes) == 0 {
			continue
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM forum_users WHERE username IN (?`+strings.Repeat(",?", len(prefixes)-1)+`)
			ORDER BY length(username) DESC LIMIT 1`, prefixes...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("resolve mentions: %w", err)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		if len(ids) >= maxMentions {
			break
		}
	}
	return ids, nil
}
