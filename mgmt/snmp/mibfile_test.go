package snmp

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/internal/mibfiles"
)

const netflowModule = "CISCO-NETFLOW-MIB"

// noRowsByDesign are the accessible objects of CISCO-NETFLOW-MIB that
// have no instance here, and why: cnfCIBridgedFlowStatsCtrlTable is
// indexed by switched VLANs, which a tap has none of.
var noRowsByDesign = []string{"cnfCIBridgedFlowStatsCrtEnable", "cnfCIBridgedFlowStatsExpEnable"}

var instanceRE = regexp.MustCompile(`^(\w+)(\.\S+)? = `)

// walkByName walks root with the module loaded and returns each printed
// object name with its instances' lines.
func walkByName(t *testing.T, addr, root string) map[string][]string {
	t.Helper()
	out, err := mibfiles.Run(t, netflowModule, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Os", addr, root)
	if err != nil {
		t.Fatalf("snmpbulkwalk with %s: %v", netflowModule, err)
	}
	got := map[string][]string{}
	for _, l := range lines(out) {
		if strings.Contains(l, "Wrong Type") {
			t.Errorf("net-snmp says the agent's syntax is not the MIB's: %s", l)
		}
		if m := instanceRE.FindStringSubmatch(l); m != nil {
			got[m[1]] = append(got[m[1]], l)
		}
	}
	return got
}

// TestNetSNMPWalkCiscoNetflowMIBFile walks the agent with Cisco's own
// MIB file: every object the file says can be read answers, with its
// syntax, and the values read as the MIB names them.
func TestNetSNMPWalkCiscoNetflowMIBFile(t *testing.T) {
	b := newFakeBackend()
	_, v4, _ := startAgent(t, testConfig(b))
	objects := mibfiles.Accessible(t, netflowModule, "1.3.6.1.4.1.9.9.387")
	if len(objects) != 103 {
		t.Errorf("the MIB file lists %d accessible objects, want 103", len(objects))
	}
	got := walkByName(t, v4, "1.3.6.1.4.1.9.9.387")
	for _, o := range objects {
		if len(got[o]) == 0 && !slices.Contains(noRowsByDesign, o) {
			t.Errorf("%s: no instance", o)
		}
	}
	var all []string
	for _, ls := range got {
		all = append(all, ls...)
	}
	wantLines(t, strings.Join(all, "\n"),
		`cnfCINetflowEnable.1 = INTEGER: interfaceDirNone(0)`,
		`cnfCINetflowEnable.2 = INTEGER: interfaceDirIngress(1)`,
		`cnfCINetflowEnable.3 = INTEGER: interfaceDirBoth(3)`,
		`cnfCICacheEntries.main = Gauge32: 4096`,
		`cnfCICacheEntries.prefix = Gauge32: 2048`,
		`cnfCIActiveFlows.prefix = Gauge32: 12`,
		`cnfCIMinSourceMask.prefix = Gauge32: 16`,
		`cnfCIMinDestinationMask.prefix = Gauge32: 24`,
		`cnfCIMcastNetflowRPFFailedEnable.0 = INTEGER: false(2)`,
		`cnfTemplateAdded.template = Gauge32: 2`,
		`cnfTemplateActive.optionTemplate = Gauge32: 1`,
		`cnfTemplateExportVer9Enable.main = INTEGER: true(1)`,
		`cnfTopFlowsOutputIfIndex.2 = INTEGER: 4`,
		`cnfTopFlowsMatchDstAddressType.0 = INTEGER: ipv4(1)`,
		`cnfTopFlowsMatchDstAddress.0 = Hex-STRING: AC 10 00 00 `,
		`cnfTopFlowsMatchDstAddressMask.0 = Gauge32: 16`,
		`cnfTopFlowsMatchSrcAddressType.0 = INTEGER: unknown(0)`,
		`cnfTopFlowsMatchSrcPortLo.0 = INTEGER: 161`,
		`cnfTopFlowsMatchSrcPortHi.0 = INTEGER: 162`,
		`cnfTopFlowsMatchDstPortLo.0 = INTEGER: -1`,
		`cnfTopFlowsMatchProtocol.0 = INTEGER: 17`,
		`cnfTopFlowsMatchMinPackets.0 = Gauge32: 5`,
		`cnfTopFlowsGenerate.0 = INTEGER: false(2)`,
	)
}

// TestNetSNMPSetByMIBName sets what an NMS sets by name: the interface's
// direction (ip flow ingress|egress) and the top-talkers match.
func TestNetSNMPSetByMIBName(t *testing.T) {
	b := newFakeBackend()
	_, v4, _ := startAgent(t, testConfig(b))
	set := func(args ...string) (string, error) {
		return mibfiles.Run(t, netflowModule, "snmpset", append([]string{"-v2c", "-c", rwCommunity, "-t", "2", "-r", "0", "-Os", v4}, args...)...)
	}
	if _, err := set("cnfCINetflowEnable.1", "i", "interfaceDirEgress"); err != nil {
		t.Fatal(err)
	}
	if _, err := set("cnfTopFlowsMatchSrcAddressType.0", "i", "ipv4",
		"cnfTopFlowsMatchSrcAddress.0", "x", "0A0A0001", "cnfTopFlowsMatchSrcAddressMask.0", "u", "24",
		"cnfTopFlowsMatchDstPortLo.0", "i", "1000", "cnfTopFlowsMatchProtocol.0", "i", "-1"); err != nil {
		t.Fatal(err)
	}
	// One Setter call per object, each the whole match as it stands then.
	calls := b.Calls()
	wantLines(t, strings.Join(calls, "\n"),
		"SetInterfaceFlow 1 false true",
		"SetTopFlowsMatch {true 17 10.10.0.1/32 172.16.0.0/16 {true 161 162} {false 0 0} {0 0} {5 0} {0 0} 0 0 invalid Prefix 0 0}",
		"SetTopFlowsMatch {false 0 10.10.0.0/24 172.16.0.0/16 {true 161 162} {true 1000 65535} {0 0} {5 0} {0 0} 0 0 invalid Prefix 0 0}",
	)
	if n := len(calls); n != 6 {
		t.Errorf("%d setter calls, want 6: %q", n, calls)
	}
	c, _ := b.CacheStats()
	tf, _ := b.TopFlows()
	if !c.Interfaces[0].Egress || c.Interfaces[0].Ingress {
		t.Errorf("interface 1 after the set: %+v", c.Interfaces[0])
	}
	if tf.Match.Src.String() != "10.10.0.0/24" || tf.Match.ProtocolSet || tf.Match.DstPort != (struct {
		Set      bool
		Min, Max uint16
	}{true, 1000, 65535}) {
		t.Errorf("match after the set: %+v", tf.Match)
	}
	// The criteria on ToS, interfaces, next hop and AS set as the CLI's
	// match lines do, and read back.
	if _, err := set("cnfTopFlowsMatchTOSByte.0", "i", "184", "cnfTopFlowsMatchInputIf.0", "i", "2",
		"cnfTopFlowsMatchOutputIf.0", "i", "3", "cnfTopFlowsMatchSrcAS.0", "i", "64500", "cnfTopFlowsMatchDstAS.0", "i", "65001",
		"cnfTopFlowsMatchNhAddressType.0", "i", "ipv4", "cnfTopFlowsMatchNhAddress.0", "x", "C6336400",
		"cnfTopFlowsMatchNhAddressMask.0", "u", "24"); err != nil {
		t.Fatal(err)
	}
	if tf, _ := b.TopFlows(); tf.Match.ToS != (flowcache.ToSMatch{Mask: 0xff, Value: 184}) || tf.Match.InputIf != 2 || tf.Match.OutputIf != 3 ||
		tf.Match.SrcAS != 64500 || tf.Match.DstAS != 65001 || tf.Match.NextHop != netip.MustParsePrefix("198.51.100.0/24") {
		t.Errorf("match after the route criteria: %+v", tf.Match)
	}
	out, err := mibfiles.Run(t, netflowModule, "snmpget", "-v2c", "-c", rwCommunity, "-Os", v4, "cnfTopFlowsMatchTOSByte.0",
		"cnfTopFlowsMatchInputIf.0", "cnfTopFlowsMatchSrcAS.0", "cnfTopFlowsMatchNhAddress.0", "cnfTopFlowsMatchNhAddressMask.0")
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, out, "cnfTopFlowsMatchTOSByte.0 = INTEGER: 184", "cnfTopFlowsMatchInputIf.0 = INTEGER: 2",
		"cnfTopFlowsMatchSrcAS.0 = INTEGER: 64500", "cnfTopFlowsMatchNhAddress.0 = Hex-STRING: C6 33 64 00 ",
		"cnfTopFlowsMatchNhAddressMask.0 = Gauge32: 24")
	// A criterion flowtap cannot match on takes only its "disabled" value;
	// nothing changes.
	before := len(b.Calls())
	if out, err := set("cnfTopFlowsMatchDirection.0", "i", "1"); err == nil {
		t.Errorf("a direction match was accepted: %s", out)
	}
	if out, err := set("cnfTopFlowsMatchSrcAS.0", "i", "0"); err == nil {
		t.Errorf("AS 0 was accepted: %s", out)
	}
	if out, err := set("cnfCICacheEntries.prefix", "u", "8192"); err == nil {
		t.Errorf("an aggregation cache's size was set through the main cache: %s", out)
	}
	if n := len(b.Calls()); n != before {
		t.Errorf("refused sets made %d setter calls", n-before)
	}
}
