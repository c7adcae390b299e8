package usmkey

import "testing"

// TestProtocols: each authentication protocol's key size and MAC length
// are its RFC's (RFC 3414 6 and 7, RFC 7860 4.2.1).
func TestProtocols(t *testing.T) {
	for _, c := range []struct {
		a           AuthProtocol
		name        string
		key, macLen int
	}{
		{AuthMD5, "MD5", 16, 12},
		{AuthSHA, "SHA", 20, 12},
		{AuthSHA256, "SHA-256", 32, 24},
	} {
		if c.a.String() != c.name || c.a.KeyHash().Size() != c.key || c.a.MACLen() != c.macLen {
			t.Errorf("%s: key %d octets, MAC %d; want %s, %d and %d", c.a, c.a.KeyHash().Size(), c.a.MACLen(), c.name, c.key, c.macLen)
		}
	}
	if PrivAES.String() != "AES" || PrivDES.String() != "DES" || PrivNone.String() != "none" || AuthNone.String() != "none" {
		t.Errorf("names: %s %s %s %s", PrivAES, PrivDES, PrivNone, AuthNone)
	}
}
