package export_test

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

// A PFC's NDE writes tcp_flags 0 for hardware-switched flows, in v5 and
// v7 alike (ZeroTCPFlags, the PFC personas' default); everything else in
// the record is what the router persona exports. Without ZeroTCPFlags
// (`mls nde tcp-flags`, or the router) byte 37 carries the OR'd flags, as
// the goldens TestV5Golden and TestV7Golden show.
func TestZeroTCPFlagsV5V7(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  export.EncoderConfig
		want string
	}{
		{"v5", v5Config, `
			0005 0001 0036eefb 65920e90 075bcd15 00000000 01 02 8064
			0a000001 c000020a 0a0000fe 0003 0004 0000000a 000005dc 000003e8 00000dac
			3039 0050 00 00 06 28 fc00 fde9 18 10 0000`},
		{"v7", v7Config, `
			0007 0001 0036eefb 65920e90 075bcd15 00000000 00000000
			0a000001 c000020a 0a0000fe 0003 0004 0000000a 000005dc 000003e8 00000dac
			3039 0050 05 00 06 28 fc00 fde9 18 10 0000 0a090909`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.ZeroTCPFlags = true
			enc, got := newEncoder(t, cfg)
			mustAdd(t, enc, tcpRecord()) // TCPFlags 0x1b
			mustFlush(t, enc)
			if len(got.pkts) != 1 {
				t.Fatalf("%d packets, want 1", len(got.pkts))
			}
			wholeEqual(t, c.name+" packet", got.pkts[0], hx(t, c.want))
		})
	}
}

// `mls nde tcp-flags` typed (or removed) while exporting moves the
// exporter in place: records before the change keep the old byte 37,
// records after it the new one, and the sequence goes on.
func TestZeroTCPFlagsReconfigure(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	cfg := destination(addr, export.EncoderConfig{Version: export.V5, ZeroTCPFlags: true})
	e, err := export.NewExporter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	r := tcpRecord()
	e.Export(&r)
	next := cfg
	next.Encoder.ZeroTCPFlags = false
	if !e.Reconfigurable(next) {
		t.Fatal("a tcp_flags change is not reconfigurable in place")
	}
	if err := e.Reconfigure(next); err != nil {
		t.Fatal(err)
	}
	e.Export(&r)
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	var flags []byte
	var seqs []uint32
	for range 2 {
		p, ok := readPacket(t, conn, 5*time.Second)
		if !ok {
			t.Fatal("no packet")
		}
		if be16(p[2:]) != 1 {
			t.Fatalf("packet of %d records, want 1", be16(p[2:]))
		}
		seqs = append(seqs, be32(p[16:]))
		flags = append(flags, p[24+37])
	}
	if flags[0] != 0 || flags[1] != 0x1b {
		t.Errorf("tcp_flags %#x then %#x, want 0 then 0x1b", flags[0], flags[1])
	}
	if seqs[0] != 0 || seqs[1] != 1 {
		t.Errorf("flow_sequence %d then %d, want 0 then 1", seqs[0], seqs[1])
	}
}

// A PFC fills the v5 and v7 next hop and output ifIndex only with `mls
// nde interface` (Cisco's additional NDE fields): ZeroNextHopOutput, the
// PFC personas' default without it, writes 0 in bytes 8-11 and 14-15 and
// leaves the rest of the record as the goldens have it (the input
// ifIndex, bytes 12-13, stays: the flow mask decides it).
func TestZeroNextHopOutputV5V7(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  export.EncoderConfig
		want string
	}{
		{"v5", v5Config, `
			0005 0001 0036eefb 65920e90 075bcd15 00000000 01 02 8064
			0a000001 c000020a 00000000 0003 0000 0000000a 000005dc 000003e8 00000dac
			3039 0050 00 1b 06 28 fc00 fde9 18 10 0000`},
		{"v7", v7Config, `
			0007 0001 0036eefb 65920e90 075bcd15 00000000 00000000
			0a000001 c000020a 00000000 0003 0000 0000000a 000005dc 000003e8 00000dac
			3039 0050 05 1b 06 28 fc00 fde9 18 10 0000 0a090909`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.ZeroNextHopOutput = true
			enc, got := newEncoder(t, cfg)
			mustAdd(t, enc, tcpRecord()) // NextHop 10.0.0.254, OutputIf 4
			mustFlush(t, enc)
			if len(got.pkts) != 1 {
				t.Fatalf("%d packets, want 1", len(got.pkts))
			}
			wholeEqual(t, c.name+" packet", got.pkts[0], hx(t, c.want))
		})
	}
}
