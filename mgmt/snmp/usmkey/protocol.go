package usmkey

// The USM protocols, named once for the config model (which stores a
// user's keys) and the agent (which uses them): both packages call these
// types by their own names (config.AuthProtocol, snmp.AuthProtocol are
// aliases), so the numbering and the key hash of each cannot drift apart.

// AuthProtocol is a USM authentication protocol.
type AuthProtocol uint8

const (
	AuthNone   AuthProtocol = iota
	AuthSHA                 // usmHMACSHAAuthProtocol, HMAC-SHA-96 (RFC 3414)
	AuthSHA256              // usmHMAC192SHA256AuthProtocol, HMAC-SHA-256-192 (RFC 7860)
	AuthMD5                 // usmHMACMD5AuthProtocol, HMAC-MD5-96 (RFC 3414)
)

func (a AuthProtocol) String() string {
	switch a {
	case AuthMD5:
		return "MD5"
	case AuthSHA:
		return "SHA"
	case AuthSHA256:
		return "SHA-256"
	}
	return "none"
}

// KeyHash is the hash that derives the protocol's keys and computes its
// HMAC.
func (a AuthProtocol) KeyHash() Hash {
	switch a {
	case AuthMD5:
		return MD5
	case AuthSHA256:
		return SHA256
	}
	return SHA1
}

// MACLen is the length of the truncated HMAC a message carries in
// msgAuthenticationParameters: 12 octets (RFC 3414), 24 for
// HMAC-SHA-256-192 (RFC 7860).
func (a AuthProtocol) MACLen() int {
	if a == AuthSHA256 {
		return 24
	}
	return 12
}

// PrivProtocol is a USM privacy protocol.
type PrivProtocol uint8

const (
	PrivNone PrivProtocol = iota
	PrivAES               // usmAesCfb128Protocol, AES-128 (RFC 3826)
	PrivDES               // usmDESPrivProtocol, DES-CBC (RFC 3414 8)
)

func (p PrivProtocol) String() string {
	switch p {
	case PrivAES:
		return "AES"
	case PrivDES:
		return "DES"
	}
	return "none"
}
