package config

import (
	"crypto/subtle"
	"fmt"
)

// LinePassword is a password IOS keeps reversibly: a line's `password`
// (con 0, vty). IOS shows it as typed, or as type 7 once `service
// password-encryption` is on (or when it was given as `password 7`), and
// reads either back; type 7 is an obfuscation anyone can reverse, which
// only keeps the password from a glance over the operator's shoulder.
// flowtap keeps it so too: a configuration it shows must be one IOS (and
// flowtap) reads back. The secrets (`secret 5/8/9`, users' and enable's)
// stay hashes.
type LinePassword struct {
	// Clear is the password. "" with Hash set: only a hash is known.
	Clear string
	// Seven is its type 7 form when it is shown so: as given with
	// `password 7`, or made when `service password-encryption` was on.
	// Once set it stays, as IOS does not decrypt a password when the
	// service is turned off.
	Seven string
	// Hash is a `password 8 HASH` (or 5, 9) that flowtap wrote before it
	// kept line passwords reversibly: it still logs in, and is shown as
	// it was given, until the password is set again.
	Hash Secret
}

// ClearLinePassword is a password typed in clear; with encrypt
// (`service password-encryption`) it is shown as type 7.
func ClearLinePassword(plain string, encrypt bool) LinePassword {
	p := LinePassword{Clear: plain}
	if encrypt {
		p = p.Encrypted()
	}
	return p
}

// ParseLinePassword7 reads `password 7 HEX`; the text is kept as given,
// so the configuration shows what the operator pasted.
func ParseLinePassword7(hex string) (LinePassword, error) {
	plain, err := DecodeType7(hex)
	if err != nil {
		return LinePassword{}, err
	}
	if plain == "" {
		return LinePassword{}, fmt.Errorf("type 7 password %q: it decodes to nothing", hex)
	}
	return LinePassword{Clear: plain, Seven: hex}, nil
}

// Encrypted is p as `service password-encryption` leaves it: shown as
// type 7. The key offset IOS picks (0-15) is taken from the password's
// bytes, so that the same password always reads the same in a
// configuration (IOS varies it; any offset reads back).
func (p LinePassword) Encrypted() LinePassword {
	if p.Clear == "" || p.Seven != "" {
		return p
	}
	start := 0
	for i := range len(p.Clear) {
		start += int(p.Clear[i])
	}
	p.Seven = EncodeType7(p.Clear, start%16)
	return p
}

// IsSet reports whether a password is configured.
func (p LinePassword) IsSet() bool { return p.Clear != "" || p.Hash.IsSet() }

// Verify reports whether plain is the password, in constant time for
// passwords of the same length.
func (p LinePassword) Verify(plain string) bool {
	if plain == "" {
		return false
	}
	if p.Clear != "" {
		return subtle.ConstantTimeCompare([]byte(p.Clear), []byte(plain)) == 1
	}
	return p.Hash.Verify(plain)
}

// Words is the password as a configuration line writes it after
// `password`: "7 HEX", the clear text, or "8 HASH" (5, 9) for a hash.
func (p LinePassword) Words() string {
	switch {
	case p.Seven != "":
		return "7 " + p.Seven
	case p.Clear != "":
		return p.Clear
	case p.Hash.IsSet():
		return fmt.Sprintf("%d %s", p.Hash.Type(), p.Hash.Hash)
	}
	return ""
}

// String never shows the password: a LinePassword ends up in logs and
// diffs.
func (p LinePassword) String() string {
	if p.IsSet() {
		return "<password>"
	}
	return "<none>"
}
