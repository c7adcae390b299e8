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

	"golang.org/x/crypto/scrypt"
)

// Secret is a password hash in one of the forms IOS writes for
// `secret`: type 8, `$8$SALT$HASH`, PBKDF2-HMAC-SHA-256 with 20000
// iterations over the 14-character salt string, both written in the crypt
// base64 alphabet without padding (what flowtap makes from a clear-text
// password); type 9, `$9$SALT$HASH`, scrypt (N 16384, r 1, p 1) in the same
// layout; or type 5, `$1$SALT$HASH`, MD5-crypt, which older routers'
// configurations are full of. Types 5 and 9 are kept as given so that a
// pasted configuration's logins work. The zero Secret is "no password".
type Secret struct {
	Hash string
}

// Type is the IOS type number of the hash (5, 8 or 9), 0 if none is set.
func (s Secret) Type() int {
	switch {
	case strings.HasPrefix(s.Hash, md5Magic):
		return 5
	case strings.HasPrefix(s.Hash, "$8$"):
		return 8
	case strings.HasPrefix(s.Hash, "$9$"):
		return 9
	}
	return 0
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

// ParseSecret checks a stored hash of type 5 ($1$), 8 ($8$) or 9 ($9$).
func ParseSecret(hash string) (Secret, error) {
	var salt, sum string
	var ok bool
	switch {
	case strings.HasPrefix(hash, md5Magic):
		if salt, sum, ok = splitType5(hash); !ok {
			return Secret{}, fmt.Errorf("secret %q: want a type 5 hash, $1$ then a salt of up to 8 characters, $ and 22 characters", hash)
		}
		if salt == "" {
			return Secret{}, fmt.Errorf("secret %q: the type 5 salt is empty", hash)
		}
	case strings.HasPrefix(hash, "$9$"):
		if salt, sum, ok = splitType9(hash); !ok {
			return Secret{}, fmt.Errorf("secret %q: want a type 9 hash, $9$ then a 14-character salt, $ and 43 characters", hash)
		}
	default:
		if salt, sum, ok = splitType8(hash); !ok {
			return Secret{}, fmt.Errorf("secret %q: want a type 8 hash, $8$ then a 14-character salt, $ and 43 characters", hash)
		}
	}
	if !validCrypt64(sum) || !validCrypt64(salt) {
		return Secret{}, fmt.Errorf("secret %q: characters outside ./0-9A-Za-z", hash)
	}
	if !strings.HasPrefix(hash, md5Magic) {
		if _, err := ciscoBase64.DecodeString(sum); err != nil {
			return Secret{}, fmt.Errorf("secret %q: the hash is not 32 bytes in base64", hash)
		}
	}
	return Secret{Hash: hash}, nil
}

func splitType8(hash string) (salt, sum string, ok bool) { return splitCisco(hash, "$8$") }
func splitType9(hash string) (salt, sum string, ok bool) { return splitCisco(hash, "$9$") }

// splitCisco splits a type 8 or 9 hash: a 14-character salt and a
// 43-character digest.
func splitCisco(hash, magic string) (salt, sum string, ok bool) {
	rest, ok := strings.CutPrefix(hash, magic)
	if !ok {
		return "", "", false
	}
	salt, sum, ok = strings.Cut(rest, "$")
	return salt, sum, ok && len(salt) == type8SaltLen && len(sum) == type8HashLen
}

// scrypt's cost for type 9, as IOS sets it.
const (
	type9N = 16384
	type9R = 1
	type9P = 1
)

func hashType9(plain, salt string) (string, error) {
	sum, err := scrypt.Key([]byte(plain), []byte(salt), type9N, type9R, type9P, 32)
	if err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	return "$9$" + salt + "$" + ciscoBase64.EncodeToString(sum), nil
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
	if plain == "" {
		return false
	}
	var got string
	switch s.Type() {
	case 5:
		salt, _, ok := splitType5(s.Hash)
		if !ok {
			return false
		}
		got = md5Crypt(plain, salt)
	case 8:
		salt, _, ok := splitType8(s.Hash)
		if !ok {
			return false
		}
		h, err := hashWithSalt(plain, salt)
		if err != nil {
			return false
		}
		got = h.Hash
	case 9:
		salt, _, ok := splitType9(s.Hash)
		if !ok {
			return false
		}
		h, err := hashType9(plain, salt)
		if err != nil {
			return false
		}
		got = h
	default:
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.Hash)) == 1
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

// decoys stand in for the other hash types: see CheckLogin.
var decoys = map[int]Secret{
	5: {Hash: md5Magic + "flowtapd$" + strings.Repeat("0", md5HashLen)},
	8: decoy,
	9: {Hash: "$9$flowtapdecoy.s$" + strings.Repeat("0", type8HashLen)},
}

// CheckLogin reports whether password is the secret of the local user
// name, or name is a `nopassword` user (any password, as IOS takes).
// Hash types differ a hundredfold in cost (type 5 is cheap, 9 dear), so a
// login runs one hash of every type the configured users have (and type
// 8, the decoy's): the user's own where it is that type, a decoy's
// otherwise. Its cost then depends on the configuration, never on the
// name tried.
func (c Config) CheckLogin(name, password string) bool {
	s, real := c.loginSecret(name)
	ok := false
	for _, typ := range c.secretTypes() {
		if typ == s.Type() {
			ok = s.Verify(password) && real
		} else {
			decoys[typ].Verify(password)
		}
	}
	return ok || c.NoPasswordLogin(name)
}

// secretTypes lists the hash types the users' secrets have, and 8.
func (c Config) secretTypes() []int {
	seen := [10]bool{8: true}
	for _, u := range c.Users {
		seen[u.Secret.Type()] = true
	}
	var out []int
	for typ, ok := range seen {
		if ok && typ != 0 {
			out = append(out, typ)
		}
	}
	return out
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
