package snmp

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"testing"
	"time"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKeyLocalization checks RFC 3414 A.3.2 (SHA, "maplesyrup").
func TestKeyLocalization(t *testing.T) {
	ku, err := passwordToKey(AuthSHA, "maplesyrup")
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "9fb5cc0381497b3793528939ff788d5d79145211"); !bytes.Equal(ku, want) {
		t.Errorf("Ku = %x, want %x", ku, want)
	}
	kul := localizeKey(AuthSHA, ku, unhex(t, "000000000000000000000002"))
	if want := unhex(t, "6695febc9288e36282235fc7151f128497b38f3f"); !bytes.Equal(kul, want) {
		t.Errorf("Kul = %x, want %x", kul, want)
	}
	if _, err := passwordToKey(AuthSHA, "short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

// managerRequest builds what a manager would send to agent a: an SNMPv3
// message from user u at u's level, declaring msgMaxSize.
func managerRequest(t *testing.T, a *Agent, u User, maxSize int32, engineTime int32, pduTLV []byte) []byte {
	t.Helper()
	uu, err := newUSMUser(u, a.engine.id)
	if err != nil {
		t.Fatal(err)
	}
	scoped := encodeScopedPDU(scopedPDU{contextEngineID: a.engine.id, pdu: pduTLV})
	o := v3Out{msgID: 4242, maxSize: maxSize, level: uu.level(), reports: true, msgData: scoped,
		usm: usmParams{engineID: a.engine.id, boots: a.engine.boots, engineTime: engineTime, user: []byte(u.Name)}}
	return a.seal(o, uu.Auth, uu.Priv, uu.authKey, uu.privKey, false)
}

// openResponse decodes an agent's v3 answer with u's keys.
func openResponse(t *testing.T, a *Agent, u User, resp []byte) pdu {
	t.Helper()
	if resp == nil {
		t.Fatal("no response")
	}
	v, body, err := peekVersion(resp)
	if err != nil || v != version3 {
		t.Fatalf("response: version %d, %v", v, err)
	}
	m, err := parseV3(resp, body)
	if err != nil {
		t.Fatalf("response: %v", err)
	}
	uu, _ := newUSMUser(u, a.engine.id)
	p, err := openV3(&m, uu.Auth, uu.Priv, uu.authKey, uu.privKey)
	if err != nil {
		t.Fatalf("response: %v", err)
	}
	return p
}

var shaUser = User{Name: userSHA, Auth: AuthSHA, AuthPassword: authPass, Priv: PrivAES, PrivPassword: privPass}

func getPDU(t *testing.T, typ pduType, a, b int32, names ...string) []byte {
	t.Helper()
	var vbs [][]byte
	for _, n := range names {
		enc, err := encodeVarBind(VarBind{Name: mustOID(n), Value: Value{Kind: KindNull}})
		if err != nil {
			t.Fatal(err)
		}
		vbs = append(vbs, enc)
	}
	return encodePDU(typ, 99, ErrorStatus(a), int(b), vbs)
}

func TestV3RoundTripAndMaxSize(t *testing.T) {
	a := fuzzAgent(t)
	from := netip.MustParseAddrPort("127.0.0.1:1")
	req := managerRequest(t, a, shaUser, 65507, 0, getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0"))
	p := openResponse(t, a, shaUser, a.handle(req, from))
	if p.typ != pduResponse || p.requestID != 99 || len(p.vbs) != 1 || string(p.vbs[0].Value.Bytes) != "probe1" {
		t.Fatalf("response %+v", p)
	}
	// A GetBulk asking for far more than msgMaxSize 484 allows is cut to fit.
	req = managerRequest(t, a, shaUser, 484, 0, getPDU(t, pduGetBulk, 0, 200, "1.3"))
	resp := a.handle(req, from)
	if len(resp) > 484 {
		t.Errorf("GetBulk response %d octets over msgMaxSize 484", len(resp))
	}
	if p := openResponse(t, a, shaUser, resp); p.errStatus != 0 || len(p.vbs) < 5 {
		t.Errorf("truncated GetBulk: status %d, %d bindings", p.errStatus, len(p.vbs))
	}
}

// TestV3TimeWindow replays a request after the window closed, and one
// from an earlier boot: both get notInTimeWindow and are counted.
func TestV3TimeWindow(t *testing.T) {
	now := time.Now()
	cfg := testConfig(newFakeBackend())
	cfg.Listen, cfg.Interfaces = nil, staticInterfaces{}
	cfg.Now = func() time.Time { return now }
	cfg.EngineBoots = 7
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	from := netip.MustParseAddrPort("127.0.0.1:1")
	req := managerRequest(t, a, shaUser, 65507, 0, getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0"))
	if p := openResponse(t, a, shaUser, a.handle(req, from)); p.typ != pduResponse {
		t.Fatalf("fresh request answered with %#x", p.typ)
	}
	now = now.Add(151 * time.Second) // the same packet, replayed later
	p := openResponse(t, a, shaUser, a.handle(req, from))
	if p.typ != pduReport || !p.vbs[0].Name.Equal(counterOID(cNotInTimeWindows)) {
		t.Fatalf("replay answered with %#x %v", p.typ, p.vbs)
	}
	a.engine.boots = 8 // as after a restart
	req = managerRequest(t, a, shaUser, 65507, a.engine.time(), getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0"))
	a.engine.boots = 7
	if p := openResponse(t, a, shaUser, a.handle(req, from)); p.typ != pduReport {
		t.Errorf("request from another boot answered with %#x", p.typ)
	}
	if n := a.ctr.get(cNotInTimeWindows); n != 2 {
		t.Errorf("usmStatsNotInTimeWindows %d, want 2", n)
	}
}

func TestV3Discovery(t *testing.T) {
	a := fuzzAgent(t)
	// RFC 3414 section 4's probe: no engine ID, no user, empty Get.
	scoped := encodeScopedPDU(scopedPDU{pdu: encodePDU(pduGet, 5, 0, 0, nil)})
	probe, _ := encodeV3(v3Out{msgID: 1, maxSize: 65507, reports: true, msgData: scoped}, 0)
	resp := a.handle(probe, netip.MustParseAddrPort("127.0.0.1:1"))
	_, body, _ := peekVersion(resp)
	m, err := parseV3(resp, body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.usm.engineID, testEngineID) || m.usm.boots != 1 || m.flags&flagReportable != 0 {
		t.Errorf("discovery report: engine %x boots %d flags %#x", m.usm.engineID, m.usm.boots, m.flags)
	}
	sp, _ := parseScopedPDU(m.scoped)
	p, err := parsePDU(sp.pdu)
	if err != nil || p.typ != pduReport || p.requestID != 5 || !p.vbs[0].Name.Equal(counterOID(cUnknownEngineIDs)) {
		t.Errorf("discovery report PDU %+v, %v", p, err)
	}
}

func TestEncodeV3AuthOffset(t *testing.T) {
	for _, macLen := range []int{12, 24} {
		o := v3Out{msgID: 300, maxSize: 1472, level: authNoPriv, msgData: encodeScopedPDU(scopedPDU{pdu: encodePDU(pduGet, 1, 0, 0, nil)}),
			usm: usmParams{engineID: testEngineID, boots: 3, engineTime: 100000, user: []byte("someone")}}
		msg, at := encodeV3(o, macLen)
		_, body, _ := peekVersion(msg)
		m, err := parseV3(msg, body)
		if err != nil {
			t.Fatal(err)
		}
		if m.authAt != at || len(m.usm.auth) != macLen {
			t.Errorf("mac %d: offset %d, parsed %d (%d octets)", macLen, at, m.authAt, len(m.usm.auth))
		}
	}
}

// TestV3SmallMsgMaxSizeTooBig: a manager declaring msgMaxSize 484 (the
// least RFC 3412 allows) asking a Get or GetNext whose answer would not
// fit gets tooBig with no bindings, within 484 octets; a GetBulk is cut
// to fit whatever its non-repeaters (RFC 3416 4.2.3: bindings dropped
// from the end).
func TestV3SmallMsgMaxSizeTooBig(t *testing.T) {
	a := fuzzAgent(t)
	from := netip.MustParseAddrPort("127.0.0.1:1")
	var names []string
	for range 40 {
		names = append(names, "1.3.6.1.2.1.1.1.0")
	}
	for _, typ := range []pduType{pduGet, pduGetNext} {
		resp := a.handle(managerRequest(t, a, shaUser, 484, 0, getPDU(t, typ, 0, 0, names...)), from)
		if p := openResponse(t, a, shaUser, resp); len(resp) > 484 || ErrorStatus(p.errStatus) != TooBig || len(p.vbs) != 0 {
			t.Errorf("%#x: %d octets, status %d, %d bindings; want tooBig, none, within 484", typ, len(resp), p.errStatus, len(p.vbs))
		}
	}
	for _, nonRepeaters := range []int32{0, 1, 40} {
		resp := a.handle(managerRequest(t, a, shaUser, 484, 0, getPDU(t, pduGetBulk, nonRepeaters, 100, names...)), from)
		if p := openResponse(t, a, shaUser, resp); len(resp) > 484 || ErrorStatus(p.errStatus) != NoError || len(p.vbs) == 0 {
			t.Errorf("GetBulk, %d non-repeaters: %d octets, status %d, %d bindings; want some, within 484", nonRepeaters, len(resp), p.errStatus, len(p.vbs))
		}
	}
}
