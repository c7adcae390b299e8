package export

import "github.com/flowtap/flowtap/appliance/platform"

// Version is platform's export version, the one type the model, the
// grammars and the encoders share; the names here keep the encoder's
// code short.
type Version = platform.ExportVersion

// The export formats, as platform spells them.
const (
	V5    = platform.V5
	V7    = platform.V7
	V8    = platform.V8
	V9    = platform.V9
	IPFIX = platform.IPFIX
)
