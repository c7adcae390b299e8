package snmp

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestFibreSilenceNotifications: flowtapFibreSilent and its clearing
// flowtapFibreReceives carry the fibre's flowtapFibreTable row (port,
// state, idle seconds, indexed by link ifIndex and side) to snmptrapd,
// under `snmp-server enable traps fibre`; nothing goes while neither it
// nor `snmp-server enable traps` is on.
func TestFibreSilenceNotifications(t *testing.T) {
	td := startTrapd(t, "")
	cfg := testConfig(newFakeBackend())
	cfg.Receivers = []Receiver{{Addr: td.addr, Community: "public"}}
	a, _, _ := startAgent(t, cfg)
	ctx := context.Background()
	silent := Fibre{LinkIfIndex: 64001, Side: 2, Port: "eth3", State: FibreSilent, IdleSeconds: 31}

	// Off: FibreSilence sends nothing; the coldStart sent next is the
	// first thing snmptrapd hears.
	if err := a.FibreSilence(ctx, silent, true); err != nil {
		t.Fatal(err)
	}
	if err := a.ColdStart(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case l := <-td.lines:
		for !strings.Contains(l, ".1.3.6.1.6.3.1.1.4.1.0") {
			l = <-td.lines
		}
		if !strings.Contains(l, "OID: .1.3.6.1.6.3.1.1.5.1") {
			t.Fatalf("with fibre traps off, snmptrapd heard first: %s", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("snmptrapd heard nothing")
	}

	a.SetTrapTypes(TrapFibre)
	if err := a.FibreSilence(ctx, silent, true); err != nil {
		t.Fatal(err)
	}
	wantBindings(t, td.next(t, ".1.3.6.1.4.1.32473.1.2.0.2"), map[string]string{
		".1.3.6.1.4.1.32473.1.7.1.1.3.64001.2": `STRING: "eth3"`,
		".1.3.6.1.4.1.32473.1.7.1.1.4.64001.2": "INTEGER: 3",
		".1.3.6.1.4.1.32473.1.7.1.1.5.64001.2": "Gauge32: 31",
	})
	up := Fibre{LinkIfIndex: 64001, Side: 2, Port: "eth3", State: FibreUp}
	if err := a.FibreSilence(ctx, up, false); err != nil {
		t.Fatal(err)
	}
	wantBindings(t, td.next(t, ".1.3.6.1.4.1.32473.1.2.0.3"), map[string]string{
		".1.3.6.1.4.1.32473.1.7.1.1.3.64001.2": `STRING: "eth3"`,
		".1.3.6.1.4.1.32473.1.7.1.1.4.64001.2": "INTEGER: 1",
		".1.3.6.1.4.1.32473.1.7.1.1.5.64001.2": "Gauge32: 0",
	})
}
