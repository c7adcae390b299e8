package config

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Secret is a password hash in IOS type 8 form, `$8$SALT$HASH`:
// PBKDF2-HMAC-SHA-256 with 20000 iterations over the 14-character salt
// string, both written in the crypt base64 alphabet without padding. It is
// what IOS prints for `secret 8` and needs nothing outside the standard
// library; type 9 (scrypt) would. The zero Secret is "no password".
type Secret struct {
	Hash string
}

const (
	type8Iterations = 20000
	type8SaltLen    = 14 // characters: 10 random bytes in base64
	type8HashLen    = 43 // characters: 32 bytes in base64
)

// ciscoBase64 is base64 over "./0-9A-Za-z", the crypt(3) alphabet IOS uses.
var ciscoBase64 = base64.NewEncoding("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").WithPadding(base64.NoPadding)

// HashSecret hashes a clear-text password with a fresh salt.
func HashSecret(plain string) (Secret, error) {
	var raw [10]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Secret{}, fmt.Errorf("secret salt: %w", err)
	}
	return hashWithSalt(plain, ciscoBase64.EncodeToString(raw[:]))
}

func hashWithSalt(plain, salt string) (Secret, error) {
	if plain == "" {
		return Secret{}, errors.New("empty password")
	}
	sum, err := pbkdf2.Key(sha256.New, plain, []byte(salt), type8Iterations, sha256.Size)
	if err != nil {
		return Secret{}, fmt.Errorf("secret: %w", err)
	}
	return Secret{Hash: "$8$" + salt + "$" + ciscoBase64.EncodeToString(sum)}, nil
}

// ParseSecret checks a stored `$8$...` hash.
func ParseSecret(hash string) (Secret, error) {
	salt, sum, ok := splitType8(hash)
	if !ok {
		return Secret{}, fmt.Errorf("secret %q: want a type 8 hash, $8$ then a 14-character salt, $ and 43 characters", hash)
	}
	if _, err := ciscoBase64.DecodeString(sum); err != nil || !validCrypt64(salt) {
		return Secret{}, fmt.Errorf("secret %q: characters outside ./0-9A-Za-z", hash)
	}
	return Secret{Hash: hash}, nil
}

func splitType8(hash string) (salt, sum string, ok bool) {
	rest, ok := strings.CutPrefix(hash, "$8$")
	if !ok {
		return "", "", false
	}
	salt, sum, ok = strings.Cut(rest, "$")
	return salt, sum, ok && len(salt) == type8SaltLen && len(sum) == type8HashLen
}

func validCrypt64(s string) bool {
	for _, r := range s {
		if !(r == '.' || r == '/' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// IsSet reports whether a password is configured.
func (s Secret) IsSet() bool { return s.Hash != "" }

// Verify reports whether plain is the password, in constant time.
func (s Secret) Verify(plain string) bool {
	salt, _, ok := splitType8(s.Hash)
	if !ok || plain == "" {
		return false
	}
	got, err := hashWithSalt(plain, salt)
	return err == nil && subtle.ConstantTimeCompare([]byte(got.Hash), []byte(s.Hash)) == 1
}

// String never shows the hash: a Secret ends up in logs and diffs.
func (s Secret) String() string {
	if s.IsSet() {
		return "<secret>"
	}
	return "<none>"
}

// decoy is verified in place of a user that does not exist or has no
// password, so that a refusal costs the same time either way: the reply
// time must not tell a guesser which usernames exist.
var decoy = Secret{Hash: "$8$flowtapdecoy.s$" + strings.Repeat("0", type8HashLen)}

// CheckLogin reports whether password is the secret of the local user
// name, or name is a `nopassword` user (any password, as IOS takes). It
// costs one hash whether or not the user exists.
func (c Config) CheckLogin(name, password string) bool {
	s, real := c.loginSecret(name)
	ok := s.Verify(password) && real
	return ok || c.NoPasswordLogin(name)
}

// NoPasswordLogin reports whether name is a `username NAME nopassword`
// user, who logs in without a password. A nopassword user with an
// ssh-key is not: builds before nopassword was its own setting saved
// every key-only user as nopassword, and a box upgraded over such a file
// must not open those accounts to anyone. Failing closed costs a
// deliberate keyed nopassword account its password-less login, which its
// key makes moot.
func (c Config) NoPasswordLogin(name string) bool {
	for _, u := range c.Users {
		if u.Name == name {
			return u.NoPassword && !u.Secret.IsSet() && len(u.Keys) == 0
		}
	}
	return false
}

// loginSecret is the secret a login for name is checked against: the
// user's, or the decoy (real false) for a user that does not exist or has
// no password, so that every refusal runs the same hash.
func (c Config) loginSecret(name string) (s Secret, real bool) {
	for _, u := range c.Users {
		if u.Name == name && u.Secret.IsSet() {
			return u.Secret, true
		}
	}
	return decoy, false
}
