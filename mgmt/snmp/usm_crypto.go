package snmp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// AuthProtocol is a USM authentication protocol.
type AuthProtocol uint8

const (
	AuthNone   AuthProtocol = iota
	AuthSHA                 // usmHMACSHAAuthProtocol, HMAC-SHA-96 (RFC 3414)
	AuthSHA256              // usmHMAC192SHA256AuthProtocol, HMAC-SHA-256-192 (RFC 7860)
)

// PrivProtocol is a USM privacy protocol.
type PrivProtocol uint8

const (
	PrivNone PrivProtocol = iota
	PrivAES               // usmAesCfb128Protocol (RFC 3826)
)

func (a AuthProtocol) String() string {
	switch a {
	case AuthSHA:
		return "SHA"
	case AuthSHA256:
		return "SHA-256"
	}
	return "none"
}

func (p PrivProtocol) String() string {
	if p == PrivAES {
		return "AES"
	}
	return "none"
}

// ParseAuthProtocol accepts net-snmp's spellings (SHA, SHA-256, SHA256).
func ParseAuthProtocol(s string) (AuthProtocol, error) {
	switch strings.ToUpper(strings.ReplaceAll(s, "-", "")) {
	case "SHA", "SHA1":
		return AuthSHA, nil
	case "SHA256":
		return AuthSHA256, nil
	}
	return AuthNone, fmt.Errorf("snmp: auth protocol %q: want SHA or SHA-256", s)
}

// ParsePrivProtocol accepts AES and AES128.
func ParsePrivProtocol(s string) (PrivProtocol, error) {
	switch strings.ToUpper(s) {
	case "AES", "AES128":
		return PrivAES, nil
	}
	return PrivNone, fmt.Errorf("snmp: privacy protocol %q: want AES (AES-128)", s)
}

func (a AuthProtocol) newHash() hash.Hash {
	if a == AuthSHA256 {
		return sha256.New()
	}
	return sha1.New()
}

// macLen is the truncated digest carried in msgAuthenticationParameters.
func (a AuthProtocol) macLen() int {
	if a == AuthSHA256 {
		return 24
	}
	return 12
}

// passwordToKey is RFC 3414 A.2: hash one megabyte of the password
// repeated. It is slow on purpose, so its result is kept per user.
func passwordToKey(a AuthProtocol, password string) ([]byte, error) {
	if len(password) < 8 {
		// RFC 3414 11.2 asks for at least 8 characters; net-snmp refuses
		// shorter ones too, so a shorter one could never work.
		return nil, errors.New("password shorter than 8 characters")
	}
	h := a.newHash()
	const total = 1 << 20
	buf := make([]byte, 64)
	pw := []byte(password)
	for i, n := 0, 0; n < total; n += 64 {
		for j := range buf {
			buf[j] = pw[i%len(pw)]
			i++
		}
		h.Write(buf)
	}
	return h.Sum(nil), nil
}

// localizeKey ties a key to one engine: H(Ku | engineID | Ku).
func localizeKey(a AuthProtocol, ku, engineID []byte) []byte {
	h := a.newHash()
	h.Write(ku)
	h.Write(engineID)
	h.Write(ku)
	return h.Sum(nil)
}

// mac is the truncated HMAC of a whole message whose authentication
// parameters are zeros.
func mac(a AuthProtocol, key, msg []byte) []byte {
	m := hmac.New(a.newHash, key)
	m.Write(msg)
	return m.Sum(nil)[:a.macLen()]
}

// aesIV is RFC 3826 3.1.2.1: the authoritative engine's boots and time,
// then the 64-bit salt sent as msgPrivacyParameters.
func aesIV(boots, engineTime int32, salt []byte) []byte {
	iv := make([]byte, 16)
	binary.BigEndian.PutUint32(iv[0:], uint32(boots))
	binary.BigEndian.PutUint32(iv[4:], uint32(engineTime))
	copy(iv[8:], salt)
	return iv
}

// aesCFB encrypts or decrypts in place. CFB is what RFC 3826 specifies;
// the message is authenticated separately by the HMAC.
func aesCFB(key []byte, iv []byte, data []byte, encrypt bool) error {
	block, err := aes.NewCipher(key[:16])
	if err != nil {
		return err
	}
	if encrypt {
		//lint:ignore SA1019 RFC 3826 mandates CFB for usmAesCfb128Protocol
		cipher.NewCFBEncrypter(block, iv).XORKeyStream(data, data)
	} else {
		//lint:ignore SA1019 RFC 3826 mandates CFB for usmAesCfb128Protocol
		cipher.NewCFBDecrypter(block, iv).XORKeyStream(data, data)
	}
	return nil
}
