package export_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/anon"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/internal/collector"
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
		out, err := exec.Command(nfdump, "-r", files[0], "-o", "json").Output()
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
