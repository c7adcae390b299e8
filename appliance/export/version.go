package export

import (
	"fmt"
	"strings"
)

// Version is an export format.
type Version uint8

const (
	V5    Version = 5
	V7    Version = 7
	V8    Version = 8
	V9    Version = 9
	IPFIX Version = 10 // the IPFIX message header carries 10
)

// ParseVersion accepts the IOS spellings: 5, 7, 8, 9 and ipfix (or 10).
func ParseVersion(s string) (Version, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "5":
		return V5, nil
	case "7":
		return V7, nil
	case "8":
		return V8, nil
	case "9":
		return V9, nil
	case "ipfix", "10":
		return IPFIX, nil
	}
	return 0, fmt.Errorf("export version %q: want 5, 7, 8, 9 or ipfix", s)
}

func (v Version) String() string {
	switch v {
	case V5, V7, V8, V9:
		return fmt.Sprintf("%d", uint8(v))
	case IPFIX:
		return "ipfix"
	}
	return fmt.Sprintf("unknown(%d)", uint8(v))
}

// Templated reports whether the format describes its records with
// templates (v9 and IPFIX).
func (v Version) Templated() bool { return v == V9 || v == IPFIX }
