package config

import (
	"testing"
	"time"
)

// The vectors are Cisco's documented type 8 hashes of "cisco".
func TestSecretType8Vectors(t *testing.T) {
	for _, h := range []string{
		"$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQFs",
		"$8$mTj4RZG8N9ZDOk$elY/asfm8kD3iDmkBe3hD2r4xcA/0oWS5V3os.O91u.",
	} {
		s, err := ParseSecret(h)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Verify("cisco") || s.Verify("cisco ") || s.Verify("") {
			t.Errorf("%s: Verify disagrees with IOS", h)
		}
	}
}

func TestHashSecret(t *testing.T) {
	a, err := HashSecret("s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := HashSecret("s3cret pass")
	if a == b {
		t.Error("two hashes of one password share a salt")
	}
	if _, err := ParseSecret(a.Hash); err != nil || !a.Verify("s3cret pass") || a.Verify("s3cret") {
		t.Errorf("fresh hash %q: %v", a.Hash, err)
	}
	if a.String() != "<secret>" {
		t.Errorf("String shows %q", a.String())
	}
}

func TestParseSecretRefuses(t *testing.T) {
	for _, h := range []string{"", "$1$abc$def", "$8$short$x", "$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQF!"} {
		if _, err := ParseSecret(h); err == nil {
			t.Errorf("accepted %q", h)
		}
	}
}

func TestClearTextSecretIsHashed(t *testing.T) {
	c, err := ParseIOS("t", []byte("enable secret my long pass\nusername ops secret 0 other\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.EnableSecret.Verify("my long pass") || !c.Users[0].Secret.Verify("other") {
		t.Fatal("clear-text secrets do not verify")
	}
	if _, err := ParseIOS("t", []byte("enable secret 5 $1$abcd$efgh")); err == nil {
		t.Fatal("accepted a type 5 secret")
	}
}

func TestSSHKey(t *testing.T) {
	if _, err := ParseSSHKey("ssh-rsa", testKeys[0].Blob); err == nil {
		t.Error("accepted an ed25519 blob as ssh-rsa")
	}
	if _, err := ParseSSHKey("ssh-ed25519", testKeys[0].Blob[:40]); err == nil {
		t.Error("accepted a truncated key")
	}
	if k, err := ParseSSHKey(testKeys[1].Type, testKeys[1].Blob); err != nil || k.Marshal() != testKeys[1].Type+" "+testKeys[1].Blob {
		t.Errorf("%v %v", k, err)
	}
}

// TestCheckLoginSameCost: a login for a user that does not exist (or has
// only a key) costs the hash a real user's costs, so the reply time does
// not reveal which names exist. The bound is a lower one on the work
// done: a loaded machine only makes the unknown user slower.
func TestCheckLoginSameCost(t *testing.T) {
	c, err := ParseIOS("t", []byte("username admin secret 0 letmein\nusername keyonly ssh-key ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPZBDwahyKRjlVXeB5PkjoEtqkwnNfaC81g8nGIn6/LC\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.CheckLogin("admin", "letmein") || c.CheckLogin("admin", "guess") || c.CheckLogin("nobody", "letmein") || c.CheckLogin("keyonly", "") {
		t.Fatal("CheckLogin answers wrongly")
	}
	// The same work for every name: each login is checked against a
	// type 8 hash with the same cost. Timing it would flake on a loaded
	// machine, so the figure is only logged.
	for _, name := range []string{"admin", "nobody", "keyonly"} {
		s, _ := c.loginSecret(name)
		if _, _, ok := splitType8(s.Hash); !ok {
			t.Errorf("a login as %q is checked against %v, not a type 8 hash: it costs less than a real user's", name, s.Hash)
		}
	}
	fastest := func(name string) time.Duration {
		best := time.Hour
		for range 5 {
			began := time.Now()
			c.CheckLogin(name, "guess")
			best = min(best, time.Since(began))
		}
		return best
	}
	t.Logf("wrong password: existing user %v, unknown user %v, key-only user %v", fastest("admin"), fastest("nobody"), fastest("keyonly"))
}
