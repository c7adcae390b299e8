package platform

// ASMode is `ip flow-export version N origin-as|peer-as` (JunOS
// autonomous-system-type): which AS numbers the records carry. IOS
// exports src_as and dst_as as 0 with ASNone. The model, the grammars and
// the encoders share this one type.
type ASMode uint8

const (
	ASNone ASMode = iota
	ASOrigin
	ASPeer
)

func (m ASMode) String() string {
	switch m {
	case ASOrigin:
		return "origin-as"
	case ASPeer:
		return "peer-as"
	}
	return ""
}

// SortBy orders top talkers (`sort-by`). Values are the MIB's
// NfTopFlowsSortTypes (SRC, vendor-behaviour.md 5.1); SortNone (and the
// zero value, not set) disables. The model, SNMP and the top-talkers
// engine share this one type.
type SortBy uint8

const (
	SortNone      SortBy = 1
	SortByPackets SortBy = 2
	SortByBytes   SortBy = 3
)

func (s SortBy) String() string {
	switch s {
	case SortByPackets:
		return "packets"
	case SortByBytes:
		return "bytes"
	}
	return "none"
}

// Verdict is `flowtap verdict passive|inline`: what a metered port does
// with a frame once counted. The model and the datapath share this one
// type.
type Verdict uint8

const (
	// Passive is a tap port: nothing is forwarded, so the frame is dropped.
	Passive Verdict = iota
	// Inline hands the frame on to the stack.
	Inline
)

func (v Verdict) String() string {
	if v == Inline {
		return "inline"
	}
	return "passive"
}
