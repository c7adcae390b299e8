package snmp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

func v3Args(user, auth, authPass, privPass string) []string {
	return []string{"-v3", "-l", "authPriv", "-u", user, "-a", auth, "-A", authPass, "-x", "AES", "-X", privPass, "-t", "1", "-r", "0"}
}

func TestNetSNMPv3AuthPriv(t *testing.T) {
	b := newFakeBackend()
	_, v4, v6 := startAgent(t, testConfig(b))
	for _, u := range []struct{ name, auth string }{{userSHA, "SHA"}, {userSHA256, "SHA-256"}} {
		for _, addr := range []string{v4, v6} {
			out := walk(t, "snmpwalk", append(v3Args(u.name, u.auth, authPass, privPass), addr, "1.3.6.1.2.1.1")...)
			wantLines(t, out, `.1.3.6.1.2.1.1.5.0 = STRING: "probe1"`)
			out = walk(t, "snmpbulkwalk", append(v3Args(u.name, u.auth, authPass, privPass), addr, "1.3.6.1.4.1.9.9.387")...)
			wantLines(t, out, `.1.3.6.1.4.1.9.9.387.1.1.2.1.3.0 = Gauge32: 4096`)
		}
	}
	// The SHA-256 user may write; its set goes through the Setter.
	out, stderr, err := run(t, "snmpset", append(v3Args(userSHA256, "SHA-256", authPass, privPass), v4, oidInactiveTimeout, "u", "45")...)
	if err != nil {
		t.Fatalf("v3 set: %v\n%s", err, stderr)
	}
	wantLines(t, out, oidInactiveTimeout+" = Gauge32: 45")
	if calls := b.Calls(); len(calls) != 1 || calls[0] != "SetInactiveTimeout 45s" {
		t.Errorf("Setter calls %q", calls)
	}
}

// TestNetSNMPv3Rejected: wrong keys and unknown users get a Report, which
// net-snmp shows as an error, and the USM counters go up.
func TestNetSNMPv3Rejected(t *testing.T) {
	b := newFakeBackend()
	a, v4, _ := startAgent(t, testConfig(b))
	cases := []struct {
		args    []string
		stderr  string
		counter counter
		oid     string
	}{
		{v3Args(userSHA, "SHA", "wrong-auth-pass", privPass), "Authentication failure", cWrongDigests, ".1.3.6.1.6.3.15.1.1.5.0"},
		{v3Args(userSHA256, "SHA-256", authPass, "wrong-priv-pass"), "Decryption error", cDecryptionErrors, ".1.3.6.1.6.3.15.1.1.6.0"},
		{v3Args("nosuchuser", "SHA", authPass, privPass), "Unknown user name", cUnknownUserNames, ".1.3.6.1.6.3.15.1.1.3.0"},
		// SHA-256 keys presented as SHA-1: a wrong digest too.
		{v3Args(userSHA256, "SHA", authPass, privPass), "Authentication failure", cWrongDigests, ".1.3.6.1.6.3.15.1.1.5.0"},
	}
	for _, c := range cases {
		before := a.ctr.get(c.counter)
		_, stderr, err := run(t, "snmpget", append(c.args, v4, ".1.3.6.1.2.1.1.5.0")...)
		if err == nil || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v: err %v, stderr %q; want a failure saying %q", c.args, err, stderr, c.stderr)
		}
		if got := a.ctr.get(c.counter); got <= before {
			t.Errorf("%v: %s stayed at %d", c.args, c.oid, got)
		}
		out := get1(t, "-v2c", "-c", roCommunity, v4, c.oid)
		if !strings.HasPrefix(out, c.oid+" = Counter32: ") || strings.HasSuffix(out, ": 0") {
			t.Errorf("%s read as %q, want it counted", c.oid, out)
		}
	}
	// A priv user asking for less than it is configured for is refused.
	_, stderr, err := run(t, "snmpget", "-v3", "-l", "authNoPriv", "-u", userSHA, "-a", "SHA", "-A", authPass, "-t", "1", "-r", "0", v4, ".1.3.6.1.2.1.1.5.0")
	if err == nil || !strings.Contains(stderr, "authorizationError") {
		t.Errorf("authNoPriv for an authPriv user: err %v, stderr %q", err, stderr)
	}
}

// TestNetSNMPv3LocalizedKeys: users given only keys localized to the
// agent's engine ID (as the configuration keeps them) answer net-snmp,
// which derives the same keys from the passphrases: MD5 with DES-CBC,
// SHA with AES-128, SHA-256 with DES. A v3 trap for such a user reaches
// snmptrapd, which knows the user for this engine's ID.
func TestNetSNMPv3LocalizedKeys(t *testing.T) {
	cases := []struct {
		name       string
		auth       AuthProtocol
		priv       PrivProtocol
		nsAuth, ns string
	}{
		{"md5des", AuthMD5, PrivDES, "MD5", "DES"},
		{"shaaes", AuthSHA, PrivAES, "SHA", "AES"},
		{"sha256des", AuthSHA256, PrivDES, "SHA-256", "DES"},
	}
	var users []User
	for _, c := range cases {
		ak, pk, err := usmkey.LocalizedKeys(c.auth.KeyHash(), authPass, privPass, testEngineID)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, User{Name: c.name, Auth: c.auth, Priv: c.priv, AuthKey: ak, PrivKey: pk})
	}
	trapUser := users[0]
	td := startTrapd(t, fmt.Sprintf("createUser -e 0x%x %s MD5 %s DES %s\n", testEngineID, trapUser.Name, authPass, privPass))
	cfg := testConfig(newFakeBackend())
	cfg.Users = users
	cfg.Receivers = []Receiver{{Addr: td.addr, User: &trapUser, Trap: true}}
	a, v4, _ := startAgent(t, cfg)
	for _, c := range cases {
		args := []string{"-v3", "-l", "authPriv", "-u", c.name, "-a", c.nsAuth, "-A", authPass, "-x", c.ns, "-X", privPass, "-t", "1", "-r", "0"}
		out := walk(t, "snmpwalk", append(args, v4, "1.3.6.1.2.1.1")...)
		wantLines(t, out, `.1.3.6.1.2.1.1.5.0 = STRING: "probe1"`)
		out = walk(t, "snmpbulkwalk", append(args, v4, "1.3.6.1.4.1.9.9.387.1.1")...)
		wantLines(t, out, `.1.3.6.1.4.1.9.9.387.1.1.2.1.3.0 = Gauge32: 4096`)
		// A wrong privacy passphrase is a decryption error, not an answer.
		bad := slices.Clone(args)
		bad[len(bad)-5] = "wrong-priv-pass"
		if _, stderr, err := run(t, "snmpget", append(bad, v4, "1.3.6.1.2.1.1.5.0")...); err == nil {
			t.Errorf("%s: a wrong privacy passphrase was answered (%s)", c.name, stderr)
		}
	}
	if err := a.ColdStart(context.Background()); err != nil {
		t.Fatal(err)
	}
	td.next(t, ".1.3.6.1.6.3.1.1.5.1")
	// The same user cannot take informs: they are keyed to the receiver.
	if err := a.SetReceivers([]Receiver{{Addr: td.addr, User: &trapUser}}); err == nil || !strings.Contains(err.Error(), "send traps") {
		t.Errorf("informs for a user with localized keys: %v", err)
	}
}
