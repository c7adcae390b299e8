// Package usmkey is SNMPv3 USM's protocols and key derivation (RFC 3414
// A.2, RFC 7860), shared by the config model and the agent:
// a passphrase becomes a key (Ku) by hashing a megabyte of it, and Ku
// becomes the key for one engine (Kul) by hashing it around the engine ID.
// The config model stores only Kul, as net-snmp and IOS do, so a saved
// configuration never holds a passphrase; the agent uses Kul as it is.
package usmkey

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"net"
)

// Hash is the authentication protocol's hash, which derives both keys.
type Hash uint8

const (
	MD5    Hash = iota + 1 // usmHMACMD5AuthProtocol (RFC 3414)
	SHA1                   // usmHMACSHAAuthProtocol (RFC 3414)
	SHA256                 // usmHMAC192SHA256AuthProtocol (RFC 7860)
)

// New returns the hash function.
func (h Hash) New() hash.Hash {
	switch h {
	case MD5:
		return md5.New()
	case SHA256:
		return sha256.New()
	}
	return sha1.New()
}

// Size is the length of a key the hash derives.
func (h Hash) Size() int { return h.New().Size() }

// MinPassphrase is RFC 3414 11.2's minimum, which net-snmp enforces too:
// a shorter passphrase could never be used from net-snmp.
const MinPassphrase = 8

// PasswordToKey is RFC 3414 A.2: hash one megabyte of the passphrase
// repeated. It is slow on purpose.
func PasswordToKey(h Hash, passphrase string) ([]byte, error) {
	if len(passphrase) < MinPassphrase {
		return nil, errors.New("password shorter than 8 characters")
	}
	d := h.New()
	const total = 1 << 20
	buf := make([]byte, 64)
	pw := []byte(passphrase)
	for i, n := 0, 0; n < total; n += 64 {
		for j := range buf {
			buf[j] = pw[i%len(pw)]
			i++
		}
		d.Write(buf)
	}
	return d.Sum(nil), nil
}

// Localize ties a key to one authoritative engine: H(Ku | engineID | Ku).
func Localize(h Hash, ku, engineID []byte) []byte {
	d := h.New()
	d.Write(ku)
	d.Write(engineID)
	d.Write(ku)
	return d.Sum(nil)
}

// PrivKeyLen is the localized privacy key kept for DES-CBC (8 octets of
// key, 8 of pre-IV; RFC 3414 8.1.1.1) and for AES-128 (RFC 3826 3.1.2.1):
// 16 octets for both, the first 16 of the privacy passphrase's Kul.
const PrivKeyLen = 16

// LocalizedKeys derives the keys one user needs at one engine from its
// passphrases; privPass "" means no privacy key.
func LocalizedKeys(h Hash, authPass, privPass string, engineID []byte) (authKey, privKey []byte, err error) {
	ku, err := PasswordToKey(h, authPass)
	if err != nil {
		return nil, nil, err
	}
	authKey = Localize(h, ku, engineID)
	if privPass == "" {
		return authKey, nil, nil
	}
	ku, err = PasswordToKey(h, privPass)
	if err != nil {
		return nil, nil, err
	}
	return authKey, Localize(h, ku, engineID)[:PrivKeyLen], nil
}

// Enterprise is the number flowtap's default engine ID sits under:
// 32473, which RFC 5612 reserves for documentation (flowtap has no
// Private Enterprise Number of its own).
const Enterprise = 32473

// DefaultEngineID is the agent's snmpEngineID when none is configured.
func DefaultEngineID() []byte { return HostEngineID(Enterprise) }

// HostEngineID builds an RFC 3411 SnmpEngineID under an enterprise
// number: format 3 (MAC address) from the first interface that has one,
// so that it is the same at every start and every reading of a
// configuration on this host; else format 5 with random octets.
func HostEngineID(enterprise uint32) []byte {
	id := binary.BigEndian.AppendUint32(nil, 0x80000000|enterprise)
	if ifs, err := net.Interfaces(); err == nil {
		for _, i := range ifs {
			if i.Flags&net.FlagLoopback == 0 && len(i.HardwareAddr) == 6 && !isZero(i.HardwareAddr) {
				return append(append(id, 3), i.HardwareAddr...)
			}
		}
	}
	r := make([]byte, 8)
	_, _ = rand.Read(r)
	return append(append(id, 5), r...)
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
