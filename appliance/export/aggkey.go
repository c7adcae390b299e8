package export

import (
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"

	"github.com/flowtap/flowtap/appliance/flow"
)

// aggKey holds the fields a scheme aggregates by; fields the scheme does
// not use stay zero. Aggregation caches are IPv4-only, as on IOS.
type aggKey struct {
	src, dst     uint32
	nextHop      uint32
	srcAS, dstAS uint32
	in, out      uint32
	sport, dport uint16
	proto, tos   uint8
	smask, dmask uint8
}

func addrBits(a netip.Addr) uint32 {
	a = a.Unmap()
	if !a.Is4() {
		return 0
	}
	v := a.As4()
	return be.Uint32(v[:])
}

func bitsAddr(v uint32) netip.Addr {
	var b [4]byte
	be.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// prefix applies `mask ... minimum`: the address is ANDed with the larger
// of the configured minimum and the record's own mask.
func prefix(addr uint32, recMask, minMask uint8) (uint32, uint8) {
	m := max(recMask, minMask)
	if m > 32 {
		m = 32
	}
	if m == 0 {
		return 0, 0
	}
	return addr & (^uint32(0) << (32 - m)), m
}

// aggKeyFor reduces a main-cache record to the scheme's key.
func aggKeyFor(s platform.Scheme, r *flow.Record, minSrc, minDst uint8) aggKey {
	var k aggKey
	src, dst := addrBits(r.SrcAddr), addrBits(r.DstAddr)
	srcPrefix := func() { k.src, k.smask = prefix(src, r.SrcMask, minSrc) }
	dstPrefix := func() { k.dst, k.dmask = prefix(dst, r.DstMask, minDst) }
	ifs := func() { k.in, k.out = r.InputIf, r.OutputIf }
	ports := func() { k.sport, k.dport = r.SrcPort, r.DstPort }

	switch s {
	case platform.SchemeAS, platform.SchemeASToS:
		k.srcAS, k.dstAS = r.SrcAS, r.DstAS
		ifs()
	case platform.SchemeProtocolPort:
		k.proto = r.Proto
		ports()
	case platform.SchemeProtocolPortToS:
		k.proto = r.Proto
		ports()
		ifs()
	case platform.SchemeSourcePrefix, platform.SchemeSourcePrefixToS:
		srcPrefix()
		k.srcAS, k.in = r.SrcAS, r.InputIf
	case platform.SchemeDestinationPrefix, platform.SchemeDestinationPrefixToS:
		dstPrefix()
		k.dstAS, k.out = r.DstAS, r.OutputIf
	case platform.SchemePrefix, platform.SchemePrefixToS:
		srcPrefix()
		dstPrefix()
		k.srcAS, k.dstAS = r.SrcAS, r.DstAS
		ifs()
	case platform.SchemePrefixPort:
		srcPrefix()
		dstPrefix()
		k.proto = r.Proto
		ports()
		ifs()
	case platform.SchemeBGPNextHopToS:
		k.srcAS, k.dstAS = r.SrcAS, r.DstAS
		k.nextHop = addrBits(r.NextHop)
		ifs()
	case platform.SchemeDestinationOnly:
		k.dst = dst
	case platform.SchemeSourceDestination:
		k.src, k.dst = src, dst
	case platform.SchemeFullFlow:
		k.src, k.dst = src, dst
		k.proto = r.Proto
		ports()
	}
	switch s {
	case platform.SchemeASToS, platform.SchemeProtocolPortToS, platform.SchemeSourcePrefixToS, platform.SchemeDestinationPrefixToS,
		platform.SchemePrefixToS, platform.SchemePrefixPort, platform.SchemeBGPNextHopToS:
		k.tos = r.ToS
	}
	return k
}

// newAggregate starts an aggregate from its key and the first record. The
// Catalyst schemes export interfaces and ToS without keying on them: those
// come from the first record.
func newAggregate(s platform.Scheme, k aggKey, r *flow.Record) Aggregate {
	a := Aggregate{Scheme: s}
	a.Start, a.End = r.Start, r.End
	if s.Catalyst() {
		a.InputIf, a.OutputIf, a.ToS = r.InputIf, r.OutputIf, r.ToS
	} else {
		a.InputIf, a.OutputIf, a.ToS = k.in, k.out, k.tos
	}
	// Addresses the scheme does not carry stay invalid (exported as 0).
	if s.UsesSourcePrefix() || s == platform.SchemeSourceDestination || s == platform.SchemeFullFlow {
		a.SrcAddr = bitsAddr(k.src)
	}
	if s.UsesDestinationPrefix() || s.Catalyst() {
		a.DstAddr = bitsAddr(k.dst)
	}
	if s == platform.SchemeBGPNextHopToS {
		a.NextHop = bitsAddr(k.nextHop)
	}
	a.SrcMask, a.DstMask = k.smask, k.dmask
	a.SrcAS, a.DstAS = k.srcAS, k.dstAS
	a.SrcPort, a.DstPort = k.sport, k.dport
	a.Proto = k.proto
	return a
}
