package snmp

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestNetSNMPv3UserAccessListCounted: a v3 request from a source the
// user's access list refuses gets the Report an unknown user name gets
// (net-snmp says "Unknown user name", as for a name the agent lacks) and
// is counted: in usmStatsUnknownUserNames, as a refused community is in
// snmpInBadCommunityNames, and in flowtap's own count that show snmp and
// the metrics read. A permitted source still gets its answer and counts
// nothing. An NMS reads flowtap's count as flowtapUsmUserAccessListRefused
// (flowtap.5.1.0).
func TestNetSNMPv3UserAccessListCounted(t *testing.T) {
	b := newFakeBackend()
	cfg := testConfig(b)
	cfg.Users[0].Allow = fromPrefixes("192.0.2.0/24") // userSHA: not loopback
	cfg.Users[1].Allow = fromPrefixes("127.0.0.0/8")  // userSHA256: loopback only
	a, v4, _ := startAgent(t, cfg)

	_, refused, err := run(t, "snmpget", append(v3Args(userSHA, "SHA", authPass, privPass), v4, ".1.3.6.1.2.1.1.5.0")...)
	if err == nil || !strings.Contains(refused, "Unknown user name") {
		t.Fatalf("a refused source: err %v, stderr %q; want net-snmp's Unknown user name", err, refused)
	}
	_, unknown, err := run(t, "snmpget", append(v3Args("nosuchuser", "SHA", authPass, privPass), v4, ".1.3.6.1.2.1.1.5.0")...)
	if err == nil || lastLine(unknown) != lastLine(refused) {
		t.Fatalf("an unknown user: err %v, stderr %q; want what the refused source read, %q", err, unknown, lastLine(refused))
	}
	out := walk(t, "snmpget", append(v3Args(userSHA256, "SHA-256", authPass, privPass), v4, ".1.3.6.1.2.1.1.5.0")...)
	wantLines(t, out, `.1.3.6.1.2.1.1.5.0 = STRING: "probe1"`)

	c := a.Counters()
	if c[UserACLRefused] != 1 || c["usmStatsUnknownUserNames"] != 2 {
		t.Fatalf("refused by the access list %d, usmStatsUnknownUserNames %d; want 1 and 2", c[UserACLRefused], c["usmStatsUnknownUserNames"])
	}
	out = get1(t, "-v2c", "-c", roCommunity, v4, ".1.3.6.1.6.3.15.1.1.3.0")
	if out != ".1.3.6.1.6.3.15.1.1.3.0 = Counter32: 2" {
		t.Fatalf("usmStatsUnknownUserNames read as %q", out)
	}
	// flowtap's MIB tells an NMS that one was the access list, not a
	// user name it does not know.
	out = get1(t, "-v2c", "-c", roCommunity, v4, ".1.3.6.1.4.1.32473.1.5.1.0")
	if out != ".1.3.6.1.4.1.32473.1.5.1.0 = Counter32: 1" {
		t.Fatalf("flowtapUsmUserAccessListRefused read as %q, want Counter32: 1", out)
	}
}

// TestV3RefusedSourceSeesUnknownUser holds the refused source's answer to
// the octet: two agents on one stopped clock, one with the user and an
// access list refusing the source, one without the user, get the same
// request (authPriv, reportable, a GetNext and a Get alike) and must send
// the same bytes back, so nothing in the answer tells the source the
// name exists. Each agent counts it in usmStatsUnknownUserNames; only the
// first in flowtapUsmUserAccessListRefused.
func TestV3RefusedSourceSeesUnknownUser(t *testing.T) {
	stopped := time.Now()
	agent := func(withUser bool) *Agent {
		cfg := testConfig(newFakeBackend())
		cfg.Listen = nil
		cfg.Now = func() time.Time { return stopped }
		cfg.Users[0].Allow = fromPrefixes("192.0.2.0/24")
		if !withUser {
			cfg.Users = cfg.Users[1:]
		}
		a, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	withUser, without := agent(true), agent(false)
	from := netip.MustParseAddrPort("198.51.100.7:40000")
	for _, typ := range []pduType{pduGet, pduGetNext, pduGetBulk} {
		req := managerRequest(t, withUser, shaUser, 1472, 0, getPDU(t, typ, 0, 0, "1.3.6.1.2.1.1.5.0"))
		got, want := withUser.handle(req, from), without.handle(req, from)
		if want == nil {
			t.Fatalf("%v: the agent without the user sent no Report", typ)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%v: the refused source read\n%x\nan unknown user reads\n%x", typ, got, want)
		}
	}
	if c := withUser.Counters(); c["usmStatsUnknownUserNames"] != 3 || c[UserACLRefused] != 3 {
		t.Errorf("refusing agent: usmStatsUnknownUserNames %d, refused %d; want 3 and 3", c["usmStatsUnknownUserNames"], c[UserACLRefused])
	}
	if c := without.Counters(); c["usmStatsUnknownUserNames"] != 3 || c[UserACLRefused] != 0 {
		t.Errorf("agent without the user: usmStatsUnknownUserNames %d, refused %d; want 3 and 0", c["usmStatsUnknownUserNames"], c[UserACLRefused])
	}
}

// lastLine is a tool's last line of output, past net-snmp's notes about
// its per-test directories.
func lastLine(s string) string {
	l := lines(strings.TrimSpace(s))
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}
