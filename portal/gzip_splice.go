package portal

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// A page cached for anonymous readers is the same for all of them except
// the reader's CSRF token, which appears a few times in it. splicedGzip
// keeps such a page compressed once, yet sends each reader a valid gzip
// stream with their own token in it, without compressing anything per
// request:
//
//   - each part between two tokens is a deflate stream of its own (no
//     back-reference reaches outside it), ended by a sync flush, which
//     leaves the stream byte-aligned and not final;
//   - a token goes between two parts as a stored (uncompressed) block;
//   - an empty final block, the CRC-32 and the length close the member.
//
// The result is one ordinary gzip member (RFC 1951 and 1952), which every
// decoder reads.

// gzipHeader is a gzip member header: deflate, no name, no time, unknown OS.
var gzipHeader = [10]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// finalBlock is an empty fixed-Huffman block with BFINAL set, as zlib
// writes after a sync flush when it finishes.
var finalBlock = [2]byte{0x03, 0x00}

// maxSplice is the longest token spliceable as one stored block.
const maxSplice = 0xffff

// splicedGzip is a page's parts, each compressed on its own.
type splicedGzip struct {
	parts [][]byte // deflate data of each part, sync-flushed
	plain [][]byte // the uncompressed parts, for the CRC-32
	size  int      // the compressed bytes of all parts
}

// newSplicedGzip compresses each part at the best compression level: it
// runs once per cached page, while the result is sent many times.
func newSplicedGzip(plain [][]byte) (*splicedGzip, error) {
	g := &splicedGzip{plain: plain, parts: make([][]byte, len(plain))}
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("gzip page: %w", err)
	}
	for i, p := range plain {
		buf.Reset()
		fw.Reset(&buf)
		if _, err := fw.Write(p); err != nil {
			return nil, fmt.Errorf("gzip page: %w", err)
		}
		if err := fw.Flush(); err != nil {
			return nil, fmt.Errorf("gzip page: %w", err)
		}
		g.parts[i] = bytes.Clone(buf.Bytes())
		g.size += buf.Len()
	}
	return g, nil
}

// length is the size of the stream writeTo writes with token.
func (g *splicedGzip) length(token string) int {
	return len(gzipHeader) + g.size + (len(g.parts)-1)*(5+len(token)) + len(finalBlock) + 8
}

// writeTo writes the gzip stream of the parts joined by token. The token
// must be at most maxSplice bytes.
func (g *splicedGzip) writeTo(w io.Writer, token string) error {
	if len(token) > maxSplice {
		return fmt.Errorf("gzip page: token of %d bytes", len(token))
	}
	var stored [5]byte // BFINAL=0, BTYPE=00 (stored), then LEN and NLEN
	binary.LittleEndian.PutUint16(stored[1:], uint16(len(token)))
	binary.LittleEndian.PutUint16(stored[3:], ^uint16(len(token)))
	crc, n := uint32(0), 0
	if _, err := w.Write(gzipHeader[:]); err != nil {
		return err
	}
	for i, part := range g.parts {
		if i > 0 {
			if _, err := w.Write(stored[:]); err != nil {
				return err
			}
			if _, err := io.WriteString(w, token); err != nil {
				return err
			}
			crc = crc32.Update(crc, crc32.IEEETable, []byte(token))
			n += len(token)
		}
		if _, err := w.Write(part); err != nil {
			return err
		}
		crc = crc32.Update(crc, crc32.IEEETable, g.plain[i])
		n += len(g.plain[i])
	}
	var trailer [len(finalBlock) + 8]byte
	copy(trailer[:], finalBlock[:])
	binary.LittleEndian.PutUint32(trailer[2:], crc)
	binary.LittleEndian.PutUint32(trailer[6:], uint32(n))
	_, err := w.Write(trailer[:])
	return err
}
