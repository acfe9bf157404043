package engine

// MaxChannelBytes is the longest channel name.
const MaxChannelBytes = 64

// ChannelID names a channel within an app. Apps are isolated: the same
// Name in two apps is two different channels.
type ChannelID struct {
	App  string
	Name string
}

// ValidChannel reports whether name is 1-64 bytes of A-Z a-z 0-9 _ - . : @ =.
func ValidChannel(name string) bool {
	if len(name) == 0 || len(name) > MaxChannelBytes {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '-', c == '.', c == ':', c == '@', c == '=':
		default:
			return false
		}
	}
	return true
}

func validUser(u string) bool {
	if len(u) == 0 || len(u) > MaxUserIDBytes {
		return false
	}
	for _, r := range u {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
