package platform

import (
	"fmt"
	"strings"
)

// ExportVersion is a NetFlow export version; IPFIX is 10, its version
// field on the wire.
type ExportVersion uint16

const (
	V5    ExportVersion = 5
	V7    ExportVersion = 7
	V8    ExportVersion = 8
	V9    ExportVersion = 9
	IPFIX ExportVersion = 10
)

// String is the CLI keyword: "5", "9", "ipfix".
func (v ExportVersion) String() string {
	switch v {
	case 0:
		return "0" // unset: the persona's default applies
	case V5, V7, V8, V9:
		return fmt.Sprintf("%d", uint16(v))
	case IPFIX:
		return "ipfix"
	}
	return fmt.Sprintf("unknown(%d)", uint16(v))
}

// Label is the version as screens and logs name a format: "v5",
// "v9", "IPFIX".
func (v ExportVersion) Label() string {
	if v == IPFIX {
		return "IPFIX"
	}
	return fmt.Sprintf("v%d", uint16(v))
}

// Templated reports whether the format describes its records with
// templates (v9 and IPFIX).
func (v ExportVersion) Templated() bool { return v == V9 || v == IPFIX }

// ParseExportVersion reads the CLI keyword: 5, 7, 8, 9 and ipfix (or 10).
func ParseExportVersion(s string) (ExportVersion, error) {
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
