package snmp

import (
	"net/netip"
	"strings"
	"testing"
)

var testFrom = netip.MustParseAddrPort("127.0.0.1:40000")

func communityRequest(t *testing.T, version int32, community string, pduTLV []byte) []byte {
	t.Helper()
	return encodeCommunityMessage(version, []byte(community), pduTLV)
}

func decodeResponse(t *testing.T, resp []byte) pdu {
	t.Helper()
	if resp == nil {
		t.Fatal("no response")
	}
	v, body, err := peekVersion(resp)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseCommunityMessage(v, body)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsePDU(m.pdu)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMalformedCounted feeds broken datagrams: none is answered, each is
// counted where SNMP says.
func TestMalformedCounted(t *testing.T) {
	a := fuzzAgent(t)
	good := communityRequest(t, version2c, roCommunity, getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0"))
	v3 := func(maxSize int32, model int32) []byte {
		scoped := encodeScopedPDU(scopedPDU{pdu: encodePDU(pduGet, 1, 0, 0, nil)})
		m, _ := encodeV3(v3Out{msgID: 1, maxSize: maxSize, reports: true, msgData: scoped}, 0)
		if model != securityModelUSM {
			i := strings.Index(string(m), "\x02\x01\x03\x04") // msgSecurityModel 3 before the parameters
			m[i+2] = byte(model)
		}
		return m
	}
	cases := []struct {
		name string
		pkt  []byte
		c    counter
	}{
		{"empty", nil, cInASNParseErrs},
		{"truncated", good[:len(good)-3], cInASNParseErrs},
		{"trailing garbage", append(append([]byte{}, good...), 0), cInASNParseErrs},
		{"indefinite length", append([]byte{0x30, 0x80}, good[2:]...), cInASNParseErrs},
		{"oversized", append([]byte{0x30, 0x82, 0x07, 0xd0}, make([]byte, 2000)...), cInASNParseErrs},
		{"version 2", communityRequest(t, 2, roCommunity, getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0")), cInBadVersions},
		{"bad community", communityRequest(t, version2c, "nope", getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0")), cInBadCommunityNames},
		{"v1 GetBulk", communityRequest(t, version1, roCommunity, getPDU(t, pduGetBulk, 0, 5, "1.3")), cInASNParseErrs},
		{"garbled PDU", communityRequest(t, version2c, roCommunity, []byte{0xa0, 0x03, 0x02, 0x01}), cInASNParseErrs},
		{"v3 msgMaxSize 100", v3(100, securityModelUSM), cInvalidMsgs},
		{"v3 security model 2", v3(1472, 2), cUnknownSecurityModels},
	}
	for _, c := range cases {
		before := a.ctr.get(c.c)
		if resp := a.handle(c.pkt, testFrom); resp != nil {
			t.Errorf("%s: answered", c.name)
		}
		if a.ctr.get(c.c) != before+1 {
			t.Errorf("%s: counter %d not incremented", c.name, c.c)
		}
	}
	if n, want := a.ctr.get(cInPkts), uint32(len(cases)); n != want {
		t.Errorf("snmpInPkts %d, want %d", n, want)
	}
}

func TestTooBig(t *testing.T) {
	a := fuzzAgent(t)
	a.maxSize = minMessageSize
	names := make([]string, 20) // a 350-octet request whose answer needs 650
	for i := range names {
		names[i] = "1.3.6.1.2.1.1.1.0" // each answer carries sysDescr
	}
	for _, v := range []int32{version1, version2c} {
		resp := a.handle(communityRequest(t, v, roCommunity, getPDU(t, pduGet, 0, 0, names...)), testFrom)
		p := decodeResponse(t, resp)
		if ErrorStatus(p.errStatus) != TooBig || p.errIndex != 0 || len(resp) > minMessageSize {
			t.Errorf("v%d: status %d index %d, %d octets", v+1, p.errStatus, p.errIndex, len(resp))
		}
		if v == version2c && len(p.vbs) != 0 {
			t.Errorf("v2c tooBig carries %d bindings, want none", len(p.vbs))
		}
	}
	// GetBulk is cut instead, keeping the non-repeater first.
	resp := a.handle(communityRequest(t, version2c, roCommunity, getPDU(t, pduGetBulk, 1, 1000, "1.3.6.1.2.1.1.4", "1.3")), testFrom)
	p := decodeResponse(t, resp)
	if p.errStatus != 0 || len(resp) > minMessageSize || len(p.vbs) < 5 || !p.vbs[0].Name.Equal(mustOID("1.3.6.1.2.1.1.4.0")) {
		t.Errorf("bulk: status %d, %d bindings, %d octets", p.errStatus, len(p.vbs), len(resp))
	}
	if a.ctr.get(cOutTooBigs) != 2 {
		t.Errorf("snmpOutTooBigs %d, want 2", a.ctr.get(cOutTooBigs))
	}
}

func TestGetBulkEnd(t *testing.T) {
	a := fuzzAgent(t)
	// Past the last object every repeater reads endOfMibView, once.
	p := decodeResponse(t, a.handle(communityRequest(t, version2c, roCommunity, getPDU(t, pduGetBulk, 0, 10, "1.3.6.1.6.3.15.1.1.6.0", "1.3.6.1.6.3.15.1.1.5.0")), testFrom))
	if len(p.vbs) != 4 || p.vbs[0].Value.Kind != kindEndOfMibView || p.vbs[1].Value.Kind != KindCounter32 || p.vbs[3].Value.Kind != kindEndOfMibView {
		t.Errorf("bulk at the end: %v", p.vbs)
	}
}

func TestV1GetNextSkipsCounter64(t *testing.T) {
	a := fuzzAgent(t)
	// ifXTable column 2 (Counter32) is followed by Counter64 columns and
	// then ifLinkUpDownTrapEnable (14), which v1 may see.
	p := decodeResponse(t, a.handle(communityRequest(t, version1, roCommunity, getPDU(t, pduGetNext, 0, 0, "1.3.6.1.2.1.31.1.1.1.2.2")), testFrom))
	if p.errStatus != 0 || !p.vbs[0].Name.Equal(mustOID("1.3.6.1.2.1.31.1.1.1.14.1")) {
		t.Errorf("v1 getnext after ifInMulticastPkts: %v (status %d)", p.vbs, p.errStatus)
	}
}
