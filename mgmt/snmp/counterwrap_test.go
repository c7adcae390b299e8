package snmp

import (
	"strings"
	"testing"
)

// TestCountersWrapAndCountOn: snmpInPkts, a Counter32, passes 2^32 after
// months of polling. net-snmp reads it modulo 2^32 (starting over, not
// stuck at the top), while Counters, which show snmp and the Prometheus
// counter read, go on counting. Before, the count itself was 32 bits:
// the metrics' flowtap_snmp_in_packets_total went back to 0 with the MIB
// object, which Prometheus takes for a restart of the agent.
func TestCountersWrapAndCountOn(t *testing.T) {
	a, addr, _ := startAgent(t, testConfig(newFakeBackend()))
	a.ctr[cInPkts].Store(1<<32 - 2)
	a.ctr[cInGetRequests].Store(1<<32 - 2)
	for range 3 {
		if _, _, err := run(t, "snmpget", "-v2c", "-c", roCommunity, "-Oqv", addr, "1.3.6.1.2.1.1.3.0"); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := run(t, "snmpget", "-v2c", "-c", roCommunity, "-Oqv", addr, "1.3.6.1.2.1.11.1.0", "1.3.6.1.2.1.11.15.0")
	if err != nil {
		t.Fatal(err)
	}
	// The fourth request, counted before it is answered: 2^32 + 2.
	if got := strings.Fields(out); len(got) != 2 || got[0] != "2" || got[1] != "2" {
		t.Errorf("snmpInPkts.0, snmpInGetRequests.0 read %q, want 2 and 2 (2^32 + 2 modulo 2^32)", out)
	}
	n := a.Counters()
	if n["snmpInPkts"] != 1<<32+2 || n["snmpInGetRequests"] != 1<<32+2 {
		t.Errorf("Counters: snmpInPkts %d, snmpInGetRequests %d, want %d", n["snmpInPkts"], n["snmpInGetRequests"], uint64(1<<32+2))
	}
}
