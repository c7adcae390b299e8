package export

import "github.com/flowtap/flowtap/appliance/platform"

// Version is an export format.
type Version uint8

const (
	V5    Version = 5
	V7    Version = 7
	V8    Version = 8
	V9    Version = 9
	IPFIX Version = 10 // the IPFIX message header carries 10
)

// String is the CLI keyword (5, 9, ipfix), platform's spelling.
func (v Version) String() string {
	if v == 0 {
		return "unknown(0)"
	}
	return platform.ExportVersion(v).String()
}

// Templated reports whether the format describes its records with
// templates (v9 and IPFIX).
func (v Version) Templated() bool { return v == V9 || v == IPFIX }
