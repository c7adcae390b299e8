package export_test

import (
	"encoding/binary"
	"github.com/flowtap/flowtap/appliance/platform"
	"testing"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

var ipfixConfig = export.EncoderConfig{
	Version:           export.IPFIX,
	ObservationDomain: 7,
	AS:                platform.ASOrigin,
	Sampler:           export.Sampler{ID: 1, Mode: export.SamplingRandom, Interval: 100},
	InterfaceNames:    []export.InterfaceName{{IfIndex: 3, Name: "eth1"}},
}

// ipfixGoldenMessage is the first message for tcpRecord() under ipfixConfig.
// flowStartMilliseconds 1704067201000 = 0x18cc251f7e8,
// flowEndMilliseconds 1704067203500 = 0x18cc25201ac.
const ipfixGoldenMessage = `
	000a 016b 65920e90 00000000 00000007
	0002 00b4
	  0100 0015
	    0008 0004 000c 0004 000f 0004 000a 0004 000e 0004 0002 0008 0001 0008
	    0098 0008 0099 0008 0020 0002 0007 0002 000b 0002 0006 0001 0004 0001 0005 0001
	    0010 0004 0011 0004 0009 0001 000d 0001 0088 0001 0030 0001
	  0101 0015
	    001b 0010 001c 0010 003e 0010 000a 0004 000e 0004 0002 0008 0001 0008
	    0098 0008 0099 0008 008b 0002 0007 0002 000b 0002 0006 0001 0004 0001 0005 0001
	    0010 0004 0011 0004 001d 0001 001e 0001 0088 0001 0030 0001
	0003 0016
	  0102 0003 0001 0030 0001 0031 0001 0032 0004
	0003 0012
	  0103 0002 0001 000a 0004 0052 0020
	0102 000a
	  01 02 00000064
	0103 0028
	  00000003 65746831 00000000000000000000000000000000000000000000000000000000
	0100 004d
	  0a000001 c000020a 0a0000fe 00000003 00000004 000000000000000a 00000000000005dc
	  0000018cc251f7e8 0000018cc25201ac 0000 3039 0050 1b 06 28 0000fc00 0000fde9 18 10 03 01`

func TestIPFIXGolden(t *testing.T) {
	enc, c := newEncoder(t, ipfixConfig)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	if len(c.pkts) != 1 {
		t.Fatalf("%d messages, want 1", len(c.pkts))
	}
	p := c.pkts[0]
	wholeEqual(t, "IPFIX message", p, hx(t, ipfixGoldenMessage))
	checkFields(t, "IPFIX", p, 0, []fieldAt{
		{name: "header version", off: 0, size: 2, want: 10},
		{name: "header length", off: 2, size: 2, want: 363},
		{name: "header export time", off: 4, size: 4, want: 1704070800},
		{name: "header sequence", off: 8, size: 4, want: 0},
		{name: "header observation domain", off: 12, size: 4, want: 7},
		{name: "template set id", off: 16, size: 2, want: 2},
		{name: "template set length", off: 18, size: 2, want: 180},
		{name: "IPv4 template id", off: 20, size: 2, want: 256},
		{name: "IPv4 template field count", off: 22, size: 2, want: 21},
		{name: "field 8 flowStartMilliseconds", off: 52, size: 2, want: 152},
		{name: "field 8 length", off: 54, size: 2, want: 8},
		{name: "field 9 flowEndMilliseconds", off: 56, size: 2, want: 153},
		// Before the ports, so that nfdump's copy of it into the
		// destination port is overwritten by the port.
		{name: "field 10 icmpTypeCodeIPv4", off: 60, size: 2, want: 32},
		{name: "field 12 destinationTransportPort", off: 68, size: 2, want: 11},
		{name: "field 13 tcpControlBits length (reduced-size)", off: 74, size: 2, want: 1},
		{name: "field 20 flowEndReason", off: 100, size: 2, want: 136},
		{name: "IPv6 template id", off: 108, size: 2, want: 257},
		{name: "IPv6 field 1 sourceIPv6Address", off: 112, size: 2, want: 27},
		{name: "IPv6 field 10 icmpTypeCodeIPv6", off: 148, size: 2, want: 139},
		{name: "options template set id", off: 196, size: 2, want: 3},
		{name: "sampler options template set length", off: 198, size: 2, want: 22},
		{name: "sampler template id", off: 200, size: 2, want: 258},
		{name: "sampler field count (incl. scope)", off: 202, size: 2, want: 3},
		{name: "sampler scope field count", off: 204, size: 2, want: 1},
		{name: "sampler scope samplerId", off: 206, size: 2, want: 48},
		// nfcapd reads one options template per set: each has its own.
		{name: "interface options template set id", off: 218, size: 2, want: 3},
		{name: "interface options template set length", off: 220, size: 2, want: 18},
		{name: "interface template id", off: 222, size: 2, want: 259},
		{name: "interface scope ingressInterface", off: 228, size: 2, want: 10},
		{name: "interfaceName fixed length", off: 234, size: 2, want: 32},
		{name: "sampler data set id", off: 236, size: 2, want: 258},
		{name: "samplerId", off: 240, size: 1, want: 1},
		{name: "samplerMode random", off: 241, size: 1, want: 2},
		{name: "samplerRandomInterval", off: 242, size: 4, want: 100},
		{name: "interface data set id", off: 246, size: 2, want: 259},
		{name: "interface data set length", off: 248, size: 2, want: 40},
		{name: "interface ifIndex", off: 250, size: 4, want: 3},
		{name: "interfaceName zero padded", off: 254, raw: append([]byte("eth1"), make([]byte, 28)...)},
		{name: "data set id", off: 286, size: 2, want: 256},
		{name: "data set length", off: 288, size: 2, want: 77},
	})
	checkFields(t, "IPFIX IPv4 record", p, 290, []fieldAt{
		{name: "sourceIPv4Address", off: 0, size: 4, want: 0x0a000001},
		{name: "destinationIPv4Address", off: 4, size: 4, want: 0xc000020a},
		{name: "ipNextHopIPv4Address", off: 8, size: 4, want: 0x0a0000fe},
		{name: "ingressInterface", off: 12, size: 4, want: 3},
		{name: "egressInterface", off: 16, size: 4, want: 4},
		{name: "packetDeltaCount", off: 20, size: 8, want: 10},
		{name: "octetDeltaCount", off: 28, size: 8, want: 1500},
		{name: "flowStartMilliseconds", off: 36, size: 8, want: 1704067201000},
		{name: "flowEndMilliseconds", off: 44, size: 8, want: 1704067203500},
		{name: "icmpTypeCodeIPv4 (0: not ICMP)", off: 52, size: 2, want: 0},
		{name: "sourceTransportPort", off: 54, size: 2, want: 12345},
		{name: "destinationTransportPort", off: 56, size: 2, want: 80},
		{name: "tcpControlBits", off: 58, size: 1, want: 0x1b},
		{name: "protocolIdentifier", off: 59, size: 1, want: 6},
		{name: "ipClassOfService", off: 60, size: 1, want: 0x28},
		{name: "bgpSourceAsNumber", off: 61, size: 4, want: 64512},
		{name: "bgpDestinationAsNumber", off: 65, size: 4, want: 65001},
		{name: "sourceIPv4PrefixLength", off: 69, size: 1, want: 24},
		{name: "destinationIPv4PrefixLength", off: 70, size: 1, want: 16},
		{name: "flowEndReason end-of-flow", off: 71, size: 1, want: 3},
		{name: "samplerId", off: 72, size: 1, want: 1},
	})
}

// The IPFIX sequence number counts data records (options data included,
// templates not) sent before the message.
func TestIPFIXSequenceCountsDataRecords(t *testing.T) {
	enc, c := newEncoder(t, ipfixConfig)
	for range 3 {
		mustAdd(t, enc, tcpRecord())
	}
	mustFlush(t, enc)
	for range 2 {
		mustAdd(t, enc, tcpRecord())
	}
	mustFlush(t, enc)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	// 3 flows + sampler row + 1 interface row, then 2 flows, then 1.
	for i, want := range []uint32{0, 5, 7} {
		if got := binary.BigEndian.Uint32(c.pkts[i][8:]); got != want {
			t.Errorf("message %d: sequence %d, want %d", i, got, want)
		}
		if got := int(binary.BigEndian.Uint16(c.pkts[i][2:])); got != len(c.pkts[i]) {
			t.Errorf("message %d: length field %d, message is %d bytes", i, got, len(c.pkts[i]))
		}
	}
}

func TestIPFIXIPv6AndEndReasons(t *testing.T) {
	enc, c := newEncoder(t, export.EncoderConfig{Version: export.IPFIX, ObservationDomain: 9})
	for _, why := range []flow.EndReason{flow.EndIdle, flow.EndActive, flow.EndOfFlow, flow.EndForced, flow.EndNoResource} {
		r := v6Record()
		r.EndReason = why
		mustAdd(t, enc, r)
	}
	mustFlush(t, enc)
	p := c.pkts[0]
	sets := v9Sets(t, p)
	if len(sets) != 2 || sets[1].id != 257 {
		t.Fatalf("sets %+v, want templates then IPv6 data set 257", sets)
	}
	// 48 address bytes, 8 ifIndex, 16 counters, 16 times, 2 ICMP
	// type/code, 4 ports, 1 flags byte, proto, tos, 8 AS, 2 masks, end
	// reason = 108.
	const recLen = 108
	if sets[1].length != 4+5*recLen {
		t.Fatalf("IPv6 data set length %d, want %d", sets[1].length, 4+5*recLen)
	}
	for i := range 5 {
		checkFields(t, "IPFIX IPv6 record", p, sets[1].off+4+i*recLen, []fieldAt{
			{name: "sourceIPv6Address", off: 0, raw: hx(t, "20010db8000000000000000000000001")},
			{name: "ipNextHopIPv6Address", off: 32, raw: hx(t, "fe800000000000000000000000000001")},
			{name: "flowStartMilliseconds", off: 72, size: 8, want: 1704067201000},
			{name: "sourceIPv6PrefixLength", off: 105, size: 1, want: 48},
			{name: "flowEndReason", off: 107, size: 1, want: uint64(i + 1)},
		})
	}
}
