package snmp

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/gosnmp/gosnmp"
)

// VarBind is one variable binding: a name and its value.
type VarBind struct {
	Name  OID
	Value Value
}

// gosnmp encodes and decodes variable bindings only as part of a whole
// v1/v2c message, so each is carried in a throwaway v2c Response whose
// framing is removed again here.

// encodeVarBind returns the BER of one variable binding.
func encodeVarBind(vb VarBind) ([]byte, error) {
	pdu, err := toGosnmp(vb)
	if err != nil {
		return nil, err
	}
	pkt := gosnmp.SnmpPacket{
		Version:   gosnmp.Version2c,
		PDUType:   gosnmp.GetResponse,
		Variables: []gosnmp.SnmpPDU{pdu},
	}
	msg, err := pkt.MarshalMsg()
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", vb.Name, err)
	}
	vbl, err := vblOfMessage(msg)
	if err != nil {
		return nil, fmt.Errorf("encode %s: gosnmp output: %w", vb.Name, err)
	}
	return vbl, nil
}

// vblOfMessage digs the contents of the variable-bindings SEQUENCE out of
// a v1/v2c message.
func vblOfMessage(msg []byte) ([]byte, error) {
	body, _, err := expectTLV(msg, tagSequence, "message")
	if err != nil {
		return nil, err
	}
	_, body, err = readInteger(body, "version")
	if err != nil {
		return nil, err
	}
	_, body, err = expectTLV(body, tagOctetString, "community")
	if err != nil {
		return nil, err
	}
	_, pdu, _, err := readTLV(body)
	if err != nil {
		return nil, fmt.Errorf("pdu: %w", err)
	}
	for _, what := range []string{"request-id", "error-status", "error-index"} {
		if _, pdu, err = readInteger(pdu, what); err != nil {
			return nil, err
		}
	}
	vbl, _, err := expectTLV(pdu, tagSequence, "variable-bindings")
	return vbl, err
}

// decodeVarBinds decodes a variable-bindings SEQUENCE (the whole TLV).
func decodeVarBinds(vblTLV []byte) ([]VarBind, error) {
	pdu := []byte{tagInteger, 1, 0, tagInteger, 1, 0, tagInteger, 1, 0}
	pdu = append(pdu, vblTLV...)
	body := []byte{tagInteger, 1, 1, tagOctetString, 0}
	body = appendTLV(body, byte(gosnmp.GetResponse), pdu)
	msg := appendTLV(nil, tagSequence, body)

	var g gosnmp.GoSNMP
	pkt, err := g.SnmpDecodePacket(msg)
	if err != nil {
		return nil, err
	}
	out := make([]VarBind, 0, len(pkt.Variables))
	for _, v := range pkt.Variables {
		vb, err := fromGosnmp(v)
		if err != nil {
			return nil, err
		}
		out = append(out, vb)
	}
	return out, nil
}

func toGosnmp(vb VarBind) (gosnmp.SnmpPDU, error) {
	p := gosnmp.SnmpPDU{Name: "." + vb.Name.String()}
	v := vb.Value
	switch v.Kind {
	case KindInteger:
		p.Type, p.Value = gosnmp.Integer, int(v.Int)
	case KindOctetString:
		p.Type, p.Value = gosnmp.OctetString, v.Bytes
	case KindOID:
		p.Type, p.Value = gosnmp.ObjectIdentifier, "."+v.OID.String()
	case KindIPAddress:
		p.Type, p.Value = gosnmp.IPAddress, v.Bytes
	case KindCounter32:
		p.Type, p.Value = gosnmp.Counter32, uint32(v.Uint)
	case KindGauge32:
		p.Type, p.Value = gosnmp.Gauge32, uint32(v.Uint)
	case KindTimeTicks:
		p.Type, p.Value = gosnmp.TimeTicks, uint32(v.Uint)
	case KindCounter64:
		p.Type, p.Value = gosnmp.Counter64, v.Uint
	case KindNull:
		p.Type = gosnmp.Null
	case kindNoSuchObject:
		p.Type = gosnmp.NoSuchObject
	case kindNoSuchInstance:
		p.Type = gosnmp.NoSuchInstance
	case kindEndOfMibView:
		p.Type = gosnmp.EndOfMibView
	default:
		return p, fmt.Errorf("encode %s: no encoding for %s", vb.Name, v.Kind)
	}
	return p, nil
}

func fromGosnmp(p gosnmp.SnmpPDU) (VarBind, error) {
	name, err := ParseOID(p.Name)
	if err != nil {
		return VarBind{}, err
	}
	vb := VarBind{Name: name}
	v := &vb.Value
	switch p.Type {
	case gosnmp.Integer:
		n, ok := p.Value.(int)
		if !ok {
			return vb, errors.New("INTEGER without a value")
		}
		v.Kind, v.Int = KindInteger, int64(n)
	case gosnmp.OctetString:
		b, _ := p.Value.([]byte)
		v.Kind, v.Bytes = KindOctetString, b
	case gosnmp.ObjectIdentifier:
		s, _ := p.Value.(string)
		o, err := ParseOID(s)
		if err != nil {
			return vb, err
		}
		v.Kind, v.OID = KindOID, o
	case gosnmp.IPAddress:
		s, _ := p.Value.(string)
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			v.Kind = kindUnsupported // an IpAddress must be 4 octets
			break
		}
		b := a.As4()
		v.Kind, v.Bytes = KindIPAddress, b[:]
	case gosnmp.Counter32, gosnmp.Gauge32:
		n, ok := p.Value.(uint)
		if !ok {
			return vb, fmt.Errorf("%s without a value", p.Type)
		}
		v.Kind, v.Uint = KindCounter32, uint64(n)
		if p.Type == gosnmp.Gauge32 {
			v.Kind = KindGauge32
		}
	case gosnmp.TimeTicks:
		n, ok := p.Value.(uint32)
		if !ok {
			return vb, errors.New("TimeTicks without a value")
		}
		v.Kind, v.Uint = KindTimeTicks, uint64(n)
	case gosnmp.Counter64:
		n, ok := p.Value.(uint64)
		if !ok {
			return vb, errors.New("Counter64 without a value")
		}
		v.Kind, v.Uint = KindCounter64, n
	case gosnmp.Null:
		v.Kind = KindNull
	case gosnmp.NoSuchObject:
		v.Kind = kindNoSuchObject
	case gosnmp.NoSuchInstance:
		v.Kind = kindNoSuchInstance
	case gosnmp.EndOfMibView:
		v.Kind = kindEndOfMibView
	default:
		v.Kind = kindUnsupported
	}
	return vb, nil
}
