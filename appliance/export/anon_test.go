package export_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/anon"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestAnonymisedExportNfdump: two destinations get the same flows, one
// with Internet2's /21 truncation; a real nfcapd behind each, read back
// with nfdump, shows /21 addresses on the first and real ones on the
// second.
func TestAnonymisedExportNfdump(t *testing.T) {
	nfdump := collector.RequireTool(t, "nfdump", "nfdump")
	recs := interopRecords(30)
	for i := range recs {
		recs[i].SrcAddr = netip.AddrFrom4([4]byte{10, byte(i), byte(i*37 + 5), byte(i*11 + 1)})
		recs[i].DstAddr = netip.AddrFrom4([4]byte{198, 51, byte(100 + i), byte(200 - i)})
	}
	run := func(scheme anon.Scheme) []nfdumpFlow {
		capd := collector.StartNfcapd(t)
		e, err := export.NewExporter(export.DestinationConfig{
			Collector: capd.Addr,
			Encoder:   export.EncoderConfig{Version: export.V9, BootTime: boot, ObservationDomain: 7},
			Anon:      scheme,
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			e.Export(&recs[i])
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		files, logs := capd.Close(t)
		if len(files) != 1 {
			t.Fatalf("nfcapd wrote %v; log:\n%s", files, logs)
		}
		out, err := testproc.Output(exec.Command(nfdump, "-r", files[0], "-o", "json"))
		if err != nil {
			t.Fatalf("nfdump: %v", err)
		}
		var flows []nfdumpFlow
		if err := json.Unmarshal(out, &flows); err != nil {
			t.Fatalf("nfdump JSON: %v\n%s", err, out)
		}
		if len(flows) != len(recs) {
			t.Fatalf("nfdump read %d flows, want %d", len(flows), len(recs))
		}
		return flows
	}
	key := func(src, dst string, sp, dp uint16) string { return fmt.Sprint(src, dst, sp, dp) }
	check := func(flows []nfdumpFlow, bits int) {
		t.Helper()
		seen := map[string]bool{}
		for _, f := range flows {
			seen[key(f.Src4, f.Dst4, f.SrcPort, f.DstPort)] = true
		}
		for _, r := range recs {
			src, dst := r.SrcAddr, r.DstAddr
			if bits != 0 {
				src = netip.PrefixFrom(src, bits).Masked().Addr()
				dst = netip.PrefixFrom(dst, bits).Masked().Addr()
			}
			dp := r.DstPort
			if r.Proto == 1 {
				dp = 0 // nfdump moves ICMP type/code out of the port
			}
			if !seen[key(src.String(), dst.String(), r.SrcPort, dp)] {
				t.Errorf("/%d: no flow %s -> %s %d/%d in nfdump's output", bits, src, dst, r.SrcPort, dp)
			}
		}
	}
	check(run(anon.Scheme{Prefix4: 21}), 21)
	check(run(anon.Scheme{}), 0)
}

// TestAnonymisedNextHops: a destination with Crypto-PAn and truncation
// gets every address pseudonymised, the BGP next hop (bgp-nexthop) as
// well as the source, destination and IP next hop, as tshark reads them:
// a router's address identifies a site as much as a host's does, and
// nfanon rewrites both next hops too.
func TestAnonymisedNextHops(t *testing.T) {
	pan, err := anon.NewCryptoPAn(anon.KeyFromConfig("incident-7"))
	if err != nil {
		t.Fatal(err)
	}
	scheme := anon.Scheme{PAn: pan, Prefix4: 24}
	start := time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)
	rec := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("192.0.2.80"), Proto: 17, InputIf: 2},
		Packets: 1, Bytes: 100, Start: start, End: start,
		NextHop: netip.MustParseAddr("192.0.2.254"), BGPNextHop: netip.MustParseAddr("198.51.100.1")}
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	e, err := export.NewExporter(export.DestinationConfig{Collector: addr, Anon: scheme,
		Encoder: export.EncoderConfig{Version: export.V9, BootTime: start.Add(-time.Hour), BGPNextHop: true}})
	if err != nil {
		t.Fatal(err)
	}
	e.Export(&rec)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	var pkts [][]byte
	for {
		p, ok := readPacket(t, conn, 500*time.Millisecond)
		if !ok {
			break
		}
		pkts = append(pkts, p)
	}
	got := collector.TsharkCflow(t, pkts, addr.Port(), "cflow.srcaddr", "cflow.dstaddr", "cflow.nexthop", "cflow.bgpnexthop")
	want := map[string][]string{}
	for f, a := range map[string]netip.Addr{"cflow.srcaddr": rec.SrcAddr, "cflow.dstaddr": rec.DstAddr,
		"cflow.nexthop": rec.NextHop, "cflow.bgpnexthop": rec.BGPNextHop} {
		want[f] = []string{scheme.Addr(a).String()}
		if scheme.Addr(a) == a {
			t.Fatalf("test setup: %s maps to itself", a)
		}
	}
	var rows []map[string][]string
	for _, p := range got {
		if len(p["cflow.srcaddr"]) > 0 {
			rows = append(rows, p)
		}
	}
	if len(rows) != 1 {
		t.Fatalf("tshark read %d data packets: %v", len(rows), got)
	}
	for f, w := range want {
		if !reflect.DeepEqual(rows[0][f], w) {
			t.Errorf("%s: %q, want %q", f, rows[0][f], w)
		}
	}
}
