package portal

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// Every spliced stream must be a gzip member that a strict decoder (Go's
// checks the CRC-32 and the length) reads back as the parts joined by the
// token, whatever the token's length and wherever it falls.
func TestSplicedGzip(t *testing.T) {
	long := strings.Repeat("<p>lorem ipsum dolor sit amet</p>\n", 3000) // past the 32 KB window
	tests := []struct {
		name  string
		parts []string
		token string
	}{
		{"one part", []string{long}, "tok"},
		{"two parts", []string{"<head>", "</head><body>" + long}, strings.Repeat("x", 43)},
		{"token first and last", []string{"", "middle", ""}, "abc"},
		{"adjacent tokens", []string{"a", "", "", "b"}, "T"},
		{"empty token", []string{"left", "right"}, ""},
		{"longest token", []string{"left", "right"}, strings.Repeat("y", maxSplice)},
		{"repeated text across the token", []string{long, long}, "0123456789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := make([][]byte, len(tt.parts))
			for i, p := range tt.parts {
				plain[i] = []byte(p)
			}
			g, err := newSplicedGzip(plain)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := g.writeTo(&buf, tt.token); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.Len(), g.length(tt.token); got != want {
				t.Errorf("wrote %d bytes, length says %d", got, want)
			}
			zr, err := gzip.NewReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false)
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if want := strings.Join(tt.parts, tt.token); string(got) != want {
				t.Errorf("decoded %d bytes, want %d (%.40q...)", len(got), len(want), got)
			}
			if rest, _ := io.ReadAll(&buf); len(rest) != 0 {
				t.Errorf("%d bytes after the gzip member", len(rest))
			}
		})
	}
	g, _ := newSplicedGzip([][]byte{[]byte("a"), []byte("b")})
	if err := g.writeTo(io.Discard, strings.Repeat("z", maxSplice+1)); err == nil {
		t.Error("a token longer than a stored block was written")
	}
}

func BenchmarkSplicedGzip(b *testing.B) {
	page := []byte(strings.Repeat("<p>lorem ipsum dolor sit amet</p>\n", 1500))
	g, err := newSplicedGzip(bytes.SplitN(page, []byte("amet"), 3))
	if err != nil {
		b.Fatal(err)
	}
	token := strings.Repeat("k", 43)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		g.writeTo(io.Discard, token)
	}
}
