package export

import (
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// elem is what a template field carries, independent of its IE number: the
// field encoder switches on it, so v9 and IPFIX share one encoder.
type elem uint8

const (
	eSrcAddr elem = iota + 1
	eDstAddr
	eNextHop
	eBGPNextHop
	eInputIf
	eOutputIf
	ePackets
	eBytes
	eFlows
	eFirstUptime // v9 FIRST_SWITCHED: sysUptime ms
	eLastUptime
	eFirstMillis // IPFIX flowStartMilliseconds: Unix ms
	eLastMillis
	eSrcPort
	eDstPort
	eTCPFlags
	eProto
	eToS
	eSrcAS
	eDstAS
	eSrcMask
	eDstMask
	eSamplerID
	eEndReason
	eMinTTL
	eMaxTTL
	eSrcMAC
	eDstMAC
	eVLAN
	eInnerVLAN
	eICMPTypeCode
	eDirection       // flowDirection of a tap fibre's record
	eRouteBGPNextHop // the record's BGPNextHop (the bgp-nexthop-tos scheme keeps NextHop)
	eBiflowDir
	eRevPackets // RFC 5103 reverse counters, PEN 29305
	eRevBytes
	eRevFirstMillis
	eRevLastMillis
	eRevTCPFlags
	eRevMinTTL
	eRevMaxTTL
	eAppID // IPFIX applicationId, from EncoderConfig.AppClasses
	eIPID  // ip flow-capture ip-id (flow.Captured, as the next three)
	eMinLength
	eMaxLength
	eFragOffset
	eLabel1 // ip flow-cache mpls label-positions: eLabel1+i is Captured.Labels[i]
	eLabel2
	eLabel3
	eIPVersion // ipVersion of an aggregate whose scheme keeps no address
	ePostVLAN  // an egress fibre's tags: postVlanId, postDot1qCustomerVlanId
	ePostInnerVLAN
	eFlowLabel // ip flow-capture flow-label: Captured.FlowLabel
	eFragFlags // ip flow-capture fragment-flags: Captured.FragFlags
	eExt6      // ip flow-capture extension-headers: Captured.Ext6
)

// IE numbers (v9 field types; IPFIX uses the same numbers for these).
const (
	ieOctets          = 1
	iePackets         = 2
	ieFlows           = 3
	ieProtocol        = 4
	ieToS             = 5
	ieTCPFlags        = 6
	ieSrcPort         = 7
	ieSrcAddr4        = 8
	ieSrcMask4        = 9
	ieInputIf         = 10
	ieDstPort         = 11
	ieDstAddr4        = 12
	ieDstMask4        = 13
	ieOutputIf        = 14
	ieNextHop4        = 15
	ieSrcAS           = 16
	ieDstAS           = 17
	ieBGPNextHop4     = 18
	ieLastSwitched    = 21
	ieFirstSwitched   = 22
	ieSrcAddr6        = 27
	ieDstAddr6        = 28
	ieSrcMask6        = 29
	ieDstMask6        = 30
	ieSamplerID       = 48
	ieSamplerMode     = 49
	ieSamplerInterval = 50
	ieMinTTL          = 52
	ieMaxTTL          = 53
	ieSrcMAC          = 56
	ieVLAN            = 58
	ieNextHop6        = 62
	ieDstMAC          = 80
	ieIfName          = 82
	ieFlowEndReason   = 136
	ieStartMillis     = 152
	ieEndMillis       = 153
	ieCustomerVLAN    = 245
	ieFlowDirection   = 61
	ieBGPNextHop6     = 63
	ieBiflowDirection = 239
	penReverse        = 29305 // RFC 5103: the reverse of IE n is (29305, n)
	ieICMPTypeCode4   = 32    // v9 ICMP_TYPE (both families), IPFIX icmpTypeCodeIPv4
	ieICMPTypeCode6   = 139   // icmpTypeCodeIPv6
	v9ScopeSystem     = 1
	// ifName's fixed length in v9 and IPFIX alike: nfdump's option
	// decoders take no variable-length fields.
	ifNameFixedLen     = 32
	templateIDMain4    = 256
	templateIDMain6    = 257
	templateIDSampler  = 258
	templateIDIfNames  = 259
	templateIDAggFirst = 260 // + scheme number
	templateIDAppNames = 511 // past every aggregation scheme's
	ieApplicationID    = 95
	ieMinLength        = 25 // v9 MIN_PKT_LNGTH, IPFIX minimumIpTotalLength
	ieMaxLength        = 26
	ieFragIdent        = 54 // v9 IPV4_IDENT, IPFIX fragmentIdentification
	ieFragOffset       = 88
	ieFlowLabel6       = 31 // v9 IPV6_FLOW_LABEL, IPFIX flowLabelIPv6
	ieFragFlags        = 197
	ieExt6             = 64 // v9 IPV6_OPTION_HEADERS, IPFIX ipv6ExtensionHeaders
	ieLabel1           = 70 // mplsTopLabelStackSection; 71, 72 the next positions
	ieApplicationName  = 96
	ieIPVersion        = 60 // v9 IP_PROTOCOL_VERSION, IPFIX ipVersion
	iePostVLAN         = 59 // v9 DST_VLAN, IPFIX postVlanId
	iePostCustomerVLAN = 255
)

type field struct {
	e      elem
	id     uint16
	length uint16
	pen    uint32 // IPFIX enterprise number, 0 for IANA elements
}

// specLen is the field's size in a template record.
func (f field) specLen() int {
	if f.pen != 0 {
		return 8
	}
	return 4
}

// template is a data template and its fixed record length.
type template struct {
	id     uint16
	fields []field
	recLen int
}

func newTemplate(id uint16, fields []field) *template {
	t := &template{id: id, fields: fields}
	for _, f := range fields {
		t.recLen += int(f.length)
	}
	return t
}

// wireLen is the template record's size in a template set.
func (t *template) wireLen() int { return 4 + specsLen(t.fields) }

func specsLen(fields []field) int {
	n := 0
	for _, f := range fields {
		n += f.specLen()
	}
	return n
}

// optionsTemplate is an options template; its data records are written by
// dedicated code (see options.go), not by the field encoder.
type optionsTemplate struct {
	id      uint16
	scope   []field
	options []field
}

func (t *optionsTemplate) wireLen() int { return 6 + specsLen(t.scope) + specsLen(t.options) }

// fieldList builds a template's fields in order.
type fieldList []field

func (l *fieldList) add(e elem, id, length uint16) { *l = append(*l, field{e, id, length, 0}) }

// reverse adds the RFC 5103 reverse of IE id.
func (l *fieldList) reverse(e elem, id, length uint16) {
	*l = append(*l, field{e, id, length, penReverse})
}

// times adds the flow start and end: sysUptime in v9, absolute ms in IPFIX.
func (l *fieldList) times(v Version) {
	if v == IPFIX {
		l.add(eFirstMillis, ieStartMillis, 8)
		l.add(eLastMillis, ieEndMillis, 8)
		return
	}
	l.add(eFirstUptime, ieFirstSwitched, 4)
	l.add(eLastUptime, ieLastSwitched, 4)
}

// mainFields is the main-cache template. Counters are 8 bytes although IOS
// uses 4 by default: a 30-minute active timeout on a 10G port overflows 4.
func mainFields(cfg *EncoderConfig, ipv6 bool) []field {
	var l fieldList
	if ipv6 {
		l.add(eSrcAddr, ieSrcAddr6, 16)
		l.add(eDstAddr, ieDstAddr6, 16)
		l.add(eNextHop, ieNextHop6, 16)
	} else {
		l.add(eSrcAddr, ieSrcAddr4, 4)
		l.add(eDstAddr, ieDstAddr4, 4)
		l.add(eNextHop, ieNextHop4, 4)
	}
	l.add(eInputIf, ieInputIf, 4)
	l.add(eOutputIf, ieOutputIf, 4)
	l.add(ePackets, iePackets, 8)
	l.add(eBytes, ieOctets, 8)
	if cfg.Biflow {
		// The reverse times before the forward ones: nfdump (1.7)
		// reads a reverse flowStart/EndMilliseconds as the record's own
		// and keeps the last it meets, so after them it showed every
		// record at the reverse's times, and a direction that went out
		// alone (reverse times zero) in 1970.
		l.reverse(eRevFirstMillis, ieStartMillis, 8)
		l.reverse(eRevLastMillis, ieEndMillis, 8)
	}
	l.times(cfg.Version)
	if cfg.Version == IPFIX {
		// Before the ports: nfdump (1.7.1) stores an IPFIX ICMP
		// type/code in the destination port as it reads it and puts
		// the port back afterwards for TCP and UDP only, so after the
		// ports it turned every SCTP, DCCP and UDP-Lite flow's
		// destination port into 0; here the port comes later and wins.
		l.icmp(cfg, ipv6)
	}
	l.add(eSrcPort, ieSrcPort, 2)
	l.add(eDstPort, ieDstPort, 2)
	// tcpControlBits is unsigned16 in IPFIX since RFC 7125, but the flags
	// a flow carries are the TCP header's low 8 (FIN..CWR; the meter keeps
	// no NS bit), so it goes reduced-size (RFC 7011 6.2) in 1 byte, as in
	// v9 and as Cisco's IPFIX sends it: pmacct 1.7.7 (Debian 12) reads the
	// flags only from a 1-byte field and reports a 2-byte one as none.
	l.add(eTCPFlags, ieTCPFlags, 1)
	l.add(eProto, ieProtocol, 1)
	l.add(eToS, ieToS, 1)
	l.add(eSrcAS, ieSrcAS, 4)
	l.add(eDstAS, ieDstAS, 4)
	if ipv6 {
		l.add(eSrcMask, ieSrcMask6, 1)
		l.add(eDstMask, ieDstMask6, 1)
	} else {
		l.add(eSrcMask, ieSrcMask4, 1)
		l.add(eDstMask, ieDstMask4, 1)
	}
	// In v9 too: RFC 3954 lists no end reason, but Cisco's v9 field
	// types follow IANA's past its list, and tshark and nfdump (1.7.5 on)
	// read 136 in v9; without it an analyst on v9 could not tell a
	// flow that ended (FIN/RST) from one cut by a timeout.
	l.add(eEndReason, ieFlowEndReason, 1)
	if cfg.BGPNextHop {
		if ipv6 {
			l.add(eRouteBGPNextHop, ieBGPNextHop6, 16)
		} else {
			l.add(eRouteBGPNextHop, ieBGPNextHop4, 4)
		}
	}
	if cfg.Direction || cfg.Biflow {
		l.add(eDirection, ieFlowDirection, 1)
	}
	if cfg.Biflow {
		l.add(eBiflowDir, ieBiflowDirection, 1)
		l.reverse(eRevPackets, iePackets, 8)
		l.reverse(eRevBytes, ieOctets, 8)
		l.reverse(eRevTCPFlags, ieTCPFlags, 1)
		if cfg.Capture&CaptureTTL != 0 {
			l.reverse(eRevMinTTL, ieMinTTL, 1)
			l.reverse(eRevMaxTTL, ieMaxTTL, 1)
		}
	}
	if cfg.sampled() {
		l.add(eSamplerID, ieSamplerID, 1)
	}
	l.capture(cfg)
	if ipv6 && cfg.Capture&CaptureFlowLabel != 0 {
		// v9 gives the label 3 bytes (RFC 3954); IPFIX's flowLabelIPv6
		// is unsigned32, sent whole.
		if cfg.Version == IPFIX {
			l.add(eFlowLabel, ieFlowLabel6, 4)
		} else {
			l.add(eFlowLabel, ieFlowLabel6, 3)
		}
	}
	if ipv6 && cfg.Capture&CaptureExtHeaders != 0 {
		// 4 bytes in both: RFC 3954 gives IPV6_OPTION_HEADERS 4, and
		// IANA's bits count from the most significant of 32.
		l.add(eExt6, ieExt6, 4)
	}
	if cfg.Version != IPFIX {
		l.icmp(cfg, ipv6)
	}
	if cfg.Version == IPFIX && cfg.AppClasses != nil {
		l.add(eAppID, ieApplicationID, 4)
	}
	return l
}

// icmp adds the ICMP type and code. The destination port already
// carries type*256+code as IOS exports it, but nfdump reads ICMPv6
// type/code in v9 only from ICMP_TYPE (v9 has no IPv6 variant); IPFIX
// has icmpTypeCodeIPv6.
func (l *fieldList) icmp(cfg *EncoderConfig, ipv6 bool) {
	if ipv6 && cfg.Version == IPFIX {
		l.add(eICMPTypeCode, ieICMPTypeCode6, 2)
	} else {
		l.add(eICMPTypeCode, ieICMPTypeCode4, 2)
	}
}

func (l *fieldList) capture(cfg *EncoderConfig) {
	if cfg.Capture&CaptureTTL != 0 {
		l.add(eMinTTL, ieMinTTL, 1)
		l.add(eMaxTTL, ieMaxTTL, 1)
	}
	if cfg.Capture&CaptureMAC != 0 {
		l.add(eSrcMAC, ieSrcMAC, 6)
		l.add(eDstMAC, ieDstMAC, 6)
	}
	if cfg.Capture&CaptureVLAN != 0 {
		// Both tags of a QinQ frame, in v9 too: Cisco's v9 field types
		// follow IANA's IPFIX numbers past RFC 3954's list.
		l.add(eVLAN, ieVLAN, 2)
		l.add(eInnerVLAN, ieCustomerVLAN, 2)
		if cfg.Direction || cfg.Biflow {
			// A tap's egress fibre sees the frames leaving the link's
			// interface: their tags are the egress interface's, which
			// RFC 7012 gives postVlanId and postDot1qCustomerVlanId
			// (vlanId is the ingress interface's), and where collectors
			// look for them on an egress record (nfacctd reads the VLAN
			// of a flowDirection egress record from 59 only). Each
			// record fills the pair of its direction, the other 0.
			l.add(ePostVLAN, iePostVLAN, 2)
			l.add(ePostInnerVLAN, iePostCustomerVLAN, 2)
		}
	}
	if cfg.Capture&CapturePacketLength != 0 {
		// unsigned64 in IPFIX, sent reduced-size (RFC 7011 6.2): an IP
		// total length fits 2 bytes, as v9's MIN_PKT_LNGTH.
		l.add(eMinLength, ieMinLength, 2)
		l.add(eMaxLength, ieMaxLength, 2)
	}
	if cfg.Capture&CaptureIPID != 0 {
		// v9's IPV4_IDENT is 2 bytes; IPFIX's fragmentIdentification is
		// 4, which an IPv6 fragment header's identification needs.
		if cfg.Version == IPFIX {
			l.add(eIPID, ieFragIdent, 4)
		} else {
			l.add(eIPID, ieFragIdent, 2)
		}
	}
	if cfg.Capture&CaptureFragmentOffset != 0 {
		l.add(eFragOffset, ieFragOffset, 2)
	}
	if cfg.Capture&CaptureFragmentFlags != 0 {
		// In v9 too: Cisco's v9 field types follow IANA's past RFC
		// 3954's list (its FNF exports ipv4 fragmentation flags so).
		l.add(eFragFlags, ieFragFlags, 1)
	}
	for i := range min(cfg.MPLSLabels, flow.MaxLabels) {
		// A label stack entry's top 3 bytes: label, EXP, bottom of stack.
		l.add(eLabel1+elem(i), ieLabel1+uint16(i), 3)
	}
}

// aggFields is an aggregation scheme's template: the v8 record's fields
// under their v9/IPFIX names, with prefixes carried as addresses plus masks
// so that every collector decodes them.
func aggFields(cfg *EncoderConfig) []field {
	var l fieldList
	l.add(eFlows, ieFlows, 4)
	l.add(ePackets, iePackets, 8)
	l.add(eBytes, ieOctets, 8)
	l.times(cfg.Version)
	srcPrefix := func() { l.add(eSrcAddr, ieSrcAddr4, 4); l.add(eSrcMask, ieSrcMask4, 1) }
	dstPrefix := func() { l.add(eDstAddr, ieDstAddr4, 4); l.add(eDstMask, ieDstMask4, 1) }
	ports := func() { l.add(eSrcPort, ieSrcPort, 2); l.add(eDstPort, ieDstPort, 2) }
	ifs := func() { l.add(eInputIf, ieInputIf, 4); l.add(eOutputIf, ieOutputIf, 4) }
	ases := func() { l.add(eSrcAS, ieSrcAS, 4); l.add(eDstAS, ieDstAS, 4) }
	tos := func() { l.add(eToS, ieToS, 1) }
	proto := func() { l.add(eProto, ieProtocol, 1) }

	switch cfg.Scheme {
	case platform.SchemeAS:
		ases()
		ifs()
	case platform.SchemeASToS:
		ases()
		ifs()
		tos()
	case platform.SchemeProtocolPort:
		proto()
		ports()
	case platform.SchemeProtocolPortToS:
		proto()
		tos()
		ports()
		ifs()
	case platform.SchemeSourcePrefix, platform.SchemeSourcePrefixToS:
		srcPrefix()
		l.add(eSrcAS, ieSrcAS, 4)
		l.add(eInputIf, ieInputIf, 4)
		if cfg.Scheme == platform.SchemeSourcePrefixToS {
			tos()
		}
	case platform.SchemeDestinationPrefix, platform.SchemeDestinationPrefixToS:
		dstPrefix()
		l.add(eDstAS, ieDstAS, 4)
		l.add(eOutputIf, ieOutputIf, 4)
		if cfg.Scheme == platform.SchemeDestinationPrefixToS {
			tos()
		}
	case platform.SchemePrefix, platform.SchemePrefixToS:
		srcPrefix()
		dstPrefix()
		ases()
		ifs()
		if cfg.Scheme == platform.SchemePrefixToS {
			tos()
		}
	case platform.SchemePrefixPort:
		srcPrefix()
		dstPrefix()
		tos()
		proto()
		ports()
		ifs()
	case platform.SchemeBGPNextHopToS:
		ases()
		ifs()
		tos()
		l.add(eBGPNextHop, ieBGPNextHop4, 4)
	case platform.SchemeDestinationOnly:
		l.add(eDstAddr, ieDstAddr4, 4)
		l.add(eOutputIf, ieOutputIf, 4)
		tos()
	case platform.SchemeSourceDestination:
		l.add(eDstAddr, ieDstAddr4, 4)
		l.add(eSrcAddr, ieSrcAddr4, 4)
		ifs()
		tos()
	case platform.SchemeFullFlow:
		l.add(eDstAddr, ieDstAddr4, 4)
		l.add(eSrcAddr, ieSrcAddr4, 4)
		ports()
		ifs()
		tos()
		proto()
	}
	switch cfg.Scheme {
	case platform.SchemeAS, platform.SchemeASToS, platform.SchemeProtocolPort, platform.SchemeProtocolPortToS, platform.SchemeBGPNextHopToS:
		// No address says which IP the aggregate counts, and a
		// collector that sorts records by it drops the record: pmacct
		// 1.7.7's nfacctd takes a record without an address or ipVersion
		// for neither IPv4 nor IPv6 and accounts nothing, silently.
		// Aggregation caches take IPv4 only.
		l.add(eIPVersion, ieIPVersion, 1)
	}
	l.add(eEndReason, ieFlowEndReason, 1) // in v9 too, as in mainFields
	return l
}

func samplerOptions(v Version) *optionsTemplate {
	opts := []field{{id: ieSamplerMode, length: 1}, {id: ieSamplerInterval, length: 4}}
	if v == IPFIX {
		// IPFIX scopes may be any IE: the sampler itself (RFC 7270 samplerId).
		return &optionsTemplate{id: templateIDSampler, scope: []field{{id: ieSamplerID, length: 1}}, options: opts}
	}
	// pmacct's nfprobe layout: scope System, then id, mode, interval.
	return &optionsTemplate{
		id:      templateIDSampler,
		scope:   []field{{id: v9ScopeSystem, length: 4}},
		options: append([]field{{id: ieSamplerID, length: 1}}, opts...),
	}
}

func ifNameOptions(v Version) *optionsTemplate {
	if v == IPFIX {
		return &optionsTemplate{
			id:      templateIDIfNames,
			scope:   []field{{id: ieInputIf, length: 4}},
			options: []field{{id: ieIfName, length: ifNameFixedLen}},
		}
	}
	return &optionsTemplate{
		id:      templateIDIfNames,
		scope:   []field{{id: v9ScopeSystem, length: 4}},
		options: []field{{id: ieInputIf, length: 4}, {id: ieIfName, length: ifNameFixedLen}},
	}
}
