package main

import (
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testnet"
)

// notOnATap are CISCO-NETFLOW-MIB's accessible objects that have no
// instance on this appliance, and why: the bridged-flow table is indexed
// by switched VLANs (a tap switches none), a metered flow has no output
// interface (InterfaceIndex cannot say 0), and the test's frames carry
// no VLAN tag (VlanIndex cannot say none either).
var notOnATap = []string{"cnfCIBridgedFlowStatsCrtEnable", "cnfCIBridgedFlowStatsExpEnable",
	"cnfTopFlowsOutputIfIndex", "cnfTopFlowsVlan"}

// TestSNMPNetflowMIBFileAgreesWithCLI walks flowtapd with Cisco's
// CISCO-NETFLOW-MIB file: every accessible object answers, with the
// file's syntax, and the cache, export, protocol statistics and the size
// histogram carry the CLI's figures; `clear ip flow stats` clears the
// histogram on both.
func TestSNMPNetflowMIBFileAgreesWithCLI(t *testing.T) {
	v := testnet.Enter(t)
	coll, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	port := coll.LocalAddr().(*net.UDPAddr).Port
	d := startDaemon(t, fmt.Sprintf(`hostname mibtap
username admin secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-aggregation cache prefix
 cache entries 2048
 mask source minimum 16
 export destination 127.0.0.1 %d
 enabled
!
ip flow-top-talkers
 top 5
 sort-by bytes
 match protocol udp
 match source port min 4000
 match source port max 4010
 match input-interface %[1]s
 match tos 0
`, v.Mon, port, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	var frames [][]byte
	for i := 0; i < 5; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, byte(i + 1)}, 4000, 10*(i+1)))
		frames = append(frames, udpFrame([4]byte{10, 0, 0, byte(i + 1)}, 4000, 700))
	}
	v.Send(t, frames)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if strings.Contains(d.cli(t, "ios", "show ip cache flow | include total packets\n"), "(10 total packets)") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the histogram never counted the 10 frames:\n%s", d.cli(t, "ios", "show ip cache flow\n"))
		}
	}

	objects := mibfiles.Accessible(t, "CISCO-NETFLOW-MIB", "1.3.6.1.4.1.9.9.387")
	walk := func() map[string]string {
		out, err := mibfiles.Run(t, "CISCO-NETFLOW-MIB", "snmpbulkwalk", "-v2c", "-cpublic", "-Os", "-OQ", agent, "1.3.6.1.4.1.9.9.387")
		if err != nil {
			t.Fatalf("snmpbulkwalk: %v", err)
		}
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if strings.Contains(l, "Wrong Type") {
				t.Errorf("net-snmp says the agent's syntax is not the MIB's: %s", l)
			}
			name, val, ok := strings.Cut(l, " = ")
			if ok { // not a Hex-STRING's continuation line
				got[name] = val
			}
		}
		return got
	}
	got := walk()
	for _, o := range objects {
		if slices.Contains(notOnATap, o) {
			continue
		}
		if !slices.ContainsFunc(keys(got), func(k string) bool { return k == o || strings.HasPrefix(k, o+".") }) {
			t.Errorf("%s: no instance", o)
		}
	}
	ifIndex := v.MonIndex
	for name, want := range map[string]string{
		fmt.Sprintf("cnfCINetflowEnable.%d", ifIndex): "interfaceDirIngress",
		"cnfTemplateExportVer9Enable.main":            "true",
		"cnfCICacheEntries.prefix":                    "2048",
		"cnfCIMinSourceMask.prefix":                   "16",
		"cnfTopFlowsMatchProtocol.0":                  "17",
		"cnfTopFlowsMatchSrcPortLo.0":                 "4000",
		"cnfTopFlowsMatchSrcPortHi.0":                 "4010",
		"cnfTopFlowsMatchInputIf.0":                   fmt.Sprint(v.MonIndex),
		"cnfTopFlowsMatchTOSByte.0":                   "0",
		"cnfTopFlowsMatchSrcAS.0":                     "-1",
		"cnfTemplateAdded.template":                   "2",
		// The aggregation cache's export: version 8 (its default) to
		// its own destination.
		"cnfEIExportVersion.prefix": "8",
		fmt.Sprintf(`cnfEICollectorStatus.prefix.ipv4."127.0.0.1".%d`, port): "active",
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}

	// The histogram: SNMP's thousandths are the screen's fractions.
	histogram := func() string {
		out := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", "-Ox", agent, "1.3.6.1.4.1.9.9.387.1.5.1.0")
		return strings.Join(strings.Fields(strings.Trim(out, `"`)), "")
	}
	screen := d.cli(t, "ios", "show ip cache flow\n")
	if want, hist := histogramFromScreen(t, screen), histogram(); hist != want {
		t.Errorf("cnfPSPacketSizeDistribution %s, the screen's histogram %s\n%s", hist, want, screen)
	}
	if got["cnfCIActiveFlows.main"] != "5" || !strings.Contains(screen, "  5 active, ") {
		t.Errorf("cnfCIActiveFlows.main %q; want 5 as the screen:\n%s", got["cnfCIActiveFlows.main"], screen)
	}
	// Expire the flows: the protocol table's Total and the export
	// counters, screen and SNMP.
	d.cli(t, "ios", "clear mls netflow\n")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if strings.HasPrefix(d.cli(t, "ios", "show ip flow export | include exported\n"), "  5 flows") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the 5 flows were not exported:\n%s", d.cli(t, "ios", "show ip flow export\n"))
		}
	}
	got = walk()
	screen = d.cli(t, "ios", "show ip cache flow\n")
	if m := regexp.MustCompile(`(?m)^Total:\s+(\d+)`).FindStringSubmatch(screen); m == nil || m[1] != got["cnfPSExpiredFlows.all"] || m[1] != "5" {
		t.Errorf("cnfPSExpiredFlows.all %q, the screen's Total %v; want 5", got["cnfPSExpiredFlows.all"], m)
	}
	// The frames go to port 53.
	if m := regexp.MustCompile(`(?m)^UDP-DNS\s+(\d+)`).FindStringSubmatch(screen); m == nil || m[1] != got["cnfPSExpiredFlows.udpDns"] {
		t.Errorf("cnfPSExpiredFlows.udpDns %q, the screen's UDP-DNS %v", got["cnfPSExpiredFlows.udpDns"], m)
	}
	exp := d.cli(t, "ios", "show ip flow export | include exported\n")
	if want := fmt.Sprintf("  %s flows exported in %s udp datagrams\n", got["cnfESRecordsExported.0"], got["cnfESPktsExported.0"]); exp != want {
		t.Errorf("cnfESRecordsExported %s, cnfESPktsExported %s; show ip flow export %q",
			got["cnfESRecordsExported.0"], got["cnfESPktsExported.0"], exp)
	}

	// clear ip flow stats: the histogram goes to 0 on the screen and in
	// SNMP, and both count the time since the clear.
	d.cli(t, "ios", "clear ip flow stats\n")
	screen = d.cli(t, "ios", "show ip cache flow\n")
	elapsed := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.4.1.9.9.387.1.5.2.0")
	if !strings.Contains(screen, "IP packet size distribution (0 total packets):") {
		t.Errorf("clear ip flow stats left the histogram:\n%s", screen)
	}
	if hist := histogram(); hist != strings.Repeat("00", 52) {
		t.Errorf("cnfPSPacketSizeDistribution after the clear: %s", hist)
	}
	m := regexp.MustCompile(`last clearing of statistics (\d+):(\d+):(\d+)`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("the screen does not say when it was cleared:\n%s", screen)
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	s, _ := strconv.Atoi(m[3])
	ms, err := strconv.Atoi(elapsed)
	if err != nil {
		t.Fatalf("cnfPSLastClearElapsedTime %q", elapsed)
	}
	// The screen rounds to the second and was read just before.
	t.Logf("screen %s, cnfPSLastClearElapsedTime %d ms", m[0], ms)
	if diff := ms/1000 - (h*3600 + mi*60 + s); diff < -1 || diff > 1 {
		t.Errorf("cnfPSLastClearElapsedTime %d ms; the screen says %s", ms, m[0])
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// histogramFromScreen turns the two rows of fractions into the MIB's 52
// octets, in hex.
func histogramFromScreen(t *testing.T, screen string) string {
	t.Helper()
	lines := strings.Split(screen, "\n")
	var fr []string
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "1-32") || strings.HasPrefix(strings.TrimSpace(l), "512") {
			fr = append(fr, strings.Fields(lines[i+1])...)
		}
	}
	if len(fr) != 26 {
		t.Fatalf("the screen has %d size fractions, want 26:\n%s", len(fr), screen)
	}
	b := make([]byte, 0, 52)
	for _, f := range fr {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("fraction %q: %v", f, err)
		}
		n := uint16(v*1000 + 0.5)
		b = append(b, byte(n>>8), byte(n))
	}
	return strings.ToUpper(hex.EncodeToString(b))
}
