package portal

import (
	"encoding/binary"
	"hash"
	"hash/fnv"
	"strconv"
	"sync"
)

// boundedCache is a map safe for concurrent use that forgets everything
// when it reaches max entries: simple, and enough for the page caches,
// whose entries are cheap to render again. The zero value with max set
// is ready to use.
type boundedCache[V any] struct {
	max   int
	mu    sync.Mutex
	byKey map[string]V
}

func (c *boundedCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.byKey[key]
	return v, ok
}

func (c *boundedCache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil || len(c.byKey) >= c.max {
		c.byKey = map[string]V{}
	}
	c.byKey[key] = v
}

func (c *boundedCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

// keyHash builds a cache key from the fields a rendering shows: each
// number and length-prefixed string goes into an FNV-1a hash.
type keyHash struct {
	h hash.Hash64
	b [8]byte
}

func newKeyHash() *keyHash { return &keyHash{h: fnv.New64a()} }

func (k *keyHash) num(n int64) {
	binary.LittleEndian.PutUint64(k.b[:], uint64(n))
	k.h.Write(k.b[:])
}

func (k *keyHash) str(s string) {
	k.num(int64(len(s)))
	k.h.Write([]byte(s))
}

func (k *keyHash) flag(on bool) {
	if on {
		k.num(1)
	} else {
		k.num(0)
	}
}

// sum is the key so far, in hexadecimal.
func (k *keyHash) sum() string { return strconv.FormatUint(k.h.Sum64(), 16) }
