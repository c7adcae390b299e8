package usmkey

import (
	"encoding/hex"
	"testing"
)

// TestRFC3414Vectors: RFC 3414 A.3.1 (MD5) and A.3.2 (SHA), password
// "maplesyrup", engine ID 00..02.
func TestRFC3414Vectors(t *testing.T) {
	engineID, _ := hex.DecodeString("000000000000000000000002")
	for _, c := range []struct {
		h         Hash
		ku, local string
	}{
		{MD5, "9faf3283884e92834ebc9847d8edd963", "526f5eed9fcce26f8964c2930787d82b"},
		{SHA1, "9fb5cc0381497b3793528939ff788d5d79145211", "6695febc9288e36282235fc7151f128497b38f3f"},
	} {
		ku, err := PasswordToKey(c.h, "maplesyrup")
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(ku) != c.ku {
			t.Errorf("hash %d: Ku %x, want %s", c.h, ku, c.ku)
		}
		if got := hex.EncodeToString(Localize(c.h, ku, engineID)); got != c.local {
			t.Errorf("hash %d: Kul %s, want %s", c.h, got, c.local)
		}
	}
	if _, err := PasswordToKey(MD5, "short"); err == nil {
		t.Error("a 5-character passphrase was taken")
	}
	ak, pk, err := LocalizedKeys(SHA256, "maplesyrup", "maplesyrup", engineID)
	if err != nil || len(ak) != 32 || len(pk) != PrivKeyLen {
		t.Errorf("SHA-256 keys: %d and %d octets, %v", len(ak), len(pk), err)
	}
}
