package snmp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

// AuthProtocol and PrivProtocol are usmkey's, which the config model
// stores too: one numbering, one key hash per protocol.
type (
	AuthProtocol = usmkey.AuthProtocol
	PrivProtocol = usmkey.PrivProtocol
)

const (
	AuthNone   = usmkey.AuthNone
	AuthSHA    = usmkey.AuthSHA
	AuthSHA256 = usmkey.AuthSHA256
	AuthMD5    = usmkey.AuthMD5

	PrivNone = usmkey.PrivNone
	PrivAES  = usmkey.PrivAES
	PrivDES  = usmkey.PrivDES
)

// ParseAuthProtocol accepts net-snmp's spellings (MD5, SHA, SHA-256,
// SHA256).
func ParseAuthProtocol(s string) (AuthProtocol, error) {
	switch strings.ToUpper(strings.ReplaceAll(s, "-", "")) {
	case "MD5":
		return AuthMD5, nil
	case "SHA", "SHA1":
		return AuthSHA, nil
	case "SHA256":
		return AuthSHA256, nil
	}
	return AuthNone, fmt.Errorf("snmp: auth protocol %q: want MD5, SHA or SHA-256", s)
}

// ParsePrivProtocol accepts AES, AES128 and DES.
func ParsePrivProtocol(s string) (PrivProtocol, error) {
	switch strings.ToUpper(s) {
	case "AES", "AES128":
		return PrivAES, nil
	case "DES":
		return PrivDES, nil
	}
	return PrivNone, fmt.Errorf("snmp: privacy protocol %q: want AES (AES-128) or DES", s)
}

// passwordToKey is RFC 3414 A.2 (see usmkey).
func passwordToKey(a AuthProtocol, password string) ([]byte, error) {
	return usmkey.PasswordToKey(a.KeyHash(), password)
}

// localizeKey ties a key to one engine: H(Ku | engineID | Ku).
func localizeKey(a AuthProtocol, ku, engineID []byte) []byte {
	return usmkey.Localize(a.KeyHash(), ku, engineID)
}

// mac is the truncated HMAC of a whole message whose authentication
// parameters are zeros.
func mac(a AuthProtocol, key, msg []byte) []byte {
	m := hmac.New(a.KeyHash().New, key)
	m.Write(msg)
	return m.Sum(nil)[:a.MACLen()]
}

// encryptScoped encrypts a ScopedPDU for the authoritative engine's boots
// and time; salt makes the IV unique. It returns the ciphertext and
// msgPrivacyParameters.
func encryptScoped(p PrivProtocol, key []byte, boots, engineTime int32, salt uint64, data []byte) (enc, params []byte, err error) {
	switch p {
	case PrivAES:
		params = binary.BigEndian.AppendUint64(nil, salt)
		enc = append([]byte(nil), data...)
		return enc, params, aesCFB(key, aesIV(boots, engineTime, params), enc, true)
	case PrivDES:
		// RFC 3414 8.1.1.1: the salt is snmpEngineBoots and a local
		// counter; the data is padded to the block size (the ScopedPDU's
		// own length tells the receiver where it ends).
		params = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(boots)), uint32(salt))
		enc = append([]byte(nil), data...)
		if r := len(enc) % des.BlockSize; r != 0 {
			enc = append(enc, make([]byte, des.BlockSize-r)...)
		}
		return enc, params, desCBC(key, params, enc, true)
	}
	return nil, nil, errors.New("no privacy protocol")
}

// decryptScoped is encryptScoped's reverse; params is the message's
// msgPrivacyParameters.
func decryptScoped(p PrivProtocol, key []byte, boots, engineTime int32, params, enc []byte) ([]byte, error) {
	if len(params) != 8 {
		return nil, errors.New("privacy parameters are not 8 octets")
	}
	out := append([]byte(nil), enc...)
	switch p {
	case PrivAES:
		return out, aesCFB(key, aesIV(boots, engineTime, params), out, false)
	case PrivDES:
		if len(out)%des.BlockSize != 0 {
			return nil, errors.New("DES ciphertext is not a whole number of blocks")
		}
		return out, desCBC(key, params, out, false)
	}
	return nil, errors.New("no privacy protocol")
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
	if len(key) < 16 {
		return errors.New("AES key shorter than 16 octets")
	}
	block, err := aes.NewCipher(key[:16])
	if err != nil {
		return err
	}
	if encrypt {
		//lint:ignore SA1019 RFC 3826 mandates CFB; the HMAC authenticates
		cipher.NewCFBEncrypter(block, iv).XORKeyStream(data, data)
	} else {
		//lint:ignore SA1019 RFC 3826 mandates CFB; the HMAC authenticates
		cipher.NewCFBDecrypter(block, iv).XORKeyStream(data, data)
	}
	return nil
}

// desCBC is RFC 3414 8.1.1: the first 8 octets of the localized key are
// the DES key, the next 8 the pre-IV, XORed with the salt for the IV. DES
// is what the RFC specifies and what old managers speak; it is weak, and
// offered because IOS and net-snmp offer it.
func desCBC(key, salt, data []byte, encrypt bool) error {
	if len(key) < 16 {
		return errors.New("DES key shorter than 16 octets")
	}
	block, err := des.NewCipher(key[:8]) //nolint:gosec // RFC 3414 usmDESPrivProtocol
	if err != nil {
		return err
	}
	iv := make([]byte, 8)
	for i := range iv {
		iv[i] = key[8+i] ^ salt[i]
	}
	if encrypt {
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
	} else {
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(data, data)
	}
	return nil
}
