package snmp

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time       { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) add(d time.Duration)  { c.ns.Add(int64(d)) }
func newFakeClock(t time.Time) *fakeClock { c := &fakeClock{}; c.ns.Store(t.UnixNano()); return c }

// udpFrom is a socket bound to a loopback address, to play one manager.
func udpFrom(t *testing.T, src, agent string) *net.UDPConn {
	t.Helper()
	c, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(src+":0")), net.UDPAddrFromAddrPort(netip.MustParseAddrPort(agent)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ask sends a request and waits up to wait for the answer; nil is none.
func ask(t *testing.T, c *net.UDPConn, req []byte, wait time.Duration) []byte {
	t.Helper()
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 65536)
	n, err := c.Read(buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

// TestBadCommunitiesLimited: a source guessing communities is counted in
// snmpInBadCommunityNames and, past FailureBurst guesses, ignored
// altogether (its valid requests too) until its failures age out, while
// another manager is answered throughout. Each counted failure sends
// authenticationFailure to snmptrapd, at most authTrapBurst at once.
func TestBadCommunitiesLimited(t *testing.T) {
	td := startTrapd(t, "")
	clock := newFakeClock(time.Now())
	cfg := testConfig(newFakeBackend())
	cfg.Listen = cfg.Listen[:1]
	cfg.Now = clock.now
	cfg.AuthenTraps = true
	cfg.Receivers = []Receiver{{Addr: td.addr, Community: "public"}}
	a, v4, _ := startAgent(t, cfg)
	guesser, nms := udpFrom(t, "127.0.0.1", v4), udpFrom(t, "127.0.0.2", v4)
	get := getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0")
	valid := communityRequest(t, version2c, roCommunity, get)
	const guesses = 30
	for i := range guesses {
		if _, err := guesser.Write(communityRequest(t, version2c, "guess"+string(rune('a'+i)), get)); err != nil {
			t.Fatal(err)
		}
	}
	// One socket, read in order: once the NMS is answered, every guess
	// before it was handled.
	if decodeResponse(t, ask(t, nms, valid, 5*time.Second)).typ != pduResponse {
		t.Fatal("the NMS got no response during the guessing")
	}
	if got := a.ctr.get(cInBadCommunityNames); got != DefaultFailureBurst {
		t.Errorf("snmpInBadCommunityNames %d, want %d: the guesses past the burst are dropped before they are looked at", got, DefaultFailureBurst)
	}
	if got := a.ctr.get(cRateLimited); got != guesses-DefaultFailureBurst {
		t.Errorf("rate limited %d, want %d", got, guesses-DefaultFailureBurst)
	}
	// The guesser's valid community is ignored while it is quiet...
	if resp := ask(t, guesser, valid, 500*time.Millisecond); resp != nil {
		t.Error("a source past its failure burst was answered")
	}
	// ... and answered once a failure has aged out (1 a second).
	clock.add(1100 * time.Millisecond)
	if resp := ask(t, guesser, valid, 5*time.Second); resp == nil || decodeResponse(t, resp).typ != pduResponse {
		t.Error("the guesser is not answered once its failures aged out")
	}
	for range authTrapBurst {
		td.next(t, ".1.3.6.1.6.3.1.1.5.5")
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.ctr.get(cOutTraps) < authTrapBurst && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got, dropped := a.ctr.get(cOutTraps), a.ctr.get(cAuthenTrapsDropped); got != authTrapBurst || dropped != DefaultFailureBurst-authTrapBurst {
		t.Errorf("authenticationFailure sent %d, left out %d; want %d and %d", got, dropped, authTrapBurst, DefaultFailureBurst-authTrapBurst)
	}
}

// TestGetBulkBounded: a GetBulk asking for 2^31-1 repetitions of many
// columns costs at most maxBulkBindings look-ups, even with a message
// size that would hold more.
func TestGetBulkBounded(t *testing.T) {
	cfg := testConfig(newFakeBackend())
	cfg.MaxMessageSize = 65507
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"1.3.6.1.2.1.11.1", "1.3.6.1.2.1.11.2", "1.3.6.1.2.1.11.3"}
	p := decodeResponse(t, a.handle(communityRequest(t, version2c, roCommunity, getPDU(t, pduGetBulk, 0, 1<<31-1, names...)), testFrom))
	if want := maxBulkBindings / len(names) * len(names); len(p.vbs) != want {
		t.Errorf("GetBulk answered %d bindings, want the cap's %d", len(p.vbs), want)
	}
}

// TestRateLimitSocketsAndSources: one socket gets SocketBurst requests at
// once, another port of the same address its own; an address changing
// ports is held to Burst over all of them; tokens come back at the
// configured rates.
func TestRateLimitSocketsAndSources(t *testing.T) {
	clock := newFakeClock(time.Now())
	l := newLimiter(RateLimit{}, clock.now)
	take := func(from netip.AddrPort, n int) (ok int) {
		for range n {
			if l.allow(from) {
				ok++
			}
		}
		return ok
	}
	a1, a2 := netip.MustParseAddrPort("192.0.2.1:1000"), netip.MustParseAddrPort("192.0.2.1:1001")
	if got := take(a1, DefaultSocketBurst+100); got != DefaultSocketBurst {
		t.Errorf("one socket: %d of %d taken, want the socket burst %d", got, DefaultSocketBurst+100, DefaultSocketBurst)
	}
	if got := take(a2, 10); got != 10 {
		t.Errorf("another port of the same address: %d of 10 taken", got)
	}
	// Port after port: the address's burst is the bound.
	taken := DefaultSocketBurst + 10
	for p := uint16(2000); p < 2000+DefaultBurst/20+10; p++ {
		taken += take(netip.AddrPortFrom(a1.Addr(), p), 20)
	}
	if taken != DefaultBurst {
		t.Errorf("an address over many ports took %d, want its burst %d", taken, DefaultBurst)
	}
	if take(netip.MustParseAddrPort("192.0.2.2:1000"), 1) != 1 {
		t.Error("another address is limited by the first one's flood")
	}
	clock.add(time.Second)
	if got := take(a1, DefaultPerSocket+100); got != DefaultPerSocket {
		t.Errorf("after 1 s the socket took %d, want %d", got, DefaultPerSocket)
	}
}

// TestRateLimitChargesLargeAnswers: an answer costs its socket and its
// address one token per 100 octets past the first, so a socket whose
// GetBulks fill their answers gets about a fourteenth of the requests a
// GetNext walker does, and pays off what it overdrew before it is
// answered again.
func TestRateLimitChargesLargeAnswers(t *testing.T) {
	clock := newFakeClock(time.Now())
	l := newLimiter(RateLimit{}, clock.now)
	bulk, walker := netip.MustParseAddrPort("192.0.2.1:1000"), netip.MustParseAddrPort("192.0.2.1:1001")
	answered := 0
	for range DefaultSocketBurst {
		if l.allow(bulk) {
			answered++
			l.charge(bulk, 1472)
		}
	}
	// Each answer took 1 + 13 tokens of the socket's burst.
	if want := (DefaultSocketBurst + 13) / 14; answered != want {
		t.Errorf("full GetBulk answers from one socket's burst: %d, want %d", answered, want)
	}
	// Small answers cost only the request's token.
	for range 100 {
		if !l.allow(walker) {
			t.Fatal("a GetNext walker on another port was refused")
		}
		l.charge(walker, 60)
	}
	// A second later the bulk socket has earned DefaultPerSocket tokens,
	// less what it overdrew.
	clock.add(time.Second)
	n := 0
	for range 1000 {
		if l.allow(bulk) {
			n++
			l.charge(bulk, 1472)
		}
	}
	if n < DefaultPerSocket/14-1 || n > DefaultPerSocket/14+1 {
		t.Errorf("full GetBulk answers in the next second: %d, want about %d", n, DefaultPerSocket/14)
	}
}
