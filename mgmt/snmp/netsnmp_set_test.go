package snmp

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	oidInactiveTimeout = ".1.3.6.1.4.1.9.9.387.1.1.2.1.7.0"
	oidActiveTimeout   = ".1.3.6.1.4.1.9.9.387.1.1.2.1.6.0"
	oidSysContact      = ".1.3.6.1.2.1.1.4.0"
	oidSysLocation     = ".1.3.6.1.2.1.1.6.0"
)

func get1(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := run(t, "snmpget", args...)
	if err != nil {
		t.Fatalf("snmpget %v: %v\n%s", args, err, stderr)
	}
	return strings.TrimSpace(out)
}

func TestNetSNMPGet(t *testing.T) {
	b := newFakeBackend()
	_, v4, v6 := startAgent(t, testConfig(b))
	for _, addr := range []string{v4, v6} {
		got := get1(t, "-v2c", "-c", roCommunity, addr, ".1.3.6.1.2.1.1.5.0", oidInactiveTimeout, ".1.3.6.1.2.1.31.1.1.1.1.1")
		wantLines(t, got,
			`.1.3.6.1.2.1.1.5.0 = STRING: "probe1"`,
			oidInactiveTimeout+` = Gauge32: 15`,
			`.1.3.6.1.2.1.31.1.1.1.1.1 = STRING: "lo"`,
		)
	}
	// The exceptions of SNMPv2: the scalar without .0, an object that is
	// not there, a row that is not there.
	got := get1(t, "-v2c", "-c", roCommunity, v4, ".1.3.6.1.2.1.1.5", ".1.3.6.1.2.1.99.1.0", ".1.3.6.1.4.1.9.9.387.1.1.2.1.3.7")
	wantLines(t, got,
		`.1.3.6.1.2.1.1.5 = No Such Instance currently exists at this OID`,
		`.1.3.6.1.2.1.99.1.0 = No Such Object available on this agent at this OID`,
		`.1.3.6.1.4.1.9.9.387.1.1.2.1.3.7 = No Such Instance currently exists at this OID`,
	)
	// SNMPv1 has only noSuchName, and cannot carry a Counter64.
	_, stderr, err := run(t, "snmpget", "-v1", "-c", roCommunity, v4, ".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.99.1.0")
	if err == nil || !strings.Contains(stderr, "noSuchName") || !strings.Contains(stderr, ".1.3.6.1.2.1.99.1.0") {
		t.Errorf("v1 get of a missing object: err %v, stderr %q; want noSuchName naming it", err, stderr)
	}
	_, stderr, err = run(t, "snmpget", "-v1", "-c", roCommunity, v4, ".1.3.6.1.2.1.31.1.1.1.6.1")
	if err == nil || !strings.Contains(stderr, "noSuchName") {
		t.Errorf("v1 get of a Counter64: err %v, stderr %q; want noSuchName", err, stderr)
	}
}

func setCmd(t *testing.T, community, addr string, args ...string) (string, string, error) {
	t.Helper()
	return run(t, "snmpset", append([]string{"-v2c", "-c", community, "-t", "2", "-r", "0", addr}, args...)...)
}

func TestNetSNMPSetThroughSetter(t *testing.T) {
	b := newFakeBackend()
	_, v4, _ := startAgent(t, testConfig(b))

	out, stderr, err := setCmd(t, rwCommunity, v4, oidInactiveTimeout, "u", "30", oidSysContact, "s", "ops@example.org")
	if err != nil {
		t.Fatalf("snmpset: %v\n%s", err, stderr)
	}
	wantLines(t, out, oidInactiveTimeout+` = Gauge32: 30`, oidSysContact+` = STRING: "ops@example.org"`)
	if want := []string{"SetInactiveTimeout 30s", "SetSysContact ops@example.org"}; !slices.Equal(b.Calls(), want) {
		t.Errorf("Setter calls %q, want %q", b.Calls(), want)
	}
	if c, _ := b.CacheStats(); c.InactiveTimeout != 30*time.Second {
		t.Errorf("inactive timeout %v after the set", c.InactiveTimeout)
	}
	wantLines(t, get1(t, "-v2c", "-c", roCommunity, v4, oidInactiveTimeout, oidSysContact),
		oidInactiveTimeout+` = Gauge32: 30`, oidSysContact+` = STRING: "ops@example.org"`)
}

// TestNetSNMPSetRejected: a wrong type or a value out of range fails the
// test phase, and nothing of the request is applied.
func TestNetSNMPSetRejected(t *testing.T) {
	b := newFakeBackend()
	_, v4, _ := startAgent(t, testConfig(b))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"INTEGER for Unsigned32", []string{oidInactiveTimeout, "i", "30"}, "wrongType"},
		{"below 10 s", []string{oidInactiveTimeout, "u", "5"}, "wrongValue"},
		{"above 60 min", []string{oidActiveTimeout, "u", "61"}, "wrongValue"},
		{"second of two bad", []string{oidSysLocation, "s", "hall 2", oidInactiveTimeout, "u", "601"}, "wrongValue (The set value is illegal or unsupported in some way)\nFailed object: " + oidInactiveTimeout},
		{"Unsigned32 for a string", []string{oidSysContact, "u", "1"}, "wrongType"},
		{"control character", []string{oidSysContact, "x", "410A42"}, "wrongValue"},
		{"read-only object", []string{".1.3.6.1.2.1.1.1.0", "s", "x"}, "notWritable"},
		{"no such object", []string{".1.3.6.1.2.1.99.1.0", "i", "1"}, "notWritable"},
		{"row that cannot exist", []string{".1.3.6.1.4.1.9.9.387.1.1.2.1.7.3", "u", "30"}, "noCreation"},
		{"export version 7", []string{".1.3.6.1.4.1.9.9.387.1.2.1.1.1.0", "u", "7"}, "wrongValue"},
		{"sort-by 4", []string{".1.3.6.1.4.1.9.9.387.1.7.6.0", "i", "4"}, "wrongValue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, err := setCmd(t, rwCommunity, v4, c.args...)
			if err == nil || !strings.Contains(stderr, c.want) {
				t.Errorf("err %v, stderr %q; want %s", err, stderr, c.want)
			}
		})
	}
	if calls := b.Calls(); len(calls) != 0 {
		t.Errorf("rejected sets reached the Setter: %q", calls)
	}
	if c, _ := b.CacheStats(); c.InactiveTimeout != 15*time.Second {
		t.Errorf("inactive timeout changed to %v", c.InactiveTimeout)
	}
	// A read-only community may not set: noAccess, counted as a bad use.
	_, stderr, err := setCmd(t, roCommunity, v4, oidSysContact, "s", "x")
	if err == nil || !strings.Contains(stderr, "noAccess") {
		t.Errorf("RO community set: err %v, stderr %q; want noAccess", err, stderr)
	}
}

// TestNetSNMPSetUndo: when the second commit fails, the first is undone
// through the Setter with its old value.
func TestNetSNMPSetUndo(t *testing.T) {
	b := newFakeBackend()
	b.failOn = "SetActiveTimeout"
	_, v4, _ := startAgent(t, testConfig(b))
	_, stderr, err := setCmd(t, rwCommunity, v4, oidSysContact, "s", "new@example.org", oidActiveTimeout, "u", "10")
	if err == nil || !strings.Contains(stderr, "commitFailed") {
		t.Fatalf("err %v, stderr %q; want commitFailed", err, stderr)
	}
	want := []string{"SetSysContact new@example.org", "SetSysContact noc@example.net"}
	if !slices.Equal(b.Calls(), want) {
		t.Errorf("Setter calls %q, want %q", b.Calls(), want)
	}
	if s := b.system(); s.Contact != "noc@example.net" {
		t.Errorf("sysContact %q after the undo", s.Contact)
	}
}

func TestNetSNMPCollectorRowStatus(t *testing.T) {
	b := newFakeBackend()
	_, v4, _ := startAgent(t, testConfig(b))
	const status = ".1.3.6.1.4.1.9.9.387.1.2.3.1.4"
	newRow := status + ".0.1.4.203.0.113.5.9995"
	oldRow := status + ".0.1.4.192.0.2.1.2055"

	// Two collectors exist and two is the maximum.
	if _, stderr, err := setCmd(t, rwCommunity, v4, newRow, "i", "4"); err == nil || !strings.Contains(stderr, "resourceUnavailable") {
		t.Errorf("createAndGo over the maximum: err %v, stderr %q", err, stderr)
	}
	if _, stderr, err := setCmd(t, rwCommunity, v4, newRow, "i", "5"); err == nil || !strings.Contains(stderr, "wrongValue") {
		t.Errorf("createAndWait: err %v, stderr %q; want wrongValue", err, stderr)
	}
	if _, stderr, err := setCmd(t, rwCommunity, v4, oldRow, "i", "6"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, stderr)
	}
	if _, stderr, err := setCmd(t, rwCommunity, v4, newRow, "i", "4"); err != nil {
		t.Fatalf("createAndGo: %v\n%s", err, stderr)
	}
	want := []string{"RemoveCollector 192.0.2.1:2055", "AddCollector 203.0.113.5:9995"}
	if !slices.Equal(b.Calls(), want) {
		t.Errorf("Setter calls %q, want %q", b.Calls(), want)
	}
	out := walk(t, "snmpwalk", "-v2c", "-c", roCommunity, v4, status)
	wantLines(t, out, newRow+" = INTEGER: 1")
	if strings.Contains(out, oldRow) {
		t.Errorf("destroyed row still listed")
	}
}

// TestNetSNMPCommunities: a wrong community, or a right one from a source
// it does not allow, gets no answer and is counted; a view hides what it
// excludes.
func TestNetSNMPCommunities(t *testing.T) {
	b := newFakeBackend()
	a, v4, _ := startAgent(t, testConfig(b))
	const badNames = ".1.3.6.1.2.1.11.4.0"
	for _, c := range []string{"wrong", "elsewhere"} {
		_, stderr, err := run(t, "snmpget", "-v2c", "-c", c, "-t", "0.5", "-r", "0", v4, ".1.3.6.1.2.1.1.5.0")
		if err == nil || !strings.Contains(stderr, "Timeout") {
			t.Errorf("community %q: err %v, stderr %q; want a timeout", c, err, stderr)
		}
	}
	wantLines(t, get1(t, "-v2c", "-c", roCommunity, v4, badNames), badNames+" = Counter32: 2")
	if n := a.ctr.get(cInBadCommunityNames); n != 2 {
		t.Errorf("snmpInBadCommunityNames %d, want 2", n)
	}
	out := walk(t, "snmpwalk", "-v2c", "-c", "limited", v4, "1.3")
	if !strings.Contains(out, ".1.3.6.1.2.1.1.5.0 = ") || strings.Contains(out, oidSysContact) || strings.Contains(out, ".1.3.6.1.2.1.2.") {
		t.Errorf("view of community limited: want the system group less sysContact, got\n%s", out)
	}
	wantLines(t, get1(t, "-v2c", "-c", "limited", v4, oidSysContact),
		oidSysContact+" = No Such Object available on this agent at this OID")
}
