package collector

import (
	"bufio"
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testproc"
)

// Internet2Tshark is Internet2's application rule set written
// independently of flowtap's appclass package, as Wireshark display
// filters, in the report's order. `#1` is the outermost layer, so that
// the headers quoted inside an ICMP error do not count.
var Internet2Tshark = [][2]string{
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

// ClassCount is one class's IPv4 packets and their IP total lengths.
type ClassCount struct {
	Name           string
	Packets, Bytes uint64
}

// TsharkClasses counts the IPv4 packets of pcap per class of rules,
// first match wins (each class's filter and none of the earlier ones),
// then "not classified": what no rule matches.
func TsharkClasses(t testing.TB, pcap string, rules [][2]string) []ClassCount {
	t.Helper()
	tshark := RequireTool(t, "tshark", "tshark")
	count := func(name, filter string) ClassCount {
		out, err := testproc.Output(exec.Command(tshark, "-r", pcap, "-Y", "ip && ("+filter+")", "-T", "fields", "-e", "ip.len"))
		if err != nil {
			t.Fatalf("tshark -Y %q: %v", filter, err)
		}
		c := ClassCount{Name: name}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.Split(sc.Text(), ",")[0] // the outer header's length
			n, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				t.Fatalf("tshark ip.len %q: %v", sc.Text(), err)
			}
			c.Packets++
			c.Bytes += n
		}
		return c
	}
	var out []ClassCount
	var earlier []string
	for _, r := range rules {
		f := "(" + r[1] + ")"
		if len(earlier) > 0 {
			f += " && !(" + strings.Join(earlier, " || ") + ")"
		}
		earlier = append(earlier, "("+r[1]+")")
		out = append(out, count(r[0], f))
	}
	return append(out, count("not classified", "!("+strings.Join(earlier, " || ")+")"))
}
