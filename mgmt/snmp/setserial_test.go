package snmp

import (
	"fmt"
	"strings"
	"testing"
)

// TestNetSNMPSetSerialNo: snmpSetSerialNo (SNMPv2-MIB's snmpSet group,
// which the SNMPv2-MIB compliance makes mandatory) is a TestAndIncr: a
// Set naming the value read succeeds and moves it on, one naming a stale
// value is inconsistentValue and changes nothing else in the same Set.
// The agent had no such object, so a manager's locked Set failed with
// notWritable/noCreation.
func TestNetSNMPSetSerialNo(t *testing.T) {
	const oid = ".1.3.6.1.6.3.1.1.6.1.0"
	b := newFakeBackend()
	a, v4, _ := startAgent(t, testConfig(b))
	read := func() int32 {
		t.Helper()
		var n int32
		line := get1(t, "-v2c", "-c", roCommunity, v4, oid)
		if _, err := fmt.Sscanf(line, oid+" = INTEGER: %d", &n); err != nil {
			t.Fatalf("snmpSetSerialNo: %q: %v", line, err)
		}
		return n
	}
	n := read()
	if _, stderr, err := setCmd(t, rwCommunity, v4, oid, "i", fmt.Sprint(n), ".1.3.6.1.2.1.1.4.0", "s", "ops@example.net"); err != nil {
		t.Fatalf("set with the current value %d: %v\n%s", n, err, stderr)
	}
	if got := read(); got != (n+1)&0x7fffffff {
		t.Errorf("after the set: %d, want %d", got, n+1)
	}
	// n is stale now: the whole Set fails, the contact stays.
	_, stderr, err := setCmd(t, rwCommunity, v4, oid, "i", fmt.Sprint(n), ".1.3.6.1.2.1.1.4.0", "s", "someone@else")
	if err == nil || !strings.Contains(stderr, "inconsistentValue") {
		t.Errorf("set with a stale value: %v, want inconsistentValue\n%s", err, stderr)
	}
	if c := b.system().Contact; c != "ops@example.net" {
		t.Errorf("sysContact %q after the refused Set", c)
	}
	if _, stderr, err := setCmd(t, rwCommunity, v4, oid, "i", "-1"); err == nil || !strings.Contains(stderr, "wrongValue") {
		t.Errorf("set -1: %v, want wrongValue\n%s", err, stderr)
	}
	if _, stderr, err := setCmd(t, roCommunity, v4, oid, "i", fmt.Sprint(read())); err == nil || !strings.Contains(stderr, "noAccess") {
		t.Errorf("set by a read-only community: %v, want noAccess\n%s", err, stderr)
	}
	// It wraps from the top to 0.
	a.setSerial.Store(2147483647)
	if _, stderr, err := setCmd(t, rwCommunity, v4, oid, "i", "2147483647"); err != nil {
		t.Fatalf("set at the top: %v\n%s", err, stderr)
	}
	if got := read(); got != 0 {
		t.Errorf("after the top: %d, want 0", got)
	}
}
