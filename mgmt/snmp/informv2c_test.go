package snmp

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// TestInformsV2c: a receiver configured for informs (`snmp-server host A
// informs version 2c C`) gets InformRequests that snmptrapd acknowledges,
// and one that never answers gets the inform again after each timeout
// until the retries run out. The agent used to send such receivers plain
// traps, once, so a lost notification went unnoticed.
func TestInformsV2c(t *testing.T) {
	td := startTrapd(t, "")
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	cfg := testConfig(newFakeBackend())
	cfg.Receivers = []Receiver{{Addr: td.addr, Community: "public", Inform: true}}
	a, _, _ := startAgent(t, cfg)
	ctx := context.Background()
	if err := a.ColdStart(ctx); err != nil {
		t.Fatalf("inform to snmptrapd: %v", err)
	}
	td.next(t, ".1.3.6.1.6.3.1.1.5.1")
	if n := a.ctr.get(cInGetResponses); n != 1 {
		t.Errorf("acknowledgements counted %d, want 1", n)
	}

	silentAddr := silent.LocalAddr().(*net.UDPAddr).AddrPort()
	if err := a.SetReceivers([]Receiver{{Addr: silentAddr, Community: "public", Inform: true, Timeout: 100 * time.Millisecond, Retries: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := a.ColdStart(ctx); !errors.Is(err, errNoAck) {
		t.Errorf("inform to a receiver that never answers: %v, want %v", err, errNoAck)
	}
	buf := make([]byte, 65536)
	silent.SetReadDeadline(time.Now().Add(time.Second))
	var ids []int32
	for {
		n, _, err := silent.ReadFrom(buf)
		if err != nil {
			break
		}
		v, body, err := peekVersion(buf[:n])
		if err != nil || v != version2c {
			t.Fatalf("not an SNMPv2c message: %x", buf[:n])
		}
		m, _ := parseCommunityMessage(v, body)
		p, err := parsePDU(m.pdu)
		if err != nil || p.typ != pduInform || string(m.community) != "public" {
			t.Fatalf("sent PDU %#x community %q (%v), want an InformRequest with public", p.typ, m.community, err)
		}
		ids = append(ids, p.requestID)
	}
	if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("the silent receiver got request-ids %v, want the same one 3 times (1 + 2 retries)", ids)
	}
}
