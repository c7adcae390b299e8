package cfgfile

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// The vectors are Cisco's documented type 8 hashes of "cisco".
func TestSecretType8Vectors(t *testing.T) {
	for _, h := range []string{
		"$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQFs",
		"$8$mTj4RZG8N9ZDOk$elY/asfm8kD3iDmkBe3hD2r4xcA/0oWS5V3os.O91u.",
	} {
		s, err := config.ParseSecret(h)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Verify("cisco") || s.Verify("cisco ") || s.Verify("") {
			t.Errorf("%s: Verify disagrees with IOS", h)
		}
	}
}

func TestHashSecret(t *testing.T) {
	a, err := config.HashSecret("s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := config.HashSecret("s3cret pass")
	if a == b {
		t.Error("two hashes of one password share a salt")
	}
	if _, err := config.ParseSecret(a.Hash); err != nil || !a.Verify("s3cret pass") || a.Verify("s3cret") {
		t.Errorf("fresh hash %q: %v", a.Hash, err)
	}
	if a.String() != "<secret>" {
		t.Errorf("String shows %q", a.String())
	}
}

func TestParseSecretRefuses(t *testing.T) {
	for _, h := range []string{"", "$1$abc$def", "$8$short$x", "$5$abc$def", "0822455D0A16", "$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQF!"} {
		if _, err := config.ParseSecret(h); err == nil {
			t.Errorf("accepted %q", h)
		}
	}
}

func TestClearTextSecretIsHashed(t *testing.T) {
	c, err := ios.Parse("t", []byte("enable secret my long pass\nusername ops secret 0 other\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.EnableSecret.Verify("my long pass") || !c.Users[0].Secret.Verify("other") {
		t.Fatal("clear-text secrets do not verify")
	}
}

// TestPastedSecretTypes: a router's `secret 5|9 HASH` lines are kept as
// given and shown so in the running-config (they survive write memory
// and a restart), `password 7` and `password [0]` become type 8 (flowtap
// keeps nothing reversible), and the forms IOS refuses are refused with
// file:line and the reason, the good lines around them still applying.
func TestPastedSecretTypes(t *testing.T) {
	const t5 = "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0"
	const t9 = "$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM"
	src := "enable secret 5 " + t5 + "\n" +
		"username a privilege 15 secret 5 " + t5 + "\n" +
		"username b secret 9 " + t9 + "\n" +
		"username c password 7 0822455D0A16\n" +
		"username d password 0 clear pass\n" +
		"username e secret 8 " + t5 + "\n" +
		"username f secret 7 0822455D0A16\n" +
		"username g secret 4 tnhtc92DXBhelxjYk8LWJrPV36S2i4ntXrpb4RFmfqY\n" +
		"username h password 7 08224G\n" +
		"username i secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m\n"
	c, skipped := Salvage("startup-config", []byte(src))
	wantErr := []string{
		"startup-config:6: ",
		"startup-config:7: ",
		"startup-config:8: ",
		"startup-config:9: ",
		"startup-config:10: ",
	}
	if len(skipped) != len(wantErr) {
		t.Fatalf("skipped %v, want lines 6-10", skipped)
	}
	for i, e := range skipped {
		if !strings.HasPrefix(e.Error(), wantErr[i]) || !strings.HasSuffix(e.Error(), "% Invalid input detected at '^' marker.") {
			t.Errorf("error %q, want it to start %q", e, wantErr[i])
		}
	}
	for i, why := range map[int]string{0: "the hash is type 5, not type 8", 1: "use password 7", 2: "type 4 secrets are withdrawn", 3: "not a hex byte", 4: "want a type 5 hash"} {
		if !strings.Contains(skipped[i].Error(), why) {
			t.Errorf("error %q does not say %q", skipped[i], why)
		}
	}
	rc := ios.RunningConfig(c)
	for _, want := range []string{"\nenable secret 5 " + t5 + "\n", "\nusername a privilege 15 secret 5 " + t5 + "\n", "\nusername b secret 9 " + t9 + "\n",
		"\nusername c secret 8 $8$", "\nusername d secret 8 $8$"} {
		if !strings.Contains(rc, want) {
			t.Errorf("running-config lacks %q:\n%s", want, rc)
		}
	}
	for name, pw := range map[string]string{"a": "cisco", "b": "cisco", "c": "cisco", "d": "clear pass"} {
		if !c.CheckLogin(name, pw) || c.CheckLogin(name, pw+"!") {
			t.Errorf("user %s: login does not check its password", name)
		}
	}
	if !c.EnableSecret.Verify("cisco") {
		t.Error("the type 5 enable secret does not verify")
	}
	back, again := Salvage("startup-config", []byte(SaveText(c)))
	if len(again) != 0 || !config.Equal(back, c) {
		t.Errorf("saved and read back: %v %v", again, config.Diff(c, back))
	}
}

func TestSSHKey(t *testing.T) {
	if _, err := config.ParseSSHKey("ssh-rsa", testKeys[0].Blob); err == nil {
		t.Error("accepted an ed25519 blob as ssh-rsa")
	}
	if _, err := config.ParseSSHKey("ssh-ed25519", testKeys[0].Blob[:40]); err == nil {
		t.Error("accepted a truncated key")
	}
	if k, err := config.ParseSSHKey(testKeys[1].Type, testKeys[1].Blob); err != nil || k.Marshal() != testKeys[1].Type+" "+testKeys[1].Blob {
		t.Errorf("%v %v", k, err)
	}
}

// TestPastedEnableAndLinePasswords: a router's `enable password` and line
// `password 7` are kept as IOS keeps them, reversibly, and shown as given
// (type 7 stays type 7), so the running-config reads back on IOS; the
// enable password stands beside an enable secret, which `enable` checks
// instead.
func TestPastedEnableAndLinePasswords(t *testing.T) {
	c, skipped := Salvage("startup-config", []byte("enable password 7 0822455D0A16\nline vty 0 4\n password 7 0822455D0A16\n login local\n"))
	if len(skipped) != 0 {
		t.Fatalf("skipped %v", skipped)
	}
	if c.EnableSecret.IsSet() || !c.EnablePassword.Verify("cisco") || c.VTY.Login != config.VTYLoginLocal {
		t.Errorf("enable secret %v, enable password %v, vty %+v", c.EnableSecret, c.EnablePassword, c.VTY)
	}
	if !c.VTY.Password.Verify("cisco") || c.VTY.Password.Verify("cisco2") {
		t.Errorf("vty password %v", c.VTY.Password)
	}
	if rc := ios.RunningConfig(c); !strings.Contains(rc, "\nenable password 7 0822455D0A16\n") || !strings.Contains(rc, "\nline vty 0 4\n password 7 0822455D0A16\n") || strings.Contains(rc, "$8$") {
		t.Errorf("running-config:\n%s", rc)
	}
	c, skipped = Salvage("startup-config", []byte("enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\nenable password other\nline con 0\n password 7 0822455D0A16\n"))
	if len(skipped) != 0 {
		t.Fatalf("skipped %v", skipped)
	}
	if !c.EnableSecret.Verify("cisco") || !c.EnablePassword.Verify("other") || !c.Console.Password.Verify("cisco") {
		t.Errorf("enable secret %v, password %v, console %v", c.EnableSecret, c.EnablePassword, c.Console.Password)
	}
	if rc := ios.RunningConfig(c); !strings.Contains(rc, "\nenable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\nenable password other\n") {
		t.Errorf("running-config:\n%s", rc)
	}
}
