package snmp

import (
	"fmt"
	"net/netip"
)

// Kind is the SMI syntax of a Value.
type Kind uint8

const (
	KindNone        Kind = iota // no value: a table cell that does not exist
	KindInteger                 // INTEGER / Integer32 and enumerations
	KindOctetString             // OCTET STRING, DisplayString, InetAddress...
	KindOID                     // OBJECT IDENTIFIER
	KindIPAddress               // IpAddress (4 octets)
	KindCounter32
	KindGauge32 // Gauge32 and Unsigned32 share a tag
	KindTimeTicks
	KindCounter64
	KindNull

	// The SNMPv2 exceptions only ever appear in responses.
	kindNoSuchObject
	kindNoSuchInstance
	kindEndOfMibView

	// kindUnsupported is a syntax a request may carry but no object here
	// accepts (Opaque, the obsolete UInteger32...).
	kindUnsupported
)

var kindNames = [...]string{
	KindNone: "none", KindInteger: "INTEGER", KindOctetString: "OCTET STRING",
	KindOID: "OBJECT IDENTIFIER", KindIPAddress: "IpAddress", KindCounter32: "Counter32",
	KindGauge32: "Gauge32", KindTimeTicks: "TimeTicks", KindCounter64: "Counter64",
	KindNull: "NULL", kindNoSuchObject: "noSuchObject", kindNoSuchInstance: "noSuchInstance",
	kindEndOfMibView: "endOfMibView", kindUnsupported: "unsupported syntax",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Value is one object instance's value.
type Value struct {
	Kind  Kind
	Int   int64  // KindInteger
	Uint  uint64 // KindCounter32, KindGauge32, KindTimeTicks, KindCounter64
	Bytes []byte // KindOctetString, KindIPAddress
	OID   OID    // KindOID
}

// Constructors for the SMI syntaxes handlers return.

func Integer(v int32) Value      { return Value{Kind: KindInteger, Int: int64(v)} }
func OctetString(b []byte) Value { return Value{Kind: KindOctetString, Bytes: b} }
func String(s string) Value      { return Value{Kind: KindOctetString, Bytes: []byte(s)} }
func ObjectID(o OID) Value       { return Value{Kind: KindOID, OID: o} }
func Counter32(v uint32) Value   { return Value{Kind: KindCounter32, Uint: uint64(v)} }
func Gauge32(v uint32) Value     { return Value{Kind: KindGauge32, Uint: uint64(v)} }
func Unsigned32(v uint32) Value  { return Gauge32(v) }
func TimeTicks(v uint32) Value   { return Value{Kind: KindTimeTicks, Uint: uint64(v)} }
func Counter64(v uint64) Value   { return Value{Kind: KindCounter64, Uint: v} }

// TruthValue is SNMPv2-TC TruthValue: true(1), false(2).
func TruthValue(b bool) Value {
	if b {
		return Integer(1)
	}
	return Integer(2)
}

// IPAddress holds an IPv4 address; anything else is not an IpAddress.
func IPAddress(a netip.Addr) Value {
	b := a.Unmap().As4()
	return Value{Kind: KindIPAddress, Bytes: b[:]}
}

// Clamp32 saturates a 64-bit count into a 32-bit syntax: a Gauge32 or
// Unsigned32 sticks at its maximum rather than wrapping (RFC 2578 7.1.7).
func Clamp32(v uint64) uint32 {
	if v > 0xffffffff {
		return 0xffffffff
	}
	return uint32(v)
}

// Wrap32 is a Counter32 view of a 64-bit counter: counters wrap.
func Wrap32(v uint64) uint32 { return uint32(v) }

func (v Value) String() string {
	switch v.Kind {
	case KindInteger:
		return fmt.Sprintf("INTEGER: %d", v.Int)
	case KindOctetString:
		return fmt.Sprintf("STRING: %q", v.Bytes)
	case KindOID:
		return "OID: " + v.OID.String()
	case KindIPAddress:
		if a, ok := netip.AddrFromSlice(v.Bytes); ok {
			return "IpAddress: " + a.String()
		}
		return fmt.Sprintf("IpAddress: % x", v.Bytes)
	case KindCounter32, KindGauge32, KindTimeTicks, KindCounter64:
		return fmt.Sprintf("%s: %d", v.Kind, v.Uint)
	}
	return v.Kind.String()
}
