package snmp

import (
	"errors"
	"fmt"
)

// msgFlags bits (RFC 3412 section 6.4).
const (
	flagAuth       = 0x01
	flagPriv       = 0x02
	flagReportable = 0x04
)

const securityModelUSM = 3

// Security levels, ordered.
type secLevel uint8

const (
	noAuthNoPriv secLevel = iota
	authNoPriv
	authPriv
)

func levelOf(flags byte) secLevel {
	switch {
	case flags&flagPriv != 0:
		return authPriv
	case flags&flagAuth != 0:
		return authNoPriv
	}
	return noAuthNoPriv
}

func (l secLevel) flags() byte {
	switch l {
	case authPriv:
		return flagAuth | flagPriv
	case authNoPriv:
		return flagAuth
	}
	return 0
}

// usmParams is UsmSecurityParameters (RFC 3414 section 2.4).
type usmParams struct {
	engineID   []byte
	boots      int32
	engineTime int32
	user       []byte
	auth       []byte
	priv       []byte
}

// v3Message is an SNMPv3 message as read off the wire.
type v3Message struct {
	msgID    int32
	maxSize  int32
	flags    byte
	secModel int32
	usm      usmParams
	// authAt is where the authentication parameters' contents start in
	// raw: the digest covers raw with those octets zeroed.
	authAt    int
	scoped    []byte // the plaintext ScopedPDU TLV, when not encrypted
	encrypted []byte // the encryptedPDU contents, when encrypted
	raw       []byte
}

// errInvalidMsg is a well-formed message whose header breaks RFC 3412's
// rules: snmpInvalidMsgs, not a parse error.
var errInvalidMsg = errors.New("invalid message header")

// parseV3 reads a v3 message; body is the message SEQUENCE after the
// version. Errors wrapping errInvalidMsg count as snmpInvalidMsgs, all
// others as snmpInASNParseErrs.
func parseV3(raw, body []byte) (v3Message, error) {
	m := v3Message{raw: raw}
	hdr, body, err := expectTLV(body, tagSequence, "msgGlobalData")
	if err != nil {
		return m, err
	}
	if m.msgID, hdr, err = readInteger(hdr, "msgID"); err != nil {
		return m, err
	}
	if m.maxSize, hdr, err = readInteger(hdr, "msgMaxSize"); err != nil {
		return m, err
	}
	flags, hdr, err := expectTLV(hdr, tagOctetString, "msgFlags")
	if err != nil {
		return m, err
	}
	if m.secModel, hdr, err = readInteger(hdr, "msgSecurityModel"); err != nil {
		return m, err
	}
	if len(hdr) != 0 {
		return m, errors.New("msgGlobalData: trailing octets")
	}
	secParams, body, err := expectTLV(body, tagOctetString, "msgSecurityParameters")
	if err != nil {
		return m, err
	}
	switch tag, content, rest, err := readTLV(body); {
	case err != nil:
		return m, fmt.Errorf("msgData: %w", err)
	case len(rest) != 0:
		return m, errors.New("msgData: trailing octets")
	case tag == tagSequence:
		m.scoped = body
	case tag == tagOctetString:
		m.encrypted = content
	default:
		return m, fmt.Errorf("msgData: tag %#x", tag)
	}
	if m.msgID < 0 || m.maxSize < 484 || len(flags) != 1 || m.secModel < 1 {
		return m, fmt.Errorf("%w: msgID %d, msgMaxSize %d, %d flag octets, model %d",
			errInvalidMsg, m.msgID, m.maxSize, len(flags), m.secModel)
	}
	m.flags = flags[0]
	if m.flags&(flagAuth|flagPriv) == flagPriv {
		return m, fmt.Errorf("%w: privacy without authentication", errInvalidMsg)
	}
	if m.secModel != securityModelUSM {
		return m, nil // the caller counts snmpUnknownSecurityModels
	}
	if (m.encrypted != nil) != (m.flags&flagPriv != 0) {
		return m, fmt.Errorf("%w: msgData encryption does not match msgFlags", errInvalidMsg)
	}
	if m.usm, err = parseUSM(secParams); err != nil {
		return m, err
	}
	m.authAt = offsetIn(raw, m.usm.auth)
	return m, nil
}

func parseUSM(b []byte) (usmParams, error) {
	var p usmParams
	body, rest, err := expectTLV(b, tagSequence, "UsmSecurityParameters")
	if err != nil {
		return p, err
	}
	if len(rest) != 0 {
		return p, errors.New("UsmSecurityParameters: trailing octets")
	}
	if p.engineID, body, err = expectTLV(body, tagOctetString, "msgAuthoritativeEngineID"); err != nil {
		return p, err
	}
	if p.boots, body, err = readInteger(body, "msgAuthoritativeEngineBoots"); err != nil {
		return p, err
	}
	if p.engineTime, body, err = readInteger(body, "msgAuthoritativeEngineTime"); err != nil {
		return p, err
	}
	if p.user, body, err = expectTLV(body, tagOctetString, "msgUserName"); err != nil {
		return p, err
	}
	if p.auth, body, err = expectTLV(body, tagOctetString, "msgAuthenticationParameters"); err != nil {
		return p, err
	}
	if p.priv, body, err = expectTLV(body, tagOctetString, "msgPrivacyParameters"); err != nil {
		return p, err
	}
	if len(body) != 0 {
		return p, errors.New("UsmSecurityParameters: trailing octets")
	}
	if len(p.engineID) > 32 || len(p.user) > 32 || p.boots < 0 || p.engineTime < 0 {
		return p, errors.New("UsmSecurityParameters: a field is out of range")
	}
	return p, nil
}

// scopedPDU is contextEngineID, contextName and the PDU's TLV.
type scopedPDU struct {
	contextEngineID []byte
	contextName     []byte
	pdu             []byte
}

func parseScopedPDU(b []byte) (scopedPDU, error) {
	var s scopedPDU
	body, _, err := expectTLV(b, tagSequence, "ScopedPDU")
	if err != nil {
		return s, err
	}
	// Decrypted data may carry padding after the ScopedPDU; it is ignored.
	if s.contextEngineID, body, err = expectTLV(body, tagOctetString, "contextEngineID"); err != nil {
		return s, err
	}
	if s.contextName, body, err = expectTLV(body, tagOctetString, "contextName"); err != nil {
		return s, err
	}
	s.pdu = body
	return s, nil
}

func encodeScopedPDU(s scopedPDU) []byte {
	body := appendTLV(nil, tagOctetString, s.contextEngineID)
	body = appendTLV(body, tagOctetString, s.contextName)
	body = append(body, s.pdu...)
	return appendTLV(nil, tagSequence, body)
}

// v3Out is what encodeV3 needs to frame an outgoing message.
type v3Out struct {
	msgID   int32
	maxSize int32
	level   secLevel
	reports bool // reportable flag
	usm     usmParams
	msgData []byte // ScopedPDU TLV, or the ciphertext when level is authPriv
}

// encodeV3 frames a message with zeroed authentication parameters of
// macLen octets and returns it with their offset, for the caller to sign.
func encodeV3(o v3Out, macLen int) ([]byte, int) {
	flags := o.level.flags()
	if o.reports {
		flags |= flagReportable
	}
	hdr := appendInteger(nil, int64(o.msgID))
	hdr = appendInteger(hdr, int64(o.maxSize))
	hdr = appendTLV(hdr, tagOctetString, []byte{flags})
	hdr = appendInteger(hdr, securityModelUSM)

	auth := make([]byte, 0)
	if o.level != noAuthNoPriv {
		auth = make([]byte, macLen)
	}
	sp := appendTLV(nil, tagOctetString, o.usm.engineID)
	sp = appendInteger(sp, int64(o.usm.boots))
	sp = appendInteger(sp, int64(o.usm.engineTime))
	sp = appendTLV(sp, tagOctetString, o.usm.user)
	authField := len(sp)
	sp = appendTLV(sp, tagOctetString, auth)
	authField += len(sp) - authField - len(auth) // header octets of the auth field
	sp = appendTLV(sp, tagOctetString, o.usm.priv)
	usmSeq := appendTLV(nil, tagSequence, sp)
	authInSeq := len(usmSeq) - len(sp) + authField

	body := appendInteger(nil, version3)
	body = appendTLV(body, tagSequence, hdr)
	secStart := len(body)
	body = appendTLV(body, tagOctetString, usmSeq)
	authInBody := secStart + (len(body) - secStart - len(usmSeq)) + authInSeq
	if o.level == authPriv {
		body = appendTLV(body, tagOctetString, o.msgData)
	} else {
		body = append(body, o.msgData...)
	}
	msg := appendTLV(nil, tagSequence, body)
	return msg, len(msg) - len(body) + authInBody
}
