package asmap

import (
	"fmt"
	"net/netip"

	"github.com/flowtap/flowtap/appliance/flow"
)

// Mode is the AS flavour the export carries (`ip flow-export version N
// [origin-as | peer-as]`).
type Mode uint8

const (
	// ModeNone fills the masks only; IOS exports AS 0 without origin-as or
	// peer-as (vendor-behaviour.md 2.3).
	ModeNone Mode = iota
	ModeOrigin
	ModePeer
)

func (m Mode) String() string {
	switch m {
	case ModeNone:
		return "none"
	case ModeOrigin:
		return "origin-as"
	case ModePeer:
		return "peer-as"
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// ParseMode reads the export keyword: "", "origin-as" or "peer-as".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "":
		return ModeNone, nil
	case "origin-as":
		return ModeOrigin, nil
	case "peer-as":
		return ModePeer, nil
	}
	return 0, fmt.Errorf("asmap: AS mode %q: want origin-as or peer-as", s)
}

// Fill sets r's SrcAS, DstAS, SrcMask and DstMask from the routes of its
// addresses, and BGPNextHop from the destination's. An address without a
// route gets AS 0 and mask 0, as IOS exports for an unknown route.
func (t *Table) Fill(r *flow.Record, m Mode) {
	r.SrcAS, r.SrcMask = t.fillOne(t.lookup(r.SrcAddr), m)
	di := t.lookup(r.DstAddr)
	r.DstAS, r.DstMask = t.fillOne(di, m)
	r.BGPNextHop = netip.Addr{}
	if di >= 0 {
		r.BGPNextHop = t.routes[di].NextHop
	}
}

func (t *Table) fillOne(i int32, m Mode) (as uint32, mask uint8) {
	if i < 0 {
		return 0, 0
	}
	rt := &t.routes[i]
	switch m {
	case ModeOrigin:
		as = rt.OriginAS
	case ModePeer:
		as = rt.PeerAS
	}
	return as, uint8(rt.Prefix.Bits())
}

// Filler fills records as they leave the flow cache; it is a
// flowcache.Annotator.
type Filler struct {
	Table *Table
	Mode  Mode
}

func (f Filler) Annotate(r *flow.Record) { f.Table.Fill(r, f.Mode) }
