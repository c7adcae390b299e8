package platform

import "github.com/flowtap/flowtap/appliance/export"

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

// String is the CLI keyword: "5", "9", "ipfix". The numbers are the
// encoder's, whose spelling this reuses.
func (v ExportVersion) String() string {
	if v == 0 {
		return "0" // unset: the persona's default applies
	}
	return export.Version(v).String()
}

// ParseExportVersion reads the CLI keyword.
func ParseExportVersion(s string) (ExportVersion, error) {
	v, err := export.ParseVersion(s)
	return ExportVersion(v), err
}
