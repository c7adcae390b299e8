package snmp

import (
	"net/netip"
	"strings"
	"testing"
)

// checkIncreasing re-checks what net-snmp checks ("OID not increasing"):
// every walked name is numerically after the one before.
func checkIncreasing(t *testing.T, out string) []string {
	t.Helper()
	var names []string
	var prev OID
	for _, l := range lines(out) {
		name, value, ok := strings.Cut(l, " = ")
		if !ok || !strings.HasPrefix(name, ".") || strings.HasPrefix(value, "No more variables") {
			continue // a Hex-STRING continuation line, or the end of the MIB
		}
		o, err := ParseOID(name)
		if err != nil {
			t.Fatalf("walk printed a bad OID %q: %v", name, err)
		}
		if prev != nil && o.Compare(prev) <= 0 {
			t.Errorf("OID not increasing: %s after %s", o, prev)
		}
		prev = o
		names = append(names, name)
	}
	return names
}

func walk(t *testing.T, tool string, args ...string) string {
	t.Helper()
	out, stderr, err := run(t, tool, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, stderr)
	}
	if strings.Contains(stderr, "not increasing") {
		t.Fatalf("%s reports disordered OIDs:\n%s", tool, stderr)
	}
	checkIncreasing(t, out)
	return out
}

func TestNetSNMPWalkSystem(t *testing.T) {
	b := newFakeBackend()
	_, v4, v6 := startAgent(t, testConfig(b))
	for _, addr := range []string{v4, v6} {
		out := walk(t, "snmpwalk", "-v2c", "-c", roCommunity, addr, "1.3.6.1.2.1.1")
		wantLines(t, out,
			`.1.3.6.1.2.1.1.1.0 = STRING: "flowtap test probe"`,
			`.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.32473.1.1.1`,
			`.1.3.6.1.2.1.1.4.0 = STRING: "noc@example.net"`,
			`.1.3.6.1.2.1.1.5.0 = STRING: "probe1"`,
			`.1.3.6.1.2.1.1.6.0 = STRING: "rack 4"`,
			`.1.3.6.1.2.1.1.7.0 = INTEGER: 72`,
		)
		// The seven objects, sysORLastChange and sysORTable's three
		// columns for the eighteen modules served.
		if n := len(lines(out)); n != 7+1+3*18 {
			t.Errorf("system group: %d lines, want %d", n, 7+1+3*18)
		}
	}
}

func TestNetSNMPWalkNetflowMIB(t *testing.T) {
	b := newFakeBackend()
	_, v4, v6 := startAgent(t, testConfig(b))
	for _, addr := range []string{v4, v6} {
		out := walk(t, "snmpwalk", "-v2c", "-c", roCommunity, addr, "1.3.6.1.4.1.9.9.387")
		wantLines(t, out,
			// cnfCICacheTable, main cache (index 0)
			`.1.3.6.1.4.1.9.9.387.1.1.2.1.2.0 = INTEGER: 1`,
			`.1.3.6.1.4.1.9.9.387.1.1.2.1.3.0 = Gauge32: 4096`,
			`.1.3.6.1.4.1.9.9.387.1.1.2.1.4.0 = Gauge32: 33`,
			`.1.3.6.1.4.1.9.9.387.1.1.2.1.5.0 = Gauge32: 4063`,
			`.1.3.6.1.4.1.9.9.387.1.1.2.1.6.0 = Gauge32: 30`,
			`.1.3.6.1.4.1.9.9.387.1.1.2.1.7.0 = Gauge32: 15`,
			// export info, collectors (cacheType.addrType.len.addr.port)
			`.1.3.6.1.4.1.9.9.387.1.2.1.1.1.0 = Gauge32: 9`,
			`.1.3.6.1.4.1.9.9.387.1.2.2.0 = Gauge32: 2`,
			`.1.3.6.1.4.1.9.9.387.1.2.3.1.4.0.1.4.192.0.2.1.2055 = INTEGER: 1`,
			`.1.3.6.1.4.1.9.9.387.1.2.3.1.4.0.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.9.4739 = INTEGER: 1`,
			// export statistics: sums over the collectors (the fake has
			// no cache ledger): records, datagrams, flow records failed
			// for want of an export packet (PktsFailed, "pak allocation
			// failure"), export packets dropped at the write, refused or
			// not queued (PktsDropped: 1 + 2)
			`.1.3.6.1.4.1.9.9.387.1.4.3.0 = Counter32: 1252`,
			`.1.3.6.1.4.1.9.9.387.1.4.4.0 = Counter32: 43`,
			`.1.3.6.1.4.1.9.9.387.1.4.5.0 = Counter32: 5`,
			`.1.3.6.1.4.1.9.9.387.1.4.6.0 = Counter32: 3`,
			// protocol statistics: tcpWww(4), icmp(16), all(22)
			`.1.3.6.1.4.1.9.9.387.1.5.3.1.2.4 = Counter64: 4682530`,
			`.1.3.6.1.4.1.9.9.387.1.5.3.1.4.4 = Counter64: 65110479650`,
			`.1.3.6.1.4.1.9.9.387.1.5.3.1.5.4 = Counter64: 11238072000`,
			`.1.3.6.1.4.1.9.9.387.1.5.3.1.2.16 = Counter64: 7`,
			`.1.3.6.1.4.1.9.9.387.1.5.3.1.2.22 = Counter64: 4682537`,
			// top flows
			`.1.3.6.1.4.1.9.9.387.1.7.2.0 = Gauge32: 10`,
			`.1.3.6.1.4.1.9.9.387.1.7.6.0 = INTEGER: 3`,
			`.1.3.6.1.4.1.9.9.387.1.7.8.1.3.1 = Hex-STRING: 0A 0A 12 01 `,
			`.1.3.6.1.4.1.9.9.387.1.7.8.1.24.1 = Gauge32: 349000`,
			`.1.3.6.1.4.1.9.9.387.1.7.8.1.26.2 = Gauge32: 100`,
		)
		if !strings.Contains(out, ".1.3.6.1.4.1.9.9.387.1.5.1.0 = Hex-STRING: 00 00 00 BF 00 18 00 09") {
			t.Errorf("cnfPSPacketSizeDistribution missing or wrong")
		}
		if strings.Contains(out, ".1.3.6.1.4.1.9.9.387.1.7.8.1.26.1 ") {
			t.Errorf("an untagged flow must have no cnfTopFlowsVlan")
		}
	}
}

func TestNetSNMPWalkIFMIB(t *testing.T) {
	b := newFakeBackend()
	cfg := testConfig(b)
	cfg.InterfaceAlias = func(name string) string { return "desc of " + name }
	_, v4, _ := startAgent(t, cfg)
	for _, root := range []string{"1.3.6.1.2.1.2", "1.3.6.1.2.1.31"} {
		out := walk(t, "snmpwalk", "-v2c", "-c", roCommunity, v4, root)
		if root == "1.3.6.1.2.1.2" {
			// lo is ifIndex 1 on Linux.
			wantLines(t, out,
				`.1.3.6.1.2.1.2.2.1.1.1 = INTEGER: 1`,
				`.1.3.6.1.2.1.2.2.1.2.1 = STRING: "lo"`,
				`.1.3.6.1.2.1.2.2.1.3.1 = INTEGER: 24`,
				`.1.3.6.1.2.1.2.2.1.7.1 = INTEGER: 1`,
				`.1.3.6.1.2.1.2.2.1.8.1 = INTEGER: 1`,
			)
		} else {
			wantLines(t, out,
				`.1.3.6.1.2.1.31.1.1.1.1.1 = STRING: "lo"`,
				`.1.3.6.1.2.1.31.1.1.1.18.1 = STRING: "desc of lo"`,
			)
		}
	}
}

func TestNetSNMPWalkIPFIXMIB(t *testing.T) {
	b := newFakeBackend()
	_, v4, _ := startAgent(t, testConfig(b))
	out := walk(t, "snmpbulkwalk", "-v2c", "-c", roCommunity, v4, "1.3.6.1.2.1.193")
	wantLines(t, out,
		`.1.3.6.1.2.1.193.1.1.1.1.2.1 = Gauge32: 17`,
		`.1.3.6.1.2.1.193.1.1.1.1.4.1 = Hex-STRING: C6 33 64 07 `,
		`.1.3.6.1.2.1.193.1.1.1.1.8.1 = Gauge32: 2055`,
		`.1.3.6.1.2.1.193.1.1.1.1.15.1 = Gauge32: 9`,
		`.1.3.6.1.2.1.193.1.1.1.1.15.2 = Gauge32: 10`,
		`.1.3.6.1.2.1.193.1.2.1.1.2.1 = Counter64: 39`,
		`.1.3.6.1.2.1.193.1.2.1.1.6.1 = Counter64: 1152`,
	)
}

// TestNetSNMPBulkWalkMatchesWalk walks everything both ways: GetBulk must
// visit exactly the instances GetNext does. The interfaces and their
// addresses are fixed: the host's come and go while other tests run
// (a CI run's parallel packages add and remove links and addresses),
// which would change the tree between two walks (once 965 instances
// against 937, at load 6).
func TestNetSNMPBulkWalkMatchesWalk(t *testing.T) {
	b := newFakeBackend()
	cfg := testConfig(b)
	cfg.Interfaces = staticInterfaces{
		{Index: 1, Name: "lo", ARPType: 772, MTU: 65536, Flags: 0x10049, Stats: InterfaceStats{RxBytes: 1 << 40, RxPackets: 5}},
		{Index: 2, Name: "eth1", ARPType: 1, MTU: 1500, Flags: 0x11143, SpeedMbps: 10000},
		{Index: 7, Name: "eth2", ARPType: 1, MTU: 9000, Flags: 0x11043, SpeedMbps: 100000},
	}
	cfg.Addresses = staticAddresses{
		{IfIndex: 1, Prefix: netip.MustParsePrefix("127.0.0.1/8")},
		{IfIndex: 1, Prefix: netip.MustParsePrefix("::1/128")},
		{IfIndex: 2, Prefix: netip.MustParsePrefix("192.0.2.1/24")},
		{IfIndex: 2, Prefix: netip.MustParsePrefix("fe80::1/64")},
	}
	a, v4, _ := startAgent(t, cfg)
	one := checkIncreasing(t, walk(t, "snmpwalk", "-v2c", "-c", roCommunity, v4, "1.3"))
	// A GetNext walker sends each request when the last answer comes: the
	// default limits must let it through, not drop it into its timeouts.
	if n := a.ctr.get(cRateLimited); n != 0 {
		t.Errorf("a plain snmpwalk of %d instances had %d requests dropped by the default rate limit", len(one), n)
	}
	for _, reps := range []string{"-Cr5", "-Cr60"} {
		bulk := checkIncreasing(t, walk(t, "snmpbulkwalk", reps, "-v2c", "-c", roCommunity, v4, "1.3"))
		if strings.Join(bulk, "\n") != strings.Join(one, "\n") {
			t.Errorf("snmpbulkwalk %s visited %d instances, snmpwalk %d; they differ", reps, len(bulk), len(one))
		}
	}
	if len(one) < 200 {
		t.Errorf("whole-tree walk found only %d instances", len(one))
	}
}
