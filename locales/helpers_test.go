package locales

import (
	"io/fs"
	"testing/fstest"
)

type mapFS map[string]string

func (m mapFS) FS() fs.FS {
	out := fstest.MapFS{}
	for k, v := range m {
		out[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return out
}
