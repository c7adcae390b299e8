package export_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
)

// `ip flow export layer2-switched vlan 10,20-30`: tagged records of
// listed VLANs and untagged ones reach the collector; the others are
// counted as not selected, with their packets, and sent nowhere.
func TestLayer2SwitchedVLANs(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	vlans, _ := platform.ParseVLANList("10,20-30")
	d := destination(addr, export.EncoderConfig{Version: export.V5})
	d.Layer2VLANs = vlans
	e, err := export.NewExporter(d)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	sent := 0
	for _, c := range []struct {
		vlan    uint16
		packets uint64
		want    bool
	}{{0, 1, true}, {10, 2, true}, {11, 4, false}, {25, 8, true}, {31, 16, false}, {4094, 32, false}} {
		r := tcpRecord()
		r.VLAN, r.Packets = c.vlan, c.packets
		e.Export(&r)
		if c.want {
			sent++
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	p, ok := readPacket(t, conn, 2*time.Second)
	if !ok {
		t.Fatal("no export packet")
	}
	if n := int(binary.BigEndian.Uint16(p[2:])); n != sent {
		t.Errorf("v5 count %d, want %d", n, sent)
	}
	var got uint64
	for i := range sent {
		got += uint64(binary.BigEndian.Uint32(p[24+48*i+16:]))
	}
	if got != 1+2+8 {
		t.Errorf("exported packets %d, want 11", got)
	}
	s := e.Stats()
	if !s.Layer2Filter || s.Layer2NotSelected != 3 || s.Layer2NotSelectedPackets != 4+16+32 {
		t.Errorf("stats: filter %v, %d flows (%d packets) not selected; want 3 (52)", s.Layer2Filter, s.Layer2NotSelected, s.Layer2NotSelectedPackets)
	}
}
