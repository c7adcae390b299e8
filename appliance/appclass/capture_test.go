package appclass

import (
	"bufio"
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
)

// internet2Tshark is the Internet2 rule set written again, independently,
// as Wireshark display filters. `#1` is the outermost layer, so that the
// IP and TCP headers quoted inside an ICMP error do not count.
var internet2Tshark = [][2]string{
	{"udp", "ip.proto#1 == 17"},
	{"esp", "ip.proto#1 == 50"},
	{"icmp", "ip.proto#1 == 1"},
	{"gre", "ip.proto#1 == 47"},
	{"http", "ip.proto#1 == 6 && (tcp.port#1 == 80 || tcp.port#1 == 8000 || tcp.port#1 == 8080)"},
	{"https", "ip.proto#1 == 6 && tcp.port#1 == 443"},
	{"ssh", "ip.proto#1 == 6 && tcp.port#1 == 22"},
	{"smtp", "ip.proto#1 == 6 && tcp.port#1 == 25"},
	{"unidata", "ip.proto#1 == 6 && tcp.port#1 == 388"},
	{"ftp", "ip.proto#1 == 6 && tcp.port#1 == 20"},
	{"nntp", "ip.proto#1 == 6 && tcp.port#1 == 119"},
	{"flash_macromedia", "ip.proto#1 == 6 && tcp.port#1 == 1935"},
	{"rsync", "ip.proto#1 == 6 && tcp.port#1 == 873"},
	{"rtsp", "ip.proto#1 == 6 && tcp.port#1 == 554"},
	{"squid", "ip.proto#1 == 6 && tcp.port#1 == 3128"},
	{"imaps", "ip.proto#1 == 6 && tcp.port#1 == 993"},
	{"xbox", "ip.proto#1 == 6 && tcp.port#1 == 3074"},
	{"nuttcp", "ip.proto#1 == 6 && tcp.port#1 == 5101"},
	{"port_20000-20030", "ip.proto#1 == 6 && ((tcp.srcport#1 >= 20000 && tcp.srcport#1 <= 20030) || (tcp.dstport#1 >= 20000 && tcp.dstport#1 <= 20030))"},
	{"port_40000-40030", "ip.proto#1 == 6 && ((tcp.srcport#1 >= 40000 && tcp.srcport#1 <= 40030) || (tcp.dstport#1 >= 40000 && tcp.dstport#1 <= 40030))"},
}

// tsharkCounts counts the IPv4 packets of pcap matching filter and sums
// their IP total length.
func tsharkCounts(t *testing.T, tshark, pcap, filter string) Counts {
	t.Helper()
	out, err := exec.Command(tshark, "-r", pcap, "-Y", "ip && ("+filter+")", "-T", "fields", "-e", "ip.len").Output()
	if err != nil {
		t.Fatalf("tshark -Y %q: %v", filter, err)
	}
	var c Counts
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")[0] // the outer header's length
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			t.Fatalf("tshark ip.len %q: %v", sc.Text(), err)
		}
		c.Packets++
		c.Octets += n
	}
	return c
}

// TestInternet2SharesOnCapture: flows metered by nfpcapd from a real
// capture, classified here, give per-class octets and packets (hence
// shares) equal to tshark's count of the packets each class's display
// filter matches and no earlier one does. IPv4 only: nfpcapd counts
// IPv6 octets differently from the IP payload length plus header.
func TestInternet2SharesOnCapture(t *testing.T) {
	tshark := collector.RequireTool(t, "tshark", "tshark")
	pcap := "../../testdata/pcaps/zeek-var-services-std-ports.pcap"
	set := Internet2()
	if len(set.Rules) != len(internet2Tshark) {
		t.Fatalf("%d rules, %d tshark filters", len(set.Rules), len(internet2Tshark))
	}
	tally := NewTally(&set)
	for k, c := range collector.Nfpcapd(t, pcap) {
		if !k.Src.Is4() {
			continue
		}
		tally.Add(k.Proto, k.SrcPort, k.DstPort, c.Bytes, c.Packets)
	}

	var earlier []string
	classified := 0
	for i, tf := range internet2Tshark {
		if set.Rules[i].Name != tf[0] {
			t.Fatalf("rule %d is %s, tshark table has %s", i, set.Rules[i].Name, tf[0])
		}
		f := "(" + tf[1] + ")"
		if len(earlier) > 0 {
			f += " && !(" + strings.Join(earlier, " || ") + ")"
		}
		earlier = append(earlier, "("+tf[1]+")")
		want := tsharkCounts(t, tshark, pcap, f)
		got := tally.Class(i)
		if got.Octets != want.Octets || got.Packets != want.Packets {
			t.Errorf("%s: %d octets %d packets, tshark %d octets %d packets", tf[0], got.Octets, got.Packets, want.Octets, want.Packets)
		}
		if got.Packets > 0 {
			classified++
		}
	}
	want := tsharkCounts(t, tshark, pcap, "!("+strings.Join(earlier, " || ")+")")
	if got := tally.Class(NotClassified); got.Octets != want.Octets || got.Packets != want.Packets {
		t.Errorf("not classified: %d octets %d packets, tshark %d octets %d packets", got.Octets, got.Packets, want.Octets, want.Packets)
	}
	// The test means something only if the capture spreads over classes.
	if classified < 3 || want.Packets == 0 {
		t.Errorf("capture fills %d classes and %d unclassified packets: choose a more varied one", classified, want.Packets)
	}
	var out strings.Builder
	if err := tally.Write(&out, "zeek-var-services-std-ports.pcap, Internet2 classes"); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
}
