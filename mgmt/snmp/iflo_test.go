package snmp

import (
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

func sysfsCounter(t *testing.T, ifName, counter string) uint64 {
	t.Helper()
	b, err := os.ReadFile("/sys/class/net/" + ifName + "/statistics/" + counter)
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestIfHCInOctetsLo compares ifHCInOctets of lo with the kernel's own
// counter, read through sysfs (not this package's netlink code) just
// before and just after the snmpget. Exact equality cannot be had: the
// request itself crosses lo before the agent reads the counter, and any
// other process on the machine may be using lo too. So the value must lie
// in the window: above the count before the request by at least the
// request's own datagram, and at most the count after the response.
func TestIfHCInOctetsLo(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	_, v4, _ := startAgent(t, testConfig(newFakeBackend()))
	oid := ".1.3.6.1.2.1.31.1.1.1.6." + strconv.Itoa(lo.Index)
	for range 3 {
		before := sysfsCounter(t, "lo", "rx_bytes")
		out := get1(t, "-v2c", "-c", roCommunity, v4, oid)
		after := sysfsCounter(t, "lo", "rx_bytes")
		s, ok := strings.CutPrefix(out, oid+" = Counter64: ")
		if !ok {
			t.Fatalf("snmpget printed %q", out)
		}
		got, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		// The smallest request: IPv4 (20) + UDP (8) + an SNMP message of
		// more than 40 octets for this OID and community.
		const minRequest = 20 + 8 + 40
		if got < before+minRequest || got > after {
			t.Errorf("ifHCInOctets.%d = %d, want within [%d, %d] (kernel before + request, kernel after)", lo.Index, got, before+minRequest, after)
		}
		t.Logf("before %d, agent %d (+%d), after %d (+%d)", before, got, got-before, after, after-before)
	}
}
