package export_test

import (
	"bytes"
	"encoding/binary"
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"testing"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

// TestGoflowDecodesV5 decodes our v5 packets with goflow2's decoder.
func TestGoflowDecodesV5(t *testing.T) {
	recs := interopRecords(35)
	cfg := export.EncoderConfig{Version: export.V5, AS: platform.ASOrigin, EngineType: 1, EngineID: 2,
		Sampler: export.Sampler{ID: 1, Mode: export.SamplingDeterministic, Interval: 10}}
	pkts := encodeAll(t, cfg, recs, nil)
	var got []netflowlegacy.RecordsNetFlowV5
	for i, p := range pkts {
		var pkt netflowlegacy.PacketNetFlowV5
		if err := netflowlegacy.DecodeMessageVersion(bytes.NewBuffer(p), &pkt); err != nil {
			t.Fatalf("goflow2 rejects v5 packet %d: %v", i, err)
		}
		wantSeq := uint32(30 * i)
		if pkt.FlowSequence != wantSeq || pkt.Count != uint16(len(pkt.Records)) || pkt.SysUptime != 3600123 ||
			pkt.UnixSecs != 1704070800 || pkt.UnixNSecs != 123456789 || pkt.EngineType != 1 || pkt.EngineId != 2 ||
			pkt.SamplingInterval != 1<<14|10 {
			t.Errorf("v5 packet %d header %+v, want sequence %d and the configured engine and sampling", i, pkt, wantSeq)
		}
		got = append(got, pkt.Records...)
	}
	if len(got) != len(recs) {
		t.Fatalf("goflow2 decoded %d records, want %d", len(got), len(recs))
	}
	for i, g := range got {
		r := recs[i]
		w := netflowlegacy.RecordsNetFlowV5{
			SrcAddr: ip4(r.SrcAddr), DstAddr: ip4(r.DstAddr), NextHop: ip4(r.NextHop),
			Input: uint16(r.InputIf), Output: uint16(r.OutputIf),
			DPkts: uint32(r.Packets), DOctets: uint32(r.Bytes),
			First: uint32(r.Start.Sub(boot).Milliseconds()), Last: uint32(r.End.Sub(boot).Milliseconds()),
			SrcPort: r.SrcPort, DstPort: r.DstPort, TCPFlags: r.TCPFlags, Proto: r.Proto, Tos: r.ToS,
			SrcAS: uint16(r.SrcAS), DstAS: uint16(r.DstAS), SrcMask: r.SrcMask, DstMask: r.DstMask,
		}
		if g != w {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func ip4(a netip.Addr) netflowlegacy.IPAddress {
	b := a.As4()
	return netflowlegacy.IPAddress(binary.BigEndian.Uint32(b[:]))
}

// goflowRecord is a decoded data record: field type to raw value.
type goflowRecord map[uint16][]byte

func (r goflowRecord) uint(t *testing.T, typ uint16) uint64 {
	t.Helper()
	b, ok := r[typ]
	if !ok {
		t.Fatalf("field %d missing from decoded record", typ)
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func (r goflowRecord) addr(t *testing.T, typ uint16) netip.Addr {
	t.Helper()
	a, ok := netip.AddrFromSlice(r[typ])
	if !ok {
		t.Fatalf("field %d: %d bytes is not an address", typ, len(r[typ]))
	}
	return a
}

// decodeTemplated runs v9 or IPFIX packets through goflow2 with one
// template cache, as a collector would, returning the flow records, the
// options rows and each packet's sequence number.
func decodeTemplated(t *testing.T, pkts [][]byte) (flows, options []goflowRecord, seqs []uint32, rows []int) {
	t.Helper()
	templates := netflow.CreateTemplateSystem()
	for i, p := range pkts {
		var v9 netflow.NFv9Packet
		var ipfix netflow.IPFIXPacket
		if err := netflow.DecodeMessageVersion(bytes.NewBuffer(p), templates, &v9, &ipfix); err != nil {
			t.Fatalf("goflow2 rejects packet %d: %v", i, err)
		}
		before := len(flows) + len(options)
		sets := v9.FlowSets
		seqs = append(seqs, v9.SequenceNumber)
		if ipfix.Version == 10 {
			sets = ipfix.FlowSets
			seqs[len(seqs)-1] = ipfix.SequenceNumber
		} else if int(v9.Count) != countV9Records(sets) {
			t.Errorf("packet %d: v9 header count %d, goflow2 decoded %d records", i, v9.Count, countV9Records(sets))
		}
		for _, s := range sets {
			switch s := s.(type) {
			case netflow.DataFlowSet:
				for _, rec := range s.Records {
					flows = append(flows, fieldsMap(rec.Values))
				}
			case netflow.OptionsDataFlowSet:
				for _, rec := range s.Records {
					options = append(options, fieldsMap(append(append([]netflow.DataField{}, rec.ScopesValues...), rec.OptionsValues...)))
				}
			case netflow.RawFlowSet:
				t.Errorf("packet %d: goflow2 had no template for set %d", i, s.Id)
			}
		}
		rows = append(rows, len(flows)+len(options)-before)
	}
	return flows, options, seqs, rows
}

func countV9Records(sets []any) int {
	n := 0
	for _, s := range sets {
		switch s := s.(type) {
		case netflow.TemplateFlowSet:
			n += len(s.Records)
		case netflow.NFv9OptionsTemplateFlowSet:
			n += len(s.Records)
		case netflow.DataFlowSet:
			n += len(s.Records)
		case netflow.OptionsDataFlowSet:
			n += len(s.Records)
		}
	}
	return n
}

func fieldsMap(vals []netflow.DataField) goflowRecord {
	m := goflowRecord{}
	for _, v := range vals {
		if b, ok := v.Value.([]byte); ok {
			m[v.Type] = b
		}
	}
	return m
}

// TestGoflowDecodesV9AndIPFIX decodes mixed IPv4/IPv6 streams, with
// options, through goflow2's v9 and IPFIX decoders.
func TestGoflowDecodesV9AndIPFIX(t *testing.T) {
	for _, base := range []export.EncoderConfig{v9Config, ipfixConfig} {
		cfg := base
		cfg.TemplateRefreshPackets = 3
		ipfix := cfg.Version == export.IPFIX
		name := "v" + cfg.Version.String()
		var recs []flow.Record
		for i, r := range interopRecords(60) {
			recs = append(recs, r)
			if i%3 == 0 {
				recs = append(recs, interopV6Records(60)[i])
			}
		}
		pkts := encodeAll(t, cfg, recs, nil)
		flows, options, seqs, rows := decodeTemplated(t, pkts)
		if len(flows) != len(recs) {
			t.Fatalf("%s: goflow2 decoded %d flows, want %d", name, len(flows), len(recs))
		}
		for i, f := range flows {
			r := recs[i]
			srcT, dstT := uint16(8), uint16(12)
			if r.IsIPv6() {
				srcT, dstT = 27, 28
			}
			checks := []struct {
				what      string
				got, want any
			}{
				{"src addr", f.addr(t, srcT), r.SrcAddr},
				{"dst addr", f.addr(t, dstT), r.DstAddr},
				{"src port", f.uint(t, 7), uint64(r.SrcPort)},
				{"dst port", f.uint(t, 11), uint64(r.DstPort)},
				{"protocol", f.uint(t, 4), uint64(r.Proto)},
				{"packets", f.uint(t, 2), r.Packets},
				{"bytes", f.uint(t, 1), r.Bytes},
				{"tcp flags", f.uint(t, 6), uint64(r.TCPFlags)},
				{"tos", f.uint(t, 5), uint64(r.ToS)},
				{"input", f.uint(t, 10), uint64(r.InputIf)},
				{"output", f.uint(t, 14), uint64(r.OutputIf)},
				{"src as", f.uint(t, 16), uint64(r.SrcAS)},
				{"dst as", f.uint(t, 17), uint64(r.DstAS)},
				{"sampler id", f.uint(t, 48), uint64(1)},
			}
			if ipfix {
				checks = append(checks,
					struct {
						what      string
						got, want any
					}{"flowStartMilliseconds", f.uint(t, 152), uint64(r.Start.UnixMilli())},
					struct {
						what      string
						got, want any
					}{"flowEndMilliseconds", f.uint(t, 153), uint64(r.End.UnixMilli())},
					struct {
						what      string
						got, want any
					}{"flowEndReason", f.uint(t, 136), uint64(r.EndReason)})
			} else {
				checks = append(checks,
					struct {
						what      string
						got, want any
					}{"FIRST_SWITCHED", f.uint(t, 22), uint64(r.Start.Sub(boot).Milliseconds())},
					struct {
						what      string
						got, want any
					}{"LAST_SWITCHED", f.uint(t, 21), uint64(r.End.Sub(boot).Milliseconds())})
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s record %d (%s): %s = %v, want %v", name, i, r.SrcAddr, c.what, c.got, c.want)
				}
			}
		}
		// Options: the sampler row and the interface name, once per refresh.
		var samplers, names int
		for _, o := range options {
			if _, ok := o[50]; ok {
				samplers++
				if o.uint(t, 50) != 100 || o.uint(t, 49) != 2 || o.uint(t, 48) != 1 {
					t.Errorf("%s sampler row: interval %d mode %d id %d, want 100 2 1", name, o.uint(t, 50), o.uint(t, 49), o.uint(t, 48))
				}
			}
			if b, ok := o[82]; ok {
				names++
				if got := string(bytes.TrimRight(b, "\x00")); got != "eth1" || o.uint(t, 10) != 3 {
					t.Errorf("%s interface row: ifIndex %d name %q, want 3 eth1", name, o.uint(t, 10), got)
				}
			}
		}
		refreshes := (len(pkts) + 2) / 3
		if samplers != refreshes || names != refreshes {
			t.Errorf("%s: %d sampler and %d interface rows in %d packets, want %d each", name, samplers, names, len(pkts), refreshes)
		}
		// Sequence numbers: v9 counts packets, IPFIX data records (options
		// rows included) sent before the message.
		var sent uint32
		for i := range pkts {
			want := uint32(i)
			if ipfix {
				want = sent
				sent += uint32(rows[i])
			}
			if seqs[i] != want {
				t.Errorf("%s packet %d: sequence %d, want %d", name, i, seqs[i], want)
			}
		}
	}
}
