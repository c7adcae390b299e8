package snmp

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestInformReceiverBackWithinRetries: an inform sent while snmptrapd is
// down (its port closed: the kernel answers ICMP port unreachable, a
// refusal the socket reports at once) reaches it when it comes back
// before the retries run out, v2c and v3 alike: each try waits out its
// timeout. Before, the refusals ended every try at once, so all the
// retries went out within a millisecond and the inform was given up
// while snmptrapd was still starting.
func TestInformReceiverBackWithinRetries(t *testing.T) {
	u := User{Name: "ftinform", Auth: AuthSHA, AuthPassword: authPass, Priv: PrivAES, PrivPassword: privPass}
	for _, c := range []struct {
		name string
		rcv  Receiver
		conf string
	}{
		{"v2c", Receiver{Community: "public", Inform: true}, ""},
		{"v3", Receiver{User: &u}, fmt.Sprintf("createUser %s SHA %s AES %s\n", u.Name, authPass, privPass)},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(freeUDPPort(t)))
			cfg := testConfig(newFakeBackend())
			r := c.rcv
			r.Addr, r.Timeout, r.Retries = addr, time.Second, 8
			cfg.Receivers = []Receiver{r}
			a, _, _ := startAgent(t, cfg)
			sent := a.ctr.get(cOutPkts)
			done := make(chan error, 1)
			go func() { done <- a.ColdStart(context.Background()) }()
			// The first try is out (and refused) before snmptrapd starts.
			for a.ctr.get(cOutPkts) == sent {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond)
			td := startTrapdAt(t, c.conf, addr)
			if err := <-done; err != nil {
				t.Fatalf("inform while snmptrapd was down, then up: %v", err)
			}
			td.next(t, ".1.3.6.1.6.3.1.1.5.1")
		})
	}
}

// TestNotifyStatsCountSentAndDropped: show snmp's "Logging to" counts per
// receiver: a trap written is sent; an inform nobody acknowledges is
// dropped once its retries run out, and one acknowledged is sent.
func TestNotifyStatsCountSentAndDropped(t *testing.T) {
	td := startTrapd(t, "")
	down := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(freeUDPPort(t)))
	cfg := testConfig(newFakeBackend())
	cfg.Receivers = []Receiver{
		{Addr: td.addr, Community: "public"},
		{Addr: down, Community: "public", Inform: true, Timeout: 50 * time.Millisecond, Retries: 1},
	}
	a, _, _ := startAgent(t, cfg)
	_ = a.ColdStart(context.Background())
	td.next(t, ".1.3.6.1.6.3.1.1.5.1")
	got := a.NotifyStats()
	want := []NotifyStat{{Addr: td.addr, Sent: 1}, {Addr: down, Dropped: 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("NotifyStats %v, want %v", got, want)
	}
}
