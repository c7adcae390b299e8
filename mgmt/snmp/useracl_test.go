package snmp

import (
	"strings"
	"testing"
)

// TestNetSNMPv3UserAccessListCounted: a v3 request from a source the
// user's access list refuses gets no answer (net-snmp times out, no
// Report) and is counted: in usmStatsUnknownUserNames, as a refused
// community is in snmpInBadCommunityNames, and in flowtap's own count
// that show snmp and the metrics read. A permitted source still gets its
// answer and counts nothing. Before, the refusal was only logged. An NMS
// reads flowtap's count as flowtapUsmUserAccessListRefused (flowtap.5.1.0).
func TestNetSNMPv3UserAccessListCounted(t *testing.T) {
	b := newFakeBackend()
	cfg := testConfig(b)
	cfg.Users[0].Allow = fromPrefixes("192.0.2.0/24") // userSHA: not loopback
	cfg.Users[1].Allow = fromPrefixes("127.0.0.0/8")  // userSHA256: loopback only
	a, v4, _ := startAgent(t, cfg)

	_, stderr, err := run(t, "snmpget", append(v3Args(userSHA, "SHA", authPass, privPass), v4, ".1.3.6.1.2.1.1.5.0")...)
	if err == nil || !strings.Contains(stderr, "Timeout") {
		t.Fatalf("a refused source: err %v, stderr %q; want no answer", err, stderr)
	}
	out := walk(t, "snmpget", append(v3Args(userSHA256, "SHA-256", authPass, privPass), v4, ".1.3.6.1.2.1.1.5.0")...)
	wantLines(t, out, `.1.3.6.1.2.1.1.5.0 = STRING: "probe1"`)

	c := a.Counters()
	if c[UserACLRefused] != 1 || c["usmStatsUnknownUserNames"] != 1 {
		t.Fatalf("refused by the access list %d, usmStatsUnknownUserNames %d; want 1 and 1", c[UserACLRefused], c["usmStatsUnknownUserNames"])
	}
	out = get1(t, "-v2c", "-c", roCommunity, v4, ".1.3.6.1.6.3.15.1.1.3.0")
	if out != ".1.3.6.1.6.3.15.1.1.3.0 = Counter32: 1" {
		t.Fatalf("usmStatsUnknownUserNames read as %q", out)
	}
	// flowtap's MIB tells an NMS that one was the access list, not a
	// user name it does not know.
	out = get1(t, "-v2c", "-c", roCommunity, v4, ".1.3.6.1.4.1.32473.1.5.1.0")
	if out != ".1.3.6.1.4.1.32473.1.5.1.0 = Counter32: 1" {
		t.Fatalf("flowtapUsmUserAccessListRefused read as %q, want Counter32: 1", out)
	}
}
