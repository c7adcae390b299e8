package appclass

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
)

// TestInternet2SharesOnCapture: flows metered by nfpcapd from a real
// capture, classified here, give per-class octets and packets (hence
// shares) equal to tshark's count of the packets each class's display
// filter matches and no earlier one does. IPv4 only: nfpcapd counts
// IPv6 octets differently from the IP payload length plus header.
func TestInternet2SharesOnCapture(t *testing.T) {
	pcap := "../../testdata/pcaps/zeek-var-services-std-ports.pcap"
	set := Internet2()
	if len(set.Rules) != len(collector.Internet2Tshark) {
		t.Fatalf("%d rules, %d tshark filters", len(set.Rules), len(collector.Internet2Tshark))
	}
	tally := NewTally(&set)
	for k, c := range collector.Nfpcapd(t, pcap) {
		if !k.Src.Is4() {
			continue
		}
		tally.Add(k.Proto, k.SrcPort, k.DstPort, c.Bytes, c.Packets)
	}

	want := collector.TsharkClasses(t, pcap, collector.Internet2Tshark)
	classified := 0
	for i, w := range want {
		class := i
		if i == len(set.Rules) {
			class = NotClassified
		}
		if set.Name(class) != w.Name {
			t.Fatalf("class %d is %s, tshark table has %s", i, set.Name(class), w.Name)
		}
		got := tally.Class(class)
		if got.Octets != w.Bytes || got.Packets != w.Packets {
			t.Errorf("%s: %d octets %d packets, tshark %d octets %d packets", w.Name, got.Octets, got.Packets, w.Bytes, w.Packets)
		}
		if got.Packets > 0 && class != NotClassified {
			classified++
		}
	}
	// The test means something only if the capture spreads over classes.
	if unc := want[len(want)-1].Packets; classified < 3 || unc == 0 {
		t.Errorf("capture fills %d classes and %d unclassified packets: choose a more varied one", classified, unc)
	}
	var out strings.Builder
	if err := tally.Write(&out, "zeek-var-services-std-ports.pcap, Internet2 classes"); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
}
