package export_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

// TestReconfigureKeepsSequence: an encoder setting changed while
// exporting (IOS's `ip flow-export template refresh-rate`, a sampler, the
// interface names) changes the exporter in place: the collector sees the
// same source port and sequence numbers that go on without a gap, the
// records before the change in a packet of their own, and the templates
// again. A new exporter started the sequence over on a new socket, which
// nfcapd counted as sequence errors (lost packets).
func TestReconfigureKeepsSequence(t *testing.T) {
	for _, c := range []struct {
		name   string
		v      export.Version
		seqOff int
		// next is the sequence number after a packet of recs records.
		next func(seq uint32, recs int) uint32
	}{
		{"v9", export.V9, 12, func(s uint32, _ int) uint32 { return s + 1 }},
		{"ipfix", export.IPFIX, 8, func(s uint32, n int) uint32 { return s + uint32(n) }},
		{"v5", export.V5, 16, func(s uint32, n int) uint32 { return s + uint32(n) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
			cfg := destination(addr, export.EncoderConfig{Version: c.v, TemplateRefreshPackets: 20})
			e, err := export.NewExporter(cfg)
			if err != nil {
				t.Fatal(err)
			}
			closeOnCleanup(t, e)
			r := tcpRecord()
			for range 3 {
				e.Export(&r)
			}
			next := cfg
			next.Encoder.TemplateRefreshPackets = 5
			if !e.Reconfigurable(next) {
				t.Fatal("a template refresh rate change is not reconfigurable in place")
			}
			if err := e.Reconfigure(next); err != nil {
				t.Fatal(err)
			}
			if got := e.Config().Encoder.TemplateRefreshPackets; got != 5 {
				t.Errorf("Config says refresh rate %d after the change, want 5", got)
			}
			for range 2 {
				e.Export(&r)
			}
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
			var ports []int
			var seqs []uint32
			var recs []int
			for len(ports) < 2 {
				buf := make([]byte, 65536)
				conn.SetReadDeadline(time.Now().Add(2 * time.Second))
				n, from, err := conn.ReadFromUDP(buf)
				if err != nil {
					t.Fatalf("after %d packets: %v", len(ports), err)
				}
				p := buf[:n]
				ports = append(ports, from.Port)
				seqs = append(seqs, binary.BigEndian.Uint32(p[c.seqOff:]))
				recs = append(recs, dataRecords(t, c.v, p))
			}
			if ports[0] != ports[1] {
				t.Errorf("the packets came from ports %v: the change opened a new socket", ports)
			}
			if recs[0] != 3 || recs[1] != 2 {
				t.Errorf("packets of %v records, want the 3 before the change, then the 2 after", recs)
			}
			if want := c.next(seqs[0], recs[0]); seqs[1] != want {
				t.Errorf("sequence numbers %v, want %d after %d: the change restarted them", seqs, want, seqs[0])
			}
			if st := e.Stats(); st.Records != 5 && !waitRecords(e, 5) {
				t.Errorf("the exporter counts %d records, want 5", e.Stats().Records)
			}
			next.Encoder.Version = export.V7
			if e.Reconfigurable(next) {
				t.Error("a version change counts as reconfigurable in place")
			}
		})
	}
}

// dataRecords counts the flow records of an export packet: v5's header
// count, or the records of the data sets of template 256 and up (v9's
// header counts templates too).
func dataRecords(t *testing.T, v export.Version, p []byte) int {
	t.Helper()
	if v == export.V5 {
		return int(binary.BigEndian.Uint16(p[2:]))
	}
	off := 20
	if v == export.IPFIX {
		off = 16
	}
	n := 0
	for off+4 <= len(p) {
		id, l := binary.BigEndian.Uint16(p[off:]), int(binary.BigEndian.Uint16(p[off+2:]))
		if l < 4 {
			t.Fatalf("set of length %d", l)
		}
		if id >= 256 {
			n += (l - 4) / recordLen(t, p, id, v)
		}
		off += l
	}
	return n
}

// recordLen is the length of template id's records, from its definition
// in p (every packet here carries its templates).
func recordLen(t *testing.T, p []byte, id uint16, v export.Version) int {
	t.Helper()
	off, tplSet := 20, uint16(0)
	if v == export.IPFIX {
		off, tplSet = 16, 2
	}
	for off+4 <= len(p) {
		sid, l := binary.BigEndian.Uint16(p[off:]), int(binary.BigEndian.Uint16(p[off+2:]))
		if sid == tplSet {
			for q := off + 4; q+4 <= off+l; {
				tid, cnt := binary.BigEndian.Uint16(p[q:]), int(binary.BigEndian.Uint16(p[q+2:]))
				q += 4
				size := 0
				for range cnt {
					fid, flen := binary.BigEndian.Uint16(p[q:]), int(binary.BigEndian.Uint16(p[q+2:]))
					q += 4
					if fid&0x8000 != 0 {
						q += 4 // enterprise number
					}
					size += flen
				}
				if tid == id {
					return size
				}
			}
		}
		off += l
	}
	t.Fatalf("template %d not in the packet", id)
	return 0
}

func waitRecords(e *export.Exporter, n uint64) bool {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if e.Stats().Records == n {
			return true
		}
	}
	return false
}

// TestReconfigureNewTemplateCountsFromTheChange: after a change in place
// the templates defined as before count on from the exporter's start,
// and one the change added counts from the change (IPFIX-MIB's
// discontinuity for it), not from the exporter's start.
func TestReconfigureNewTemplateCountsFromTheChange(t *testing.T) {
	_, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	clk := newFakeClock(now)
	cfg := destination(addr, export.EncoderConfig{Version: export.IPFIX, Clock: clk})
	e, err := export.NewExporter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	r := tcpRecord()
	e.Export(&r)
	clk.Advance(time.Minute)
	next := cfg
	next.Encoder.InterfaceNames = []export.InterfaceName{{IfIndex: 3, Name: "eth1"}}
	if err := e.Reconfigure(next); err != nil {
		t.Fatal(err)
	}
	var sawOptions bool
	for _, ti := range e.TemplateInfo() {
		switch {
		case ti.Options:
			sawOptions = true
			if !ti.Since.Equal(now.Add(time.Minute)) {
				t.Errorf("the new options template %d counts from %v, want the change at %v", ti.ID, ti.Since, now.Add(time.Minute))
			}
		case !ti.Since.Equal(e.Started()):
			t.Errorf("template %d, defined as before, counts from %v, want the exporter's start %v", ti.ID, ti.Since, e.Started())
		}
	}
	if !sawOptions {
		t.Error("no options template after interface names were configured")
	}
}
