package snmp

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// v1Trap is a decoded SNMPv1 Trap-PDU.
type v1Trap struct {
	community         string
	enterprise        OID
	agentAddr         []byte
	generic, specific int32
	stamp             uint32
	vbs               []VarBind
}

func readV1Trap(t *testing.T, c net.PacketConn) v1Trap {
	t.Helper()
	buf := make([]byte, 65536)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no trap: %v", err)
	}
	v, body, err := peekVersion(buf[:n])
	if err != nil || v != version1 {
		t.Fatalf("version %d (%v), want SNMPv1 (0): %x", v, err, buf[:n])
	}
	m, err := parseCommunityMessage(v, body)
	if err != nil {
		t.Fatal(err)
	}
	pduBody, _, err := expectTLV(m.pdu, byte(pduTrapV1), "Trap-PDU")
	if err != nil {
		t.Fatal(err)
	}
	// enterprise and time-stamp decode as a binding's name and value.
	ent, rest, err := expectTLV(pduBody, 0x06, "enterprise")
	if err != nil {
		t.Fatal(err)
	}
	addr, rest, err := expectTLV(rest, 0x40, "agent-addr")
	if err != nil {
		t.Fatal(err)
	}
	generic, rest, err := readInteger(rest, "generic-trap")
	if err != nil {
		t.Fatal(err)
	}
	specific, rest, err := readInteger(rest, "specific-trap")
	if err != nil {
		t.Fatal(err)
	}
	_, _, vbl, err := readTLV(rest)
	if err != nil {
		t.Fatal(err)
	}
	pair := appendTLV(nil, tagSequence, append(appendTLV(nil, 0x06, ent), rest[:len(rest)-len(vbl)]...))
	head, err := decodeVarBinds(appendTLV(nil, tagSequence, pair))
	if err != nil || len(head) != 1 || head[0].Value.Kind != KindTimeTicks {
		t.Fatalf("enterprise and time-stamp: %v %v", head, err)
	}
	vbs, err := decodeVarBinds(vbl)
	if err != nil {
		t.Fatal(err)
	}
	return v1Trap{community: string(m.community), enterprise: head[0].Name, agentAddr: addr, generic: generic, specific: specific,
		stamp: uint32(head[0].Value.Uint), vbs: vbs}
}

// TestTrapsV1: a host configured for SNMPv1 (`snmp-server host A C`, IOS's
// default version) gets Trap-PDUs translated as RFC 3584 section 3.2
// says: coldStart and linkDown as generic traps 0 and 2 of snmpTraps with
// the link's bindings, flowtap's cache high-water as enterpriseSpecific 1
// of 32473.1.2; snmptrapd reads them. The agent used to send such hosts
// SNMPv2c traps, which an SNMPv1-only receiver drops.
func TestTrapsV1(t *testing.T) {
	sink, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	cfg := testConfig(newFakeBackend())
	cfg.Receivers = []Receiver{{Addr: sink.LocalAddr().(*net.UDPAddr).AddrPort(), Community: "v1comm", V1: true}}
	a, _, _ := startAgent(t, cfg)
	ctx := context.Background()

	if err := a.ColdStart(ctx); err != nil {
		t.Fatal(err)
	}
	tr := readV1Trap(t, sink)
	if tr.community != "v1comm" || !tr.enterprise.Equal(mustOID("1.3.6.1.6.3.1.1.5")) || tr.generic != 0 || tr.specific != 0 ||
		string(tr.agentAddr) != "\x7f\x00\x00\x01" || len(tr.vbs) != 0 {
		t.Errorf("coldStart as SNMPv1: %+v", tr)
	}
	if err := a.LinkDown(ctx, 1); err != nil {
		t.Fatal(err)
	}
	tr = readV1Trap(t, sink)
	if tr.generic != 2 || tr.specific != 0 || len(tr.vbs) != 3 || !tr.vbs[0].Name.Equal(oidIfEntry.Append(ifIndexColumn, 1)) {
		t.Errorf("linkDown as SNMPv1: %+v", tr)
	}
	if err := a.CacheHighWater(ctx, 950, 1000); err != nil {
		t.Fatal(err)
	}
	tr = readV1Trap(t, sink)
	if !tr.enterprise.Equal(mustOID("1.3.6.1.4.1.32473.1.2")) || tr.generic != 6 || tr.specific != 1 || len(tr.vbs) != 2 {
		t.Errorf("cache high water as SNMPv1: %+v", tr)
	}
	if n := outTrapsSettled(a, 3); n != 3 {
		t.Errorf("snmpOutTraps %d, want 3", n)
	}

	// What net-snmp makes of them.
	td := startTrapd(t, "")
	if err := a.SetReceivers([]Receiver{{Addr: td.addr, Community: "public", V1: true}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []Notification{{OID: oidColdStart}, {OID: oidCacheHighWater}} {
		if err := a.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"Cold Start Trap (0)", "Enterprise Specific Trap (1)"} {
		deadline := time.After(10 * time.Second)
	wait:
		for {
			select {
			case l := <-td.lines:
				t.Logf("snmptrapd: %s", l)
				if strings.Contains(l, want) {
					break wait
				}
			case <-deadline:
				t.Fatalf("snmptrapd never printed %q", want)
			}
		}
	}
}
