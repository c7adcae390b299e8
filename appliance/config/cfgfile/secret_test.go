package cfgfile

import (
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
	for _, h := range []string{"", "$1$abc$def", "$8$short$x", "$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQF!"} {
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
	if _, err := ios.Parse("t", []byte("enable secret 5 $1$abcd$efgh")); err == nil {
		t.Fatal("accepted a type 5 secret")
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
