package export_test

import (
	"encoding/binary"
	"errors"
	"github.com/flowtap/flowtap/appliance/platform"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

var v9Config = export.EncoderConfig{
	Version:           export.V9,
	ObservationDomain: 7,
	AS:                platform.ASOrigin,
	Sampler:           export.Sampler{ID: 1, Mode: export.SamplingRandom, Interval: 100},
	InterfaceNames:    []export.InterfaceName{{IfIndex: 3, Name: "eth1"}},
}

// v9GoldenPacket is the first packet for tcpRecord() under v9Config.
const v9GoldenPacket = `
	0009 0007 0036f268 65920e91 00000000 00000007
	0000 00b4
	  0100 0015
	    0008 0004 000c 0004 000f 0004 000a 0004 000e 0004 0002 0008 0001 0008
	    0016 0004 0015 0004 0007 0002 000b 0002 0006 0001 0004 0001 0005 0001
	    0010 0004 0011 0004 0009 0001 000d 0001 0088 0001 0030 0001 0020 0002
	  0101 0015
	    001b 0010 001c 0010 003e 0010 000a 0004 000e 0004 0002 0008 0001 0008
	    0016 0004 0015 0004 0007 0002 000b 0002 0006 0001 0004 0001 0005 0001
	    0010 0004 0011 0004 001d 0001 001e 0001 0088 0001 0030 0001 0020 0002
	0001 001c
	  0102 0004 000c 0001 0004 0030 0001 0031 0001 0032 0004 | 0000
	0001 0018
	  0103 0004 0008 0001 0004 000a 0004 0052 0020 | 0000
	0102 0010
	  00000007 01 02 00000064 | 0000
	0103 002c
	  00000007 00000003 65746831 00000000000000000000000000000000000000000000000000000000
	0100 0048
	  0a000001 c000020a 0a0000fe 00000003 00000004 000000000000000a 00000000000005dc
	  000003e8 00000dac 3039 0050 1b 06 28 0000fc00 0000fde9 18 10 03 01 0000 | 000000`

// TestV9LastNotAfterSysUptime: a record that ended in the part of a second
// before its export (the common case: the harvest runs right after the
// expiry) has Last <= the header's sysUptime, and collectors still date it
// to the millisecond. A header truncated to the second put Last up to 999 ms
// after sysUptime, which pmacct, computing unix_secs - (sysUptime - Last)/1000
// in 32 bits, turns into a flow that ended 49.7 days ago.
func TestV9LastNotAfterSysUptime(t *testing.T) {
	for _, tc := range []struct {
		name   string
		export time.Duration // after boot
		end    time.Duration
		upWant uint32
	}{
		{"ended before the export, in its second", time.Hour + 900*time.Millisecond, time.Hour + 400*time.Millisecond, 3601000},
		{"export on a whole second", time.Hour, time.Hour - time.Millisecond, 3600000},
		// The flow's end stamp can lead the exporter's clock by a tick.
		{"end stamped after the clock", time.Hour + 999*time.Millisecond, time.Hour + 1002*time.Millisecond, 3602000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := v9Config
			cfg.Sampler, cfg.InterfaceNames = export.Sampler{}, nil
			cfg.Clock = newFakeClock(boot.Add(tc.export))
			enc, c := newEncoder(t, cfg)
			r := tcpRecord()
			r.Start, r.End = boot.Add(tc.end-time.Second), boot.Add(tc.end)
			mustAdd(t, enc, r)
			mustFlush(t, enc)
			p := c.pkts[0]
			up, secs := binary.BigEndian.Uint32(p[4:]), binary.BigEndian.Uint32(p[8:])
			if up != tc.upWant {
				t.Errorf("sysUptime %d, want %d", up, tc.upWant)
			}
			// The data record is the last 64 bytes (v9Config: no padding); Last is
			// at 40.
			rec := p[len(p)-64:]
			last := binary.BigEndian.Uint32(rec[40:])
			if last != uint32(tc.end.Milliseconds()) {
				t.Fatalf("Last %d, want %d", last, tc.end.Milliseconds())
			}
			if last > up {
				t.Errorf("Last %d after the header's sysUptime %d", last, up)
			}
			// pmacct's arithmetic, in uint32 as it does it: whole seconds,
			// the age truncated, so the end it gives is the second the flow
			// ended in or the next, never 2^32 ms away.
			endSecs := secs - (up-last)/1000
			if d := int64(endSecs) - boot.Add(tc.end).Unix(); d < 0 || d > 1 {
				t.Errorf("a 32-bit collector dates the end at %d, %d s from the flow's", endSecs, d)
			}
			// nfdump's: milliseconds since the epoch.
			if ms := int64(secs)*1000 - int64(up) + int64(last); ms != boot.Add(tc.end).UnixMilli() {
				t.Errorf("end at %d ms, want %d", ms, boot.Add(tc.end).UnixMilli())
			}
		})
	}
}

func TestV9Golden(t *testing.T) {
	enc, c := newEncoder(t, v9Config)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	if len(c.pkts) != 1 {
		t.Fatalf("%d packets, want 1", len(c.pkts))
	}
	p := c.pkts[0]
	wholeEqual(t, "v9 packet", p, hx(t, v9GoldenPacket))
	checkFields(t, "v9", p, 0, []fieldAt{
		{name: "header version", off: 0, size: 2, want: 9},
		{name: "header count (2 templates + 2 options templates + 2 option rows + 1 flow)", off: 2, size: 2, want: 7},
		{name: "header sysUpTime (at unix_secs, the export's second rounded up)", off: 4, size: 4, want: 3601000},
		{name: "header unix_secs", off: 8, size: 4, want: 1704070801},
		{name: "header sequence", off: 12, size: 4, want: 0},
		{name: "header source_id", off: 16, size: 4, want: 7},
		{name: "template flowset id", off: 20, size: 2, want: 0},
		{name: "template flowset length", off: 22, size: 2, want: 180},
		{name: "IPv4 template id", off: 24, size: 2, want: 256},
		{name: "IPv4 template field count", off: 26, size: 2, want: 21},
		{name: "IPv4 field 1 type IPV4_SRC_ADDR", off: 28, size: 2, want: 8},
		{name: "IPv4 field 1 length", off: 30, size: 2, want: 4},
		{name: "IPv4 field 8 type FIRST_SWITCHED", off: 56, size: 2, want: 22},
		{name: "IPv4 field 9 type LAST_SWITCHED", off: 60, size: 2, want: 21},
		{name: "IPv4 field 19 type flowEndReason", off: 100, size: 2, want: 136},
		{name: "IPv4 field 19 length", off: 102, size: 2, want: 1},
		{name: "IPv4 field 20 type FLOW_SAMPLER_ID", off: 104, size: 2, want: 48},
		{name: "IPv4 field 21 type ICMP_TYPE", off: 108, size: 2, want: 32},
		{name: "IPv6 template id", off: 112, size: 2, want: 257},
		{name: "IPv6 field 1 type IPV6_SRC_ADDR", off: 116, size: 2, want: 27},
		{name: "IPv6 field 1 length", off: 118, size: 2, want: 16},
		{name: "IPv6 field 19 type flowEndReason", off: 188, size: 2, want: 136},
		{name: "IPv6 field 21 type ICMP_TYPE", off: 196, size: 2, want: 32},
		{name: "options template flowset id", off: 200, size: 2, want: 1},
		{name: "sampler options template flowset length (padded)", off: 202, size: 2, want: 28},
		{name: "sampler options template id", off: 204, size: 2, want: 258},
		{name: "sampler option_scope_length (bytes)", off: 206, size: 2, want: 4},
		{name: "sampler option_length (bytes)", off: 208, size: 2, want: 12},
		{name: "sampler scope type System", off: 210, size: 2, want: 1},
		{name: "sampler option FLOW_SAMPLER_MODE", off: 218, size: 2, want: 49},
		// nfcapd reads one options template per flowset: each has its own.
		{name: "interface options template flowset id", off: 228, size: 2, want: 1},
		{name: "interface options template flowset length (padded)", off: 230, size: 2, want: 24},
		{name: "interface options template id", off: 232, size: 2, want: 259},
		{name: "interface IF_NAME type", off: 246, size: 2, want: 82},
		{name: "interface IF_NAME length", off: 248, size: 2, want: 32},
		{name: "sampler data flowset id", off: 252, size: 2, want: 258},
		{name: "sampler data flowset length (padded)", off: 254, size: 2, want: 16},
		{name: "sampler FLOW_SAMPLER_ID", off: 260, size: 1, want: 1},
		{name: "sampler FLOW_SAMPLER_MODE random", off: 261, size: 1, want: 2},
		{name: "sampler FLOW_SAMPLER_RANDOM_INTERVAL", off: 262, size: 4, want: 100},
		{name: "interface data flowset id", off: 268, size: 2, want: 259},
		{name: "interface INPUT_SNMP", off: 276, size: 4, want: 3},
		{name: "interface IF_NAME", off: 280, raw: []byte("eth1\x00")},
		{name: "data flowset id", off: 312, size: 2, want: 256},
		{name: "data flowset length (65-byte record padded to 4)", off: 314, size: 2, want: 72},
	})
	checkFields(t, "v9 IPv4 record", p, 316, []fieldAt{
		{name: "IPV4_SRC_ADDR", off: 0, size: 4, want: 0x0a000001},
		{name: "IPV4_DST_ADDR", off: 4, size: 4, want: 0xc000020a},
		{name: "IPV4_NEXT_HOP", off: 8, size: 4, want: 0x0a0000fe},
		{name: "INPUT_SNMP", off: 12, size: 4, want: 3},
		{name: "OUTPUT_SNMP", off: 16, size: 4, want: 4},
		{name: "IN_PKTS", off: 20, size: 8, want: 10},
		{name: "IN_BYTES", off: 28, size: 8, want: 1500},
		{name: "FIRST_SWITCHED", off: 36, size: 4, want: 1000},
		{name: "LAST_SWITCHED", off: 40, size: 4, want: 3500},
		{name: "L4_SRC_PORT", off: 44, size: 2, want: 12345},
		{name: "L4_DST_PORT", off: 46, size: 2, want: 80},
		{name: "TCP_FLAGS", off: 48, size: 1, want: 0x1b},
		{name: "PROTOCOL", off: 49, size: 1, want: 6},
		{name: "SRC_TOS", off: 50, size: 1, want: 0x28},
		{name: "SRC_AS", off: 51, size: 4, want: 64512},
		{name: "DST_AS", off: 55, size: 4, want: 65001},
		{name: "SRC_MASK", off: 59, size: 1, want: 24},
		{name: "DST_MASK", off: 60, size: 1, want: 16},
		{name: "flowEndReason end of flow", off: 61, size: 1, want: 3},
		{name: "FLOW_SAMPLER_ID", off: 62, size: 1, want: 1},
		{name: "ICMP_TYPE (0: not ICMP)", off: 63, size: 2, want: 0},
	})
	if !c.infos[0].Templates || c.infos[0].Records != 1 {
		t.Errorf("packet info %+v, want templates and 1 record", c.infos[0])
	}
	if enc.LastTemplate() != now {
		t.Errorf("LastTemplate = %v, want %v", enc.LastTemplate(), now)
	}
}

// An IPv6 record gets its own data flowset under template 257.
func TestV9IPv6DataFlowset(t *testing.T) {
	enc, c := newEncoder(t, export.EncoderConfig{Version: export.V9, ObservationDomain: 7, AS: platform.ASOrigin})
	mustAdd(t, enc, tcpRecord())
	mustAdd(t, enc, v6Record())
	mustFlush(t, enc)
	sets := v9Sets(t, c.pkts[0])
	if len(sets) != 3 || sets[0].id != 0 || sets[1].id != 256 || sets[2].id != 257 {
		t.Fatalf("flowsets %+v, want templates, 256, 257", sets)
	}
	// 16+16+16 addresses, 4+4 ifIndex, 8+8 counters, 4+4 times, 2+2 ports,
	// flags, proto, tos, 4+4 AS, 2 masks, end reason, 2 ICMP = 100, plus
	// header.
	if sets[2].length != 104 {
		t.Errorf("IPv6 flowset length %d, want 104", sets[2].length)
	}
	checkFields(t, "v9 IPv6 record", c.pkts[0], sets[2].off+4, []fieldAt{
		{name: "IPV6_SRC_ADDR", off: 0, raw: hx(t, "20010db8000000000000000000000001")},
		{name: "IPV6_DST_ADDR", off: 16, raw: hx(t, "20010db8000000000000000000000002")},
		{name: "IPV6_NEXT_HOP", off: 32, raw: hx(t, "fe800000000000000000000000000001")},
		{name: "INPUT_SNMP", off: 48, size: 4, want: 3},
		{name: "IN_PKTS", off: 56, size: 8, want: 10},
		{name: "FIRST_SWITCHED", off: 72, size: 4, want: 1000},
		{name: "L4_SRC_PORT", off: 80, size: 2, want: 12345},
		{name: "SRC_AS", off: 87, size: 4, want: 64512},
		{name: "IPV6_SRC_MASK", off: 95, size: 1, want: 48},
		{name: "IPV6_DST_MASK", off: 96, size: 1, want: 64},
		{name: "flowEndReason end of flow", off: 97, size: 1, want: 3},
		{name: "ICMP_TYPE", off: 98, size: 2, want: 0},
	})
}

// Templates go out in the first packet, then every TemplateRefreshPackets
// packets or TemplateTimeout, whichever comes first; the v9 sequence
// counts packets.
func TestV9TemplateRefreshAndSequence(t *testing.T) {
	clk := newFakeClock(now)
	enc, c := newEncoder(t, export.EncoderConfig{Version: export.V9, Clock: clk, TemplateRefreshPackets: 3, TemplateTimeout: time.Minute})
	send := func() {
		mustAdd(t, enc, tcpRecord())
		mustFlush(t, enc)
	}
	for range 7 {
		send()
	}
	clk.Advance(59 * time.Second)
	send() // packet 7: 1 since the refresh at 6, 59 s: no templates
	clk.Advance(time.Second)
	send() // packet 8: timeout reached
	want := []bool{true, false, false, true, false, false, true, false, true}
	for i, p := range c.pkts {
		sets := v9Sets(t, p)
		has := sets[0].id == 0
		if has != want[i] {
			t.Errorf("packet %d: templates %v, want %v", i, has, want[i])
		}
		if has != c.infos[i].Templates {
			t.Errorf("packet %d: PacketInfo.Templates %v disagrees with content", i, c.infos[i].Templates)
		}
		if seq := binary.BigEndian.Uint32(p[12:]); seq != uint32(i) {
			t.Errorf("packet %d: sequence %d, want %d (packets sent before it)", i, seq, i)
		}
		count := 1
		if has {
			count = 3 // two templates and the record
		}
		if got := int(binary.BigEndian.Uint16(p[2:])); got != count {
			t.Errorf("packet %d: count %d, want %d", i, got, count)
		}
	}
}

// The IOS defaults are 20 packets and 30 minutes.
func TestV9TemplateRefreshDefaults(t *testing.T) {
	clk := newFakeClock(now)
	enc, c := newEncoder(t, export.EncoderConfig{Version: export.V9, Clock: clk})
	for range 41 {
		mustAdd(t, enc, tcpRecord())
		mustFlush(t, enc)
	}
	for i, p := range c.pkts {
		want := i%20 == 0
		if got := v9Sets(t, p)[0].id == 0; got != want {
			t.Errorf("packet %d: templates %v, want %v", i, got, want)
		}
	}
	clk.Advance(30 * time.Minute)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	if v9Sets(t, c.pkts[len(c.pkts)-1])[0].id != 0 {
		t.Error("no templates after 30 minutes")
	}
}

// Packets stay within MaxPacketSize, and many interface names spill over
// several packets without losing a flow.
func TestV9PacketSizeAndOptionSpill(t *testing.T) {
	cfg := export.EncoderConfig{Version: export.V9, MaxPacketSize: 512}
	for i := range 40 {
		cfg.InterfaceNames = append(cfg.InterfaceNames, export.InterfaceName{IfIndex: uint32(i + 1), Name: "GigabitEthernet0/0/" + string(rune('a'+i%26))})
	}
	enc, c := newEncoder(t, cfg)
	for range 50 {
		mustAdd(t, enc, tcpRecord())
	}
	mustFlush(t, enc)
	flows, names := 0, 0
	for i, p := range c.pkts {
		if len(p) > 512 {
			t.Errorf("packet %d is %d bytes, over 512", i, len(p))
		}
		for _, s := range v9Sets(t, p) {
			switch s.id {
			case 256:
				flows += (s.length - 4) / 63 // no sampler: 63-byte records
			case 259:
				names += (s.length - 4) / 40
			}
		}
	}
	if flows != 50 || names != 40 {
		t.Errorf("decoded %d flows and %d interface names, want 50 and 40", flows, names)
	}
}

func TestV9AggregationTemplate(t *testing.T) {
	enc, c := newEncoder(t, export.EncoderConfig{Version: export.V9, Scheme: platform.SchemeBGPNextHopToS, AS: platform.ASOrigin})
	r := tcpRecord()
	if err := enc.Add(&r); !errors.Is(err, export.ErrWrongCache) {
		t.Fatalf("Add(main record) to an aggregation encoder = %v, want ErrWrongCache", err)
	}
	a := export.Aggregate{Record: tcpRecord(), Flows: 5}
	if err := enc.AddAggregate(&a); err != nil {
		t.Fatal(err)
	}
	mustFlush(t, enc)
	p := c.pkts[0]
	sets := v9Sets(t, p)
	if len(sets) != 2 || sets[1].id != 275 {
		t.Fatalf("flowsets %+v, want a template set and data set 275 (260 + scheme 15)", sets)
	}
	// FLOWS IN_PKTS IN_BYTES FIRST LAST SRC_AS DST_AS INPUT OUTPUT TOS
	// BGP_NEXT_HOP IP_PROTOCOL_VERSION (no address says it otherwise)
	// flowEndReason
	checkFields(t, "bgp-nexthop-tos template", p, 24, []fieldAt{
		{name: "template id", off: 0, size: 2, want: 275},
		{name: "field count", off: 2, size: 2, want: 13},
		{name: "FLOWS", off: 4, size: 2, want: 3},
		{name: "BGP_IPV4_NEXT_HOP", off: 44, size: 2, want: 18},
		{name: "IP_PROTOCOL_VERSION", off: 48, size: 2, want: 60},
		{name: "IP_PROTOCOL_VERSION length", off: 50, size: 2, want: 1},
		{name: "flowEndReason", off: 52, size: 2, want: 136},
	})
	checkFields(t, "bgp-nexthop-tos record", p, sets[1].off+4, []fieldAt{
		{name: "FLOWS", off: 0, size: 4, want: 5},
		{name: "IN_PKTS", off: 4, size: 8, want: 10},
		{name: "SRC_AS", off: 28, size: 4, want: 64512},
		{name: "SRC_TOS", off: 44, size: 1, want: 0x28},
		{name: "BGP_IPV4_NEXT_HOP", off: 45, size: 4, want: 0x0a0000fe},
		{name: "IP_PROTOCOL_VERSION", off: 49, size: 1, want: 4},
		{name: "flowEndReason end of flow", off: 50, size: 1, want: 3},
	})
}

type setInfo struct{ off, id, length int }

// v9Sets walks a v9 or IPFIX packet's sets, checking their lengths add up.
func v9Sets(t *testing.T, p []byte) []setInfo {
	t.Helper()
	off := 20
	if binary.BigEndian.Uint16(p) == 10 {
		off = 16
	}
	var out []setInfo
	for off < len(p) {
		if off+4 > len(p) {
			t.Fatalf("truncated set header at %d", off)
		}
		s := setInfo{off, int(binary.BigEndian.Uint16(p[off:])), int(binary.BigEndian.Uint16(p[off+2:]))}
		if s.length < 4 || off+s.length > len(p) {
			t.Fatalf("set at %d: bad length %d in %d-byte packet", off, s.length, len(p))
		}
		if binary.BigEndian.Uint16(p) == 9 && s.length%4 != 0 {
			t.Errorf("v9 flowset at %d: length %d not padded to 4", off, s.length)
		}
		out = append(out, s)
		off += s.length
	}
	return out
}
