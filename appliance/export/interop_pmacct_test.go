package export_test

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/collector"
)

// pmacct's nfacctd (Debian package pmacct, 1.7.7) is the second real
// collector the exports are read by: its own template cache, sampler
// options, sequence checks and timestamps computed from sysUptime. The
// records go out through an Exporter's real UDP socket and are read back
// from nfacctd's memory table with pmacct's client.

// pmacctSampler is the 1-in-N sampler of every export here: nfacctd
// multiplies each flow's counters by N (nfacctd_renormalize) from the v5
// header or the v9/IPFIX sampler options.
var pmacctSampler = export.Sampler{ID: 3, Mode: export.SamplingRandom, Interval: 100}

// pmacctIfNames are announced in the interface options table; nfacctd
// keeps no interface names, but must take the table without complaint.
var pmacctIfNames = []export.InterfaceName{{IfIndex: 1, Name: "GigabitEthernet0/1"}, {IfIndex: 2, Name: "Gi0/2"}}

// exportToNfacctd sends recs through an Exporter to a fresh nfacctd and
// returns its rows, one per flow, keyed by source address, once it holds
// them all, failing on anything nfacctd logged against the packets.
func exportToNfacctd(t *testing.T, cfg export.EncoderConfig, recs []flow.Record) (map[string]collector.NfacctdRow, *collector.Nfacctd) {
	t.Helper()
	n := collector.StartNfacctd(t, "debug: true")
	e, err := export.NewExporter(export.DestinationConfig{Collector: n.Addr, Encoder: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		e.Export(&recs[i])
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); st.Records != uint64(len(recs)) {
		t.Errorf("exporter counted %d records exported, want %d", st.Records, len(recs))
	}
	rows := n.WaitRows(t, len(recs))
	if len(rows) != len(recs) {
		t.Fatalf("nfacctd holds %d flows, sent %d; log:\n%s", len(rows), len(recs), n.Log())
	}
	for _, c := range nfacctdComplaints(n) {
		t.Errorf("nfacctd: %s", c)
	}
	bySrc := map[string]collector.NfacctdRow{}
	for _, r := range rows {
		bySrc[r.Str("ip_src")] = r
	}
	return bySrc, n
}

// nfacctdComplaints are the lines of nfacctd's log that say something is
// wrong with what it was sent: its warnings and errors, and what it logs
// at INFO or DEBUG about packets (sequence gaps, malformed or short
// packets and sets, data of a template it does not have, versions it
// does not decode). Not its note that a v9 First or Last is past the
// header's sysUptime ("Overflow detected"): across a wrap it is, and the
// 32-bit subtraction still dates the flow right.
func nfacctdComplaints(n *collector.Nfacctd) []string {
	out := n.Complaints()
	for _, l := range strings.Split(n.Log(), "\n") {
		for _, w := range []string{"expecting flow", "malformed", "discarding", "Discarded", "unable to", "aborting"} {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// pmacctProto is how pmacct names a protocol.
func pmacctProto(p uint8) string {
	switch p {
	case 1:
		return "icmp"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 58:
		return "ipv6-icmp"
	}
	return fmt.Sprint(p)
}

// uptimeTimes is how nfacctd 1.7.7 dates a v5 or v9 flow:
// unix_secs - (sysUptime - First)/1000 with the header's values, the
// subtraction in 32 bits (a sysUptime that wrapped past First still gives
// the right difference) and the division an integer one, so the
// milliseconds (and v5's unix_nsecs) are dropped. hdrWall and hdrUp are
// the header's clock.
func uptimeTimes(hdrWall time.Time, hdrUp uint32, bootTime time.Time, t time.Time) time.Time {
	up := uint32((t.Sub(bootTime)).Milliseconds())
	return time.Unix(hdrWall.Unix()-int64((hdrUp-up)/1000), 0).UTC()
}

// TestNfacctdRoundTrip: every version nfacctd decodes (v5, v9, IPFIX;
// 1.7.7 takes no v7 or v8), IPv4 and IPv6, 1-in-100 sampled, through an
// Exporter's socket: nfacctd must hold each flow with every field as
// sent, its counters renormalised from the sampler, its times where its
// own arithmetic puts them, and log nothing against the packets (v9 and
// IPFIX in many small packets, templates and options sent again among
// them). v5 and
// v9 run twice: once 1 h after boot and once with sysUptime wrapped
// (49.7 days) between the flows' First and the header.
func TestNfacctdRoundTrip(t *testing.T) {
	const wrap = 1 << 32 * time.Millisecond
	cases := []struct {
		name    string
		cfg     export.EncoderConfig
		v6      bool
		wrapped bool
	}{
		{"v5", export.EncoderConfig{Version: export.V5, EngineType: 1, EngineID: 2}, false, false},
		{"v5 uptime wrapped", export.EncoderConfig{Version: export.V5, EngineType: 1, EngineID: 2}, false, true},
		{"v9", export.EncoderConfig{Version: export.V9, ObservationDomain: 3}, true, false},
		{"v9 uptime wrapped", export.EncoderConfig{Version: export.V9, ObservationDomain: 3}, true, true},
		{"ipfix", export.EncoderConfig{Version: export.IPFIX, ObservationDomain: 4}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := c.cfg
			cfg.AS = platform.ASOrigin
			cfg.Sampler = pmacctSampler
			cfg.BootTime = boot
			cfg.Clock = newFakeClock(now)
			if cfg.Version != export.V5 {
				// Small packets, templates every 2nd and options every
				// 3rd: nfacctd takes each again mid-stream.
				cfg.InterfaceNames = pmacctIfNames
				cfg.MaxPacketSize, cfg.TemplateRefreshPackets, cfg.OptionsRefreshPackets = 512, 2, 3
			}
			recs := interopRecords(40)
			if c.v6 {
				recs = append(recs, interopV6Records(10)...)
			}
			if c.wrapped {
				// Up 2^32 ms and 4.123 s at the export: the flows run
				// from 20 s before it, the first ones before the wrap.
				cfg.BootTime = now.Add(-wrap - 4123*time.Millisecond)
				for i := range recs {
					recs[i].Start = now.Add(-20*time.Second + time.Duration(i)*317*time.Millisecond)
					recs[i].End = recs[i].Start.Add(time.Duration(1000+i*29) * time.Millisecond)
				}
				if first := uint32(recs[0].Start.Sub(cfg.BootTime).Milliseconds()); first < 1<<32-20_000 {
					t.Fatalf("first flow's First %d: want it before the wrap", first)
				}
			}
			// The header's clock: v5 gives the export's instant (with
			// nanoseconds nfacctd ignores), v9 the whole second after it.
			hdrWall := now
			if cfg.Version == export.V9 {
				hdrWall = now.Truncate(time.Second).Add(time.Second)
			}
			hdrUp := uint32(hdrWall.Sub(cfg.BootTime).Milliseconds())

			rows, n := exportToNfacctd(t, cfg, recs)
			if c.wrapped && cfg.Version == export.V9 && !strings.Contains(n.Log(), "firstSwitched > sysUptime") {
				t.Errorf("nfacctd did not see First past the header's sysUptime: the flows do not straddle the wrap")
			}
			for _, r := range recs {
				row, ok := rows[r.SrcAddr.String()]
				if !ok {
					t.Errorf("flow from %s missing in nfacctd's table", r.SrcAddr)
					continue
				}
				check := func(field string, got, want any) {
					t.Helper()
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("%s: %s = %v, want %v", r.SrcAddr, field, got, want)
					}
				}
				check("dst addr", row.Str("ip_dst"), r.DstAddr)
				check("src port", row.Uint("port_src"), r.SrcPort)
				check("dst port (ICMP type<<8|code)", row.Uint("port_dst"), r.DstPort)
				check("protocol", row.Str("ip_proto"), pmacctProto(r.Proto))
				check("tos", row.Uint("tos"), r.ToS)
				check("tcp flags", row.Uint("tcp_flags"), r.TCPFlags)
				check("input ifIndex", row.Uint("iface_in"), r.InputIf)
				check("output ifIndex", row.Uint("iface_out"), r.OutputIf)
				check("src as", row.Uint("as_src"), r.SrcAS)
				check("dst as", row.Uint("as_dst"), r.DstAS)
				check("src mask", row.Uint("mask_src"), r.SrcMask)
				check("dst mask", row.Uint("mask_dst"), r.DstMask)
				check("packets (renormalised)", row.Uint("packets"), r.Packets*uint64(pmacctSampler.Interval))
				check("bytes (renormalised)", row.Uint("bytes"), r.Bytes*uint64(pmacctSampler.Interval))
				check("export version", row.Uint("export_proto_version"), uint16(cfg.Version))
				wantStart, wantEnd := r.Start.Truncate(time.Millisecond).UTC(), r.End.Truncate(time.Millisecond).UTC()
				switch cfg.Version {
				case export.V5:
					check("engine id", row.Uint("export_proto_sysid"), cfg.EngineID)
				default:
					check("source id", row.Uint("export_proto_sysid"), cfg.ObservationDomain)
				}
				if cfg.Version != export.IPFIX {
					wantStart = uptimeTimes(hdrWall, hdrUp, cfg.BootTime, r.Start)
					wantEnd = uptimeTimes(hdrWall, hdrUp, cfg.BootTime, r.End)
					// Its integer second is never more than one off.
					if d := wantStart.Sub(r.Start); d <= -time.Second || d >= time.Second {
						t.Fatalf("%s: nfacctd's start %s is %s from the flow's %s", r.SrcAddr, wantStart, d, r.Start)
					}
				}
				check("first", row.Time("timestamp_start"), wantStart)
				check("last", row.Time("timestamp_end"), wantEnd)
			}
		})
	}
}

// TestNfacctdReadsBiflows: an RFC 5103 biflow's forward direction as
// nfacctd reads it. It knows no reverse elements (PEN 29305) and skips
// them by their template lengths: the forward fields must come through
// whole and nothing be logged against the record.
func TestNfacctdReadsBiflows(t *testing.T) {
	start := time.Date(2026, 12, 6, 1, 2, 3, 4e6, time.UTC)
	recs := []flow.Record{{
		Key:     flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("192.0.2.80"), SrcPort: 40000, DstPort: 80, Proto: 6, InputIf: 64001},
		Packets: 12, Bytes: 1234, Start: start, End: start.Add(2 * time.Second), TCPFlags: 0x1b,
		Direction: flow.DirIngress, Biflow: flow.BiflowInitiator, EndReason: flow.EndOfFlow,
		Reverse: flow.Reverse{Packets: 9, Bytes: 8765, Start: start.Add(5 * time.Millisecond), End: start.Add(1900 * time.Millisecond), TCPFlags: 0x12},
	}, {
		Key:     flow.Key{SrcAddr: netip.MustParseAddr("192.0.2.9"), DstAddr: netip.MustParseAddr("10.0.0.7"), SrcPort: 53, DstPort: 5353, Proto: 17},
		Packets: 1, Bytes: 80, Start: start, End: start, OutputIf: 64001,
		Direction: flow.DirEgress, Biflow: flow.BiflowArbitrary, EndReason: flow.EndIdle,
	}}
	cfg := export.EncoderConfig{Version: export.IPFIX, ObservationDomain: 5, Biflow: true, Capture: export.CaptureTTL,
		BootTime: start.Add(-time.Hour), Clock: newFakeClock(start.Add(10 * time.Second))}
	rows, _ := exportToNfacctd(t, cfg, recs)
	for _, r := range recs {
		row := rows[r.SrcAddr.String()]
		got := fmt.Sprintln(row.Str("ip_dst"), row.Uint("port_src"), row.Uint("port_dst"), row.Str("ip_proto"), row.Uint("iface_in"),
			row.Uint("iface_out"), row.Uint("packets"), row.Uint("bytes"), row.Uint("tcp_flags"), row.Time("timestamp_start"), row.Time("timestamp_end"))
		want := fmt.Sprintln(r.DstAddr, r.SrcPort, r.DstPort, pmacctProto(r.Proto), r.InputIf, r.OutputIf, r.Packets, r.Bytes, r.TCPFlags, r.Start.UTC(), r.End.UTC())
		if got != want {
			t.Errorf("%s: nfacctd reads %s, want %s", r.SrcAddr, got, want)
		}
	}
}

// TestNfacctdSeesSequenceGap proves the round trip's silence means
// something: with one v9 packet of five lost on the way, nfacctd (its
// sequence checks on) logs the gap, and nfacctdComplaints finds it. It
// checks from the third packet on (a sequence of 0 before disarms the
// check once), so the third is the one dropped.
func TestNfacctdSeesSequenceGap(t *testing.T) {
	pkts := encodeAll(t, export.EncoderConfig{Version: export.V9, ObservationDomain: 6, MaxPacketSize: 512}, interopRecords(40), nil)
	if len(pkts) < 4 {
		t.Fatalf("%d packets: want at least 4", len(pkts))
	}
	n := collector.StartNfacctd(t)
	conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(n.Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i, p := range pkts {
		if i == 2 {
			continue
		}
		if _, err := conn.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	n.WaitRows(t, 1)
	deadline := time.Now().Add(5 * time.Second)
	for len(nfacctdComplaints(n)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := strings.Join(nfacctdComplaints(n), "\n")
	if !strings.Contains(got, "expecting flow '2' but received '3'") {
		t.Errorf("nfacctd's complaints %q: want the gap from 2 to 3; log:\n%s", got, n.Log())
	}
}

// TestNfacctdFollowsSamplerChanges: an operator changes the sampler's
// rate while exporting (the exporter reconfigured in place), then
// overload protection samples on top of it. nfacctd renormalises each
// flow by the rate in force when it was exported: the sampler options
// must reach it before the first record under a new rate, not at the
// next periodic refresh, and (v5, whose header gives one rate for its
// records) no record may go out in a packet of another rate.
func TestNfacctdFollowsSamplerChanges(t *testing.T) {
	for _, v := range []export.Version{export.V5, export.V9, export.IPFIX} {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			n := collector.StartNfacctd(t, "debug: true")
			base := export.Sampler{ID: 3, Mode: export.SamplingRandom, Interval: 100}
			cfg := export.DestinationConfig{Collector: n.Addr, Encoder: export.EncoderConfig{Version: v, ObservationDomain: 8,
				BootTime: boot, Clock: newFakeClock(now), Sampler: base, Overload: []export.OverloadSampler{{ID: 200, Base: base}}}}
			e, err := export.NewExporter(cfg)
			if err != nil {
				t.Fatal(err)
			}
			recs := interopRecords(30)
			rate := make([]uint64, len(recs))
			for i := range 10 {
				e.Export(&recs[i])
				rate[i] = 100
			}
			cfg.Encoder.Sampler.Interval = 10
			cfg.Encoder.Overload[0].Base.Interval = 10
			if err := e.Reconfigure(cfg); err != nil {
				t.Fatal(err)
			}
			for i := 10; i < 20; i++ {
				e.Export(&recs[i])
				rate[i] = 10
			}
			e.SetOverloadRate(8)
			for i := 20; i < 30; i++ {
				recs[i].SamplerID = 200
				e.Export(&recs[i])
				rate[i] = 80
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			rows := n.WaitRows(t, len(recs))
			for _, c := range nfacctdComplaints(n) {
				t.Errorf("nfacctd: %s", c)
			}
			got := map[string]collector.NfacctdRow{}
			for _, r := range rows {
				got[r.Str("ip_src")] = r
			}
			for i, r := range recs {
				if p := got[r.SrcAddr.String()].Uint("packets"); p != r.Packets*rate[i] {
					t.Errorf("record %d: nfacctd shows %d packets, want %d (%d sampled 1 in %d)", i, p, r.Packets*rate[i], r.Packets, rate[i])
				}
			}
		})
	}
}

// TestNfacctdReadsAggregates: every aggregation scheme's v9 and IPFIX
// record as nfacctd reads it, each scheme from an exporter of its own
// (its own observation domain, nfacctd's export_proto_sysid): the
// aggregate's flows, packets and bytes, and every field the scheme keeps.
// nfacctd drops a record that says neither by an address nor by ipVersion
// which IP it counts, so the schemes that keep no address carry ipVersion.
func TestNfacctdReadsAggregates(t *testing.T) {
	keeps := map[platform.Scheme][]string{
		platform.SchemeAS:                   {"as_src", "as_dst", "iface_in", "iface_out"},
		platform.SchemeASToS:                {"as_src", "as_dst", "iface_in", "iface_out", "tos"},
		platform.SchemeProtocolPort:         {"ip_proto", "port_src", "port_dst"},
		platform.SchemeProtocolPortToS:      {"ip_proto", "tos", "port_src", "port_dst", "iface_in", "iface_out"},
		platform.SchemeSourcePrefix:         {"ip_src", "mask_src", "as_src", "iface_in"},
		platform.SchemeSourcePrefixToS:      {"ip_src", "mask_src", "as_src", "iface_in", "tos"},
		platform.SchemeDestinationPrefix:    {"ip_dst", "mask_dst", "as_dst", "iface_out"},
		platform.SchemeDestinationPrefixToS: {"ip_dst", "mask_dst", "as_dst", "iface_out", "tos"},
		platform.SchemePrefix:               {"ip_src", "ip_dst", "mask_src", "mask_dst", "as_src", "as_dst", "iface_in", "iface_out"},
		platform.SchemePrefixToS:            {"ip_src", "ip_dst", "mask_src", "mask_dst", "as_src", "as_dst", "iface_in", "iface_out", "tos"},
		platform.SchemePrefixPort:           {"ip_src", "ip_dst", "mask_src", "mask_dst", "tos", "ip_proto", "port_src", "port_dst", "iface_in", "iface_out"},
		platform.SchemeBGPNextHopToS:        {"as_src", "as_dst", "iface_in", "iface_out", "tos"},
		platform.SchemeDestinationOnly:      {"ip_dst", "iface_out", "tos"},
		platform.SchemeSourceDestination:    {"ip_src", "ip_dst", "iface_in", "iface_out", "tos"},
		platform.SchemeFullFlow:             {"ip_src", "ip_dst", "port_src", "port_dst", "iface_in", "iface_out", "tos", "ip_proto"},
	}
	a := v8Aggregate()
	want := map[string]string{
		"ip_src": "10.1.0.0", "ip_dst": "192.0.2.0", "mask_src": "16", "mask_dst": "24", "as_src": "64512", "as_dst": "65001",
		"iface_in": "3", "iface_out": "4", "tos": "40", "ip_proto": "udp", "port_src": "53", "port_dst": "1024",
	}
	for _, v := range []export.Version{export.V9, export.IPFIX} {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			n := collector.StartNfacctd(t, "debug: true", "aggregate[flows]: "+strings.Join(append(collector.NfacctdFields, "flows"), ", "))
			for s := range keeps {
				cfg := export.DestinationConfig{Collector: n.Addr, Encoder: export.EncoderConfig{Version: v, Scheme: s, AS: platform.ASOrigin,
					ObservationDomain: uint32(s), BootTime: boot, Clock: newFakeClock(now)}}
				e, err := export.NewExporter(cfg)
				if err != nil {
					t.Fatal(err)
				}
				agg := a
				e.ExportAggregate(&agg)
				if err := e.Close(); err != nil {
					t.Fatal(err)
				}
			}
			rows := n.WaitRows(t, len(keeps))
			for _, c := range nfacctdComplaints(n) {
				t.Errorf("nfacctd: %s", c)
			}
			byScheme := map[platform.Scheme]collector.NfacctdRow{}
			for _, r := range rows {
				byScheme[platform.Scheme(r.Uint("export_proto_sysid"))] = r
			}
			for s, fields := range keeps {
				r, ok := byScheme[s]
				if !ok {
					t.Errorf("%s: nfacctd holds no record", s)
					continue
				}
				if got := fmt.Sprint(r.Uint("flows"), r.Uint("packets"), r.Uint("bytes")); got != "7 10 1500" {
					t.Errorf("%s: flows, packets, bytes %s, want 7 10 1500", s, got)
				}
				for _, f := range fields {
					if r.Str(f) != want[f] {
						t.Errorf("%s: %s = %q, want %q", s, f, r.Str(f), want[f])
					}
				}
			}
		})
	}
}

// TestNfacctdReadsCaptureFields: `ip flow-capture` MACs, VLAN, three MPLS
// label positions and a tap's flowDirection in v9 and IPFIX, as nfacctd
// reads them. nfacctd takes an egress record's VLAN from postVlanId
// (59): a tap's egress fibre's tag goes there.
func TestNfacctdReadsCaptureFields(t *testing.T) {
	for _, v := range []export.Version{export.V9, export.IPFIX} {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			n := collector.StartNfacctd(t, "debug: true", "aggregate[flows]: "+strings.Join(append(collector.NfacctdFields,
				"src_mac", "dst_mac", "vlan", "mpls_label_top", "mpls_label_bottom", "mpls_stack_depth", "sampling_direction"), ", "))
			cfg := export.DestinationConfig{Collector: n.Addr, Encoder: export.EncoderConfig{Version: v, ObservationDomain: 3,
				BootTime: boot, Clock: newFakeClock(now), Capture: export.CaptureAll, MPLSLabels: 3, Direction: true}}
			e, err := export.NewExporter(cfg)
			if err != nil {
				t.Fatal(err)
			}
			recs := interopRecords(4)
			for i := range recs {
				recs[i].SrcMAC = [6]byte{2, 0, 0, 0, 0, byte(i + 1)}
				recs[i].DstMAC = [6]byte{2, 0, 0, 0, 1, byte(i + 1)}
				recs[i].VLAN, recs[i].InnerVLAN = uint16(100+i), uint16(200+i)
				recs[i].Captured.Fields = flow.CapMPLS
				recs[i].Captured.Labels = [3]uint32{(1000+uint32(i))<<12 | 64, 2000<<12 | 64, (3000+uint32(i))<<12 | 0x100 | 64}
				recs[i].Captured.Depth = 3
				recs[i].Direction = flow.DirIngress + flow.Direction(i%2)
				e.Export(&recs[i])
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			rows := n.WaitRows(t, len(recs))
			for _, c := range nfacctdComplaints(n) {
				t.Errorf("nfacctd: %s", c)
			}
			bySrc := map[string]collector.NfacctdRow{}
			for _, r := range rows {
				bySrc[r.Str("ip_src")] = r
			}
			for i, r := range recs {
				row := bySrc[r.SrcAddr.String()]
				got := fmt.Sprintln(row.Str("mac_src"), row.Str("mac_dst"), row.Uint("vlan"), row.Uint("mpls_label_top"), row.Uint("mpls_label_bottom"),
					row.Uint("mpls_stack_depth"), row.Str("sampling_direction"))
				want := fmt.Sprintln(net.HardwareAddr(r.SrcMAC[:]), net.HardwareAddr(r.DstMAC[:]), r.VLAN, 1000+i, 3000+i, 3, []string{"i", "e"}[i%2])
				if got != want {
					t.Errorf("%s: nfacctd reads %swant %s", r.SrcAddr, got, want)
				}
			}
		})
	}
}

// TestNfacctdSequenceAcrossWrap: months of export take each header's
// sequence number past 2^32; nfacctd (its checks on) must see no gap
// where it wraps, in v5 (flows), v9 (packets) and IPFIX (data records),
// and account every flow.
func TestNfacctdSequenceAcrossWrap(t *testing.T) {
	for _, c := range []struct {
		cfg   export.EncoderConfig
		start uint32
	}{
		{export.EncoderConfig{Version: export.V5}, 1<<32 - 50},
		{export.EncoderConfig{Version: export.V9, ObservationDomain: 1}, 1<<32 - 5},
		{export.EncoderConfig{Version: export.IPFIX, ObservationDomain: 1, Sampler: pmacctSampler}, 1<<32 - 50},
	} {
		t.Run(c.cfg.Version.String(), func(t *testing.T) {
			t.Parallel()
			enc, cp := newEncoder(t, c.cfg)
			export.StartSequenceAt(enc, c.start)
			recs := interopRecords(12 * 13)
			k := 0
			for i := range 12 {
				for range 7 + i {
					mustAdd(t, enc, recs[k])
					k++
				}
				mustFlush(t, enc)
			}
			n := collector.StartNfacctd(t, "debug: true")
			conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(n.Addr))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, p := range cp.pkts {
				if _, err := conn.Write(p); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
			if rows := n.WaitRows(t, k); len(rows) != k {
				t.Errorf("nfacctd holds %d flows, sent %d", len(rows), k)
			}
			for _, l := range nfacctdComplaints(n) {
				t.Errorf("nfacctd: %s", l)
			}
			if !strings.Contains(n.Log(), "seqno [") {
				t.Fatal("nfacctd logged no packet: its debug log is off")
			}
		})
	}
}
