package export_test

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
)

// TestSequenceWrapsModulo32: after months of export every header's
// sequence number passes 2^32. It goes on modulo 2^32, as collectors
// (nfcapd's sequence check, flow-tools) count it, neither sticking at the
// top nor starting over: v5, v7 and v8 count flows (the next header's is
// this one's plus its count), v9 counts packets, IPFIX data records
// (templates not counted).
func TestSequenceWrapsModulo32(t *testing.T) {
	for _, c := range []struct {
		name  string
		cfg   export.EncoderConfig
		off   int                                             // the sequence's offset in the header
		step  func(pkt []byte, info export.PacketInfo) uint32 // what one packet adds
		agg   bool
		start uint32
	}{
		{"v5", v5Config, 16, func(p []byte, _ export.PacketInfo) uint32 { return uint32(be16(p[2:])) }, false, 1<<32 - 50},
		{"v7", v7Config, 16, func(p []byte, _ export.PacketInfo) uint32 { return uint32(be16(p[2:])) }, false, 1<<32 - 50},
		{"v8", v8Config(platform.SchemeProtocolPort), 16, func(p []byte, _ export.PacketInfo) uint32 { return uint32(be16(p[2:])) }, true, 1<<32 - 50},
		{"v9", v9Config, 12, func([]byte, export.PacketInfo) uint32 { return 1 }, false, 1<<32 - 5},
		{"IPFIX", ipfixConfig, 8, nil, false, 1<<32 - 50},
	} {
		t.Run(c.name, func(t *testing.T) {
			enc, cp := newEncoder(t, c.cfg)
			start := c.start
			export.StartSequenceAt(enc, start)
			lengths := map[uint16]int{} // IPFIX: each template's record length
			if c.step == nil {
				c.step = func(p []byte, _ export.PacketInfo) uint32 { return ipfixDataRecords(t, p, lengths) }
			}
			// Packets of a few records each, flushed so they cross the
			// wrap in steps of unequal sizes.
			for i := range 12 {
				for range 7 + i {
					if c.agg {
						a := v8Aggregate()
						if err := enc.AddAggregate(&a); err != nil {
							t.Fatal(err)
						}
					} else {
						mustAdd(t, enc, tcpRecord())
					}
				}
				mustFlush(t, enc)
			}
			if be32(cp.pkts[0][c.off:]) != start {
				t.Fatalf("first header's sequence %d, want %d", be32(cp.pkts[0][c.off:]), start)
			}
			wrapped := false
			for i := 1; i < len(cp.pkts); i++ {
				prev, got := be32(cp.pkts[i-1][c.off:]), be32(cp.pkts[i][c.off:])
				if want := prev + c.step(cp.pkts[i-1], cp.infos[i-1]); got != want {
					t.Errorf("packet %d: sequence %d after %d, want %d", i, got, prev, want)
				}
				wrapped = wrapped || got < prev
			}
			if !wrapped {
				t.Errorf("the sequence never passed 2^32 in %d packets", len(cp.pkts))
			}
		})
	}
}

// ipfixDataRecords counts the data records (options data records too,
// which RFC 7011's sequence counts; template records not) in an IPFIX
// message, learning the templates it defines into lengths.
func ipfixDataRecords(t *testing.T, p []byte, lengths map[uint16]int) uint32 {
	t.Helper()
	n := uint32(0)
	for off := 16; off+4 <= len(p); {
		id, l := be16(p[off:]), int(be16(p[off+2:]))
		if l < 4 || off+l > len(p) {
			t.Fatalf("set %d at %d: length %d in a %d-byte message", id, off, l, len(p))
		}
		body := p[off+4 : off+l]
		switch {
		case id == 2 || id == 3:
			for len(body) >= 4 {
				tid, fields := be16(body), int(be16(body[2:]))
				if tid == 0 { // padding
					break
				}
				body = body[4:]
				if id == 3 {
					body = body[2:] // scope field count
				}
				size := 0
				for range fields {
					ie, fl := be16(body), int(be16(body[2:]))
					if fl == 0xffff {
						t.Fatalf("template %d: a variable-length field the count cannot size", tid)
					}
					size += fl
					body = body[4:]
					if ie&0x8000 != 0 {
						body = body[4:] // enterprise number
					}
				}
				lengths[tid] = size
			}
		case id >= 256:
			size := lengths[id]
			if size == 0 {
				t.Fatalf("data set %d before its template", id)
			}
			n += uint32(len(body) / size) // what is left over is padding
		}
		off += l
	}
	return n
}

// TestNfcapdSeesNoSequenceErrorAcrossWrap: a real nfcapd, which checks
// each exporter's sequence numbers, takes packets whose sequence passes
// 2^32 without a sequence error, and nfdump reads every flow back.
func TestNfcapdSeesNoSequenceErrorAcrossWrap(t *testing.T) {
	for _, c := range []struct {
		cfg   export.EncoderConfig
		start uint32
	}{
		{export.EncoderConfig{Version: export.V5, AS: platform.ASOrigin, EngineType: 1, EngineID: 2}, 1<<32 - 20},
		{export.EncoderConfig{Version: export.V9, AS: platform.ASOrigin, ObservationDomain: 3}, 1<<32 - 2},
		{export.EncoderConfig{Version: export.IPFIX, AS: platform.ASOrigin, ObservationDomain: 4}, 1<<32 - 20},
	} {
		t.Run("v"+c.cfg.Version.String(), func(t *testing.T) {
			enc, cp := newEncoder(t, c.cfg)
			export.StartSequenceAt(enc, c.start)
			recs := interopRecords(40)
			for i := range recs {
				mustAdd(t, enc, recs[i])
				if i%9 == 8 {
					mustFlush(t, enc)
				}
			}
			mustFlush(t, enc)
			first, last := be32(cp.pkts[0][seqOffset(c.cfg.Version):]), be32(cp.pkts[len(cp.pkts)-1][seqOffset(c.cfg.Version):])
			if last >= first {
				t.Fatalf("sequence %d to %d: never passed 2^32", first, last)
			}
			// collectWithNfcapd fails the test on any sequence error.
			if got := collectWithNfcapd(t, cp.pkts); len(got) != len(recs) {
				t.Errorf("nfdump shows %d flows, sent %d", len(got), len(recs))
			}
		})
	}
}

// seqOffset is where a version's header carries its sequence number.
func seqOffset(v export.Version) int {
	switch v {
	case export.V9:
		return 12
	case export.IPFIX:
		return 8
	}
	return 16
}

// TestNfdumpDatesFlowsAcrossUptimeWrap: 49.7 days up, sysUptime (ms)
// wraps. A flow that began before the wrap and ended after it, exported
// after it, has First near 2^32 and Last and the header's sysUptime
// small; nfcapd dates it by the header's clock modulo 2^32, so nfdump
// shows the flow's own start and end, for v5 and v9.
func TestNfdumpDatesFlowsAcrossUptimeWrap(t *testing.T) {
	const wrap = 1 << 32 * time.Millisecond
	for _, v := range []export.Version{export.V5, export.V9} {
		t.Run(v.String(), func(t *testing.T) {
			// The flush comes 4 s after the wrap; the flow ran from 6 s
			// before it to 1.5 s after.
			flush := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			cfg := export.EncoderConfig{Version: v, AS: platform.ASOrigin, ObservationDomain: 5,
				BootTime: flush.Add(-wrap - 4*time.Second), Clock: newFakeClock(flush)}
			enc, cp := newEncoder(t, cfg)
			r := interopRecords(1)[0]
			r.Start, r.End = flush.Add(-10*time.Second), flush.Add(-2500*time.Millisecond)
			mustAdd(t, enc, r)
			mustFlush(t, enc)
			p := cp.pkts[0]
			up := be32(p[4:])
			rec := p[24:] // v5's record
			first, last := be32(rec[24:]), be32(rec[28:])
			if v == export.V9 {
				rec = p[len(p)-64:]
				first, last = be32(rec[36:]), be32(rec[40:])
			}
			if first < 1<<32-10_000 || last > 2000 || up != 4000 {
				t.Fatalf("sysUptime %d, First %d, Last %d: want the wrap between First and Last", up, first, last)
			}
			got := collectWithNfcapd(t, cp.pkts)
			if len(got) != 1 {
				t.Fatalf("nfdump shows %d flows, want 1", len(got))
			}
			if got[0].First != nfdumpTime(r.Start) || got[0].Last != nfdumpTime(r.End) {
				t.Errorf("nfdump dates the flow %s to %s, want %s to %s", got[0].First, got[0].Last, nfdumpTime(r.Start), nfdumpTime(r.End))
			}
		})
	}
}
