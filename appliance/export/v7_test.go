package export_test

import (
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/appliance/export"
)

var v7Config = export.EncoderConfig{
	Version:    export.V7,
	EngineType: 1, // not on the wire: v7 bytes 20-23 are reserved
	EngineID:   2,
	AS:         platform.ASPeer,
	V7FlowMask: 0x05,
	RouterSC:   netip.MustParseAddr("10.9.9.9"),
}

func TestV7Golden(t *testing.T) {
	enc, c := newEncoder(t, v7Config)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	want := hx(t, `
		0007 0001 0036eefb 65920e90 075bcd15 00000000 00000000
		0a000001 c000020a 0a0000fe 0003 0004 0000000a 000005dc 000003e8 00000dac
		3039 0050 05 1b 06 28 fc00 fde9 18 10 0000 0a090909`)
	p := c.pkts[0]
	wholeEqual(t, "v7 packet", p, want)
	checkFields(t, "v7 header", p, 0, []fieldAt{
		{name: "version", off: 0, size: 2, want: 7},
		{name: "count", off: 2, size: 2, want: 1},
		{name: "SysUptime", off: 4, size: 4, want: 3600123},
		{name: "unix_secs", off: 8, size: 4, want: 1704070800},
		{name: "unix_nsecs", off: 12, size: 4, want: 123456789},
		{name: "flow_sequence", off: 16, size: 4, want: 0},
		{name: "reserved", off: 20, size: 4, want: 0},
	})
	// v7 = the v5 record with flags at 36 and router_sc at 48.
	var recFields []fieldAt
	for _, f := range v5RecordFields {
		if f.name == "pad1" {
			f = fieldAt{name: "flags (flow mask in use)", off: 36, size: 1, want: 0x05}
		}
		recFields = append(recFields, f)
	}
	recFields = append(recFields, fieldAt{name: "router_sc", off: 48, size: 4, want: 0x0a090909})
	checkFields(t, "v7 record", p, 24, recFields)
}

// flow-tools accepts at most 27 records per v7 packet.
func TestV7RecordLimit(t *testing.T) {
	enc, c := newEncoder(t, v7Config)
	for range 28 {
		mustAdd(t, enc, tcpRecord())
	}
	mustFlush(t, enc)
	if len(c.pkts) != 2 {
		t.Fatalf("%d packets, want 2", len(c.pkts))
	}
	checkFields(t, "v7 first", c.pkts[0], 0, []fieldAt{
		{name: "count", off: 2, size: 2, want: 27},
		{name: "flow_sequence", off: 16, size: 4, want: 0},
	})
	checkFields(t, "v7 second", c.pkts[1], 0, []fieldAt{
		{name: "count", off: 2, size: 2, want: 1},
		{name: "flow_sequence", off: 16, size: 4, want: 27},
	})
	if len(c.pkts[0]) != 24+27*52 {
		t.Errorf("full v7 packet is %d bytes, want %d", len(c.pkts[0]), 24+27*52)
	}
}
