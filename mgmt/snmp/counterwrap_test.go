package snmp

import (
	"context"
	"strings"
	"testing"
	"time"
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

// TestSysUpTimeWrapsAt497Days: an agent up 497 days and 5 seconds serves
// sysUpTime modulo 2^32 ticks, as IOS and net-snmp do (not stuck at
// 4294967295), and the TimeStamp of a flow that began 30 s before reads
// just under 2^32: a manager subtracting the two modulo 2^32 gets the 30 s.
func TestSysUpTimeWrapsAt497Days(t *testing.T) {
	wall := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	cfg := testConfig(newFakeBackend())
	cfg.Now = func() time.Time { return wall }
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const up = (1<<32 + 500) * 10 * time.Millisecond
	a.engine.up = func() time.Duration { return up }
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	out, _, err := run(t, "snmpget", "-v2c", "-c", roCommunity, "-On", "-Ot", a.LocalAddrs()[0].String(), "1.3.6.1.2.1.1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "= 500") {
		t.Errorf("sysUpTime 497 days and 5 s up: %s; want 500", out)
	}
	if got, want := a.ticksAt(wall.Add(-30*time.Second)), uint32(1<<32-2500); got != want {
		t.Errorf("a flow started 30 s before is at %d ticks, want %d", got, want)
	}
	if d := a.Uptime() - a.ticksAt(wall.Add(-30*time.Second)); d != 3000 {
		t.Errorf("sysUpTime less the flow's TimeStamp, modulo 2^32: %d ticks, want 3000", d)
	}
}
