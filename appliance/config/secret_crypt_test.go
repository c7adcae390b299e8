package config_test

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestMD5CryptVectors: flowtap's MD5-crypt agrees with OpenSSL's. Each
// vector is `openssl passwd -1 -salt SALT PASSWORD`; the lengths cover
// the scheme's edge cases (empty, one byte, exactly 16, 17, over 32,
// an 8-character salt, a salt with '/').
func TestMD5CryptVectors(t *testing.T) {
	for _, v := range []struct{ plain, hash string }{
		{"cisco", "$1$abcd$2hDGYdE0UrwK2pqoiF6BB1"},
		{"cisco", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0"},
		{"", "$1$x$fwjfZtMwarkdetsjiQreU1"},
		{"a much longer password than sixteen", "$1$abcdefgh$pNtzgD73cLx/23VZhZirk1"},
		{"p", "$1$Zz9/$CPziyENRXgpfG9W6CPgz71"},
		{"exactly sixteen!", "$1$s4lt$0ZoYqda9lX5dWJwNv46Ft1"},
		{"seventeen chars!!", "$1$12345678$eO6oNklZALdVb277DbiZb."},
	} {
		salt := strings.Split(v.hash, "$")[2]
		if got := config.MD5Crypt(v.plain, salt); got != v.hash {
			t.Errorf("md5crypt(%q, %q) = %s, openssl says %s", v.plain, salt, got, v.hash)
		}
		if v.plain == "" {
			continue
		}
		s, err := config.ParseSecret(v.hash)
		if err != nil {
			t.Fatal(err)
		}
		if s.Type() != 5 || !s.Verify(v.plain) || s.Verify(v.plain+" ") || s.Verify(v.plain[1:]) || s.Verify("") {
			t.Errorf("%s: Verify disagrees with openssl", v.hash)
		}
	}
}

// TestType9Vector: IOS type 9 (scrypt) verifies. The vector is a type 9
// hash of "cisco" as IOS prints it; Python's hashlib.scrypt (OpenSSL's
// scrypt) gives the same digest for its salt.
func TestType9Vector(t *testing.T) {
	s, err := config.ParseSecret("$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM")
	if err != nil {
		t.Fatal(err)
	}
	if s.Type() != 9 || !s.Verify("cisco") || s.Verify("Cisco") {
		t.Error("type 9 Verify disagrees with IOS")
	}
}

// TestType7: IOS's reversible `password 7` decodes to the password; the
// vectors are IOS's encodings of "cisco" at different key offsets.
func TestType7(t *testing.T) {
	for _, v := range []string{"0822455D0A16", "070C285F4D06", "02050D480809", "094F471A1A0A"} {
		if got, err := config.DecodeType7(v); err != nil || got != "cisco" {
			t.Errorf("DecodeType7(%s) = %q, %v", v, got, err)
		}
	}
	for start := range 16 {
		if got, err := config.DecodeType7(config.EncodeType7("Pa55 word!", start)); err != nil || got != "Pa55 word!" {
			t.Errorf("offset %d: round trip gives %q, %v", start, got, err)
		}
	}
	for _, bad := range []string{"", "08", "0822455D0A1", "X822455D0A16", "0822455D0AZZ", "0841"} {
		if _, err := config.DecodeType7(bad); err == nil {
			t.Errorf("DecodeType7 accepted %q", bad)
		}
	}
}

// TestParseSecretForms: each type's layout is checked before it is kept.
func TestParseSecretForms(t *testing.T) {
	for _, h := range []string{
		"$1$$hx5rVt7rPNoS4wqbXKX7m0",              // no salt
		"$1$123456789$hx5rVt7rPNoS4wqbXKX7m0",     // salt over 8
		"$1$mERr$hx5rVt7rPNoS4wqbXKX7m",           // short
		"$1$mERr$hx5rVt7rPNoS4wqbXKX7m!",          // outside the alphabet
		"$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQ", // short
		"$5$rounds=5000$abc$def",
	} {
		if _, err := config.ParseSecret(h); err == nil {
			t.Errorf("accepted %q", h)
		}
	}
}
