package snmp

import (
	"errors"
	"fmt"
)

// Message versions as they appear on the wire.
const (
	version1  = 0
	version2c = 1
	version3  = 3
)

// pduType is the context tag of a PDU.
type pduType byte

const (
	pduGet      pduType = 0xa0
	pduGetNext  pduType = 0xa1
	pduResponse pduType = 0xa2
	pduSet      pduType = 0xa3
	pduTrapV1   pduType = 0xa4
	pduGetBulk  pduType = 0xa5
	pduInform   pduType = 0xa6
	pduTrapV2   pduType = 0xa7
	pduReport   pduType = 0xa8
)

// confirmed reports whether the PDU class expects an answer; only those
// may provoke a Report (RFC 3412 section 7.1, step 3).
func (t pduType) confirmed() bool {
	switch t {
	case pduGet, pduGetNext, pduSet, pduGetBulk, pduInform:
		return true
	}
	return false
}

var errTrapV1 = errors.New("SNMPv1 Trap-PDU is not handled by an agent")

// pdu is every PDU but the v1 trap. In a GetBulk, errStatus holds
// non-repeaters and errIndex max-repetitions.
type pdu struct {
	typ       pduType
	requestID int32
	errStatus int32
	errIndex  int32
	vbs       []VarBind
	// raw holds each binding as received, for responses that must echo
	// the request: a value this agent could not re-encode is sent back
	// as it came.
	raw [][]byte
}

// parsePDU reads one PDU that fills b exactly.
func parsePDU(b []byte) (pdu, error) {
	tag, body, rest, err := readTLV(b)
	if err != nil {
		return pdu{}, fmt.Errorf("pdu: %w", err)
	}
	if len(rest) != 0 {
		return pdu{}, fmt.Errorf("pdu: %d octets after it", len(rest))
	}
	p := pdu{typ: pduType(tag)}
	switch p.typ {
	case pduGet, pduGetNext, pduResponse, pduSet, pduGetBulk, pduInform, pduTrapV2, pduReport:
	case pduTrapV1:
		return pdu{}, errTrapV1
	default:
		return pdu{}, fmt.Errorf("pdu: unknown type %#x", tag)
	}
	if p.requestID, body, err = readInteger(body, "request-id"); err != nil {
		return pdu{}, err
	}
	if p.errStatus, body, err = readInteger(body, "error-status"); err != nil {
		return pdu{}, err
	}
	if p.errIndex, body, err = readInteger(body, "error-index"); err != nil {
		return pdu{}, err
	}
	_, _, after, err := readTLV(body)
	if err != nil || body[0] != tagSequence {
		return pdu{}, fmt.Errorf("variable-bindings: not a SEQUENCE (%v)", err)
	}
	if len(after) != 0 {
		return pdu{}, fmt.Errorf("pdu: %d octets after the variable-bindings", len(after))
	}
	if p.vbs, err = decodeVarBinds(body); err != nil {
		return pdu{}, fmt.Errorf("variable-bindings: %w", err)
	}
	vbl, _, _ := expectTLV(body, tagSequence, "variable-bindings")
	for len(vbl) > 0 {
		_, _, rest, err := readTLV(vbl)
		if err != nil {
			return pdu{}, fmt.Errorf("variable-bindings: %w", err)
		}
		p.raw = append(p.raw, vbl[:len(vbl)-len(rest)])
		vbl = rest
	}
	if len(p.raw) != len(p.vbs) {
		return pdu{}, errors.New("variable-bindings: count mismatch")
	}
	return p, nil
}

// encodePDU writes a PDU around variable bindings already encoded.
func encodePDU(typ pduType, requestID int32, status ErrorStatus, index int, vbs [][]byte) []byte {
	n := 0
	for _, b := range vbs {
		n += len(b)
	}
	vbl := make([]byte, 0, n)
	for _, b := range vbs {
		vbl = append(vbl, b...)
	}
	body := appendInteger(nil, int64(requestID))
	body = appendInteger(body, int64(status))
	body = appendInteger(body, int64(index))
	body = appendTLV(body, tagSequence, vbl)
	return appendTLV(nil, byte(typ), body)
}

// communityMessage is a v1 or v2c message.
type communityMessage struct {
	version   int32
	community []byte
	pdu       []byte // the PDU's TLV
}

// peekVersion reads the message version, so that a bad version can be
// counted before the rest is parsed.
func peekVersion(b []byte) (int32, []byte, error) {
	body, rest, err := expectTLV(b, tagSequence, "message")
	if err != nil {
		return 0, nil, err
	}
	if len(rest) != 0 {
		return 0, nil, fmt.Errorf("message: %d octets after it", len(rest))
	}
	v, body, err := readInteger(body, "version")
	return v, body, err
}

func parseCommunityMessage(version int32, body []byte) (communityMessage, error) {
	community, pdu, err := expectTLV(body, tagOctetString, "community")
	if err != nil {
		return communityMessage{}, err
	}
	return communityMessage{version: version, community: community, pdu: pdu}, nil
}

func encodeCommunityMessage(version int32, community, pdu []byte) []byte {
	body := appendInteger(nil, int64(version))
	body = appendTLV(body, tagOctetString, community)
	body = append(body, pdu...)
	return appendTLV(nil, tagSequence, body)
}
