package snmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testproc"
)

// trapSink is a bare UDP receiver that decodes v2c traps with this
// package's own parser.
type trapSink struct {
	conn net.PacketConn
}

func newTrapSink(t *testing.T) *trapSink {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &trapSink{conn: c}
}

func (s *trapSink) addr() netip.AddrPort { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// await returns the bindings of the next trap whose snmpTrapOID is oid
// and that names ifIndex (0: any).
func (s *trapSink) await(t *testing.T, oid OID, ifIndex uint32) []VarBind {
	t.Helper()
	buf := make([]byte, 65536)
	s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		n, _, err := s.conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("waiting for %s: %v", oid, err)
		}
		v, body, err := peekVersion(buf[:n])
		if err != nil || v != version2c {
			continue
		}
		m, _ := parseCommunityMessage(v, body)
		p, err := parsePDU(m.pdu)
		if err != nil || p.typ != pduTrapV2 || len(p.vbs) < 2 || !p.vbs[1].Value.OID.Equal(oid) {
			continue
		}
		if ifIndex == 0 || (len(p.vbs) > 2 && p.vbs[2].Name.Equal(oidIfEntry.Append(ifIndexColumn, ifIndex))) {
			return p.vbs
		}
	}
}

func ip(t *testing.T, args ...string) error {
	t.Helper()
	out, err := testproc.CombinedOutput(exec.Command("ip", args...))
	if err != nil {
		return fmt.Errorf("ip %v: %v: %s", args, err, out)
	}
	return nil
}

func TestWatchLinks(t *testing.T) {
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("ip not found: install the Debian package \"iproute2\"")
	}
	a0, a1 := fmt.Sprintf("fts%da", os.Getpid()%100000), fmt.Sprintf("fts%db", os.Getpid()%100000)
	sink := newTrapSink(t)
	cfg := testConfig(newFakeBackend())
	cfg.Receivers, cfg.Traps = []Receiver{{Addr: sink.addr(), Community: "public"}}, true
	a, _, _ := startAgent(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.WatchLinks(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	time.Sleep(200 * time.Millisecond) // let the watcher subscribe

	if os.Geteuid() != 0 {
		t.Skip("creating veth links needs root (CI runs as root)")
	}
	if err := ip(t, "link", "add", a0, "type", "veth", "peer", "name", a1); err != nil {
		t.Skipf("no veth links here (kernel feature): %v", err)
	}
	t.Cleanup(func() { ip(t, "link", "del", a0) })
	i0, err := net.InterfaceByName(a0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ip(t, "link", "set", a0, "up"); err != nil {
		t.Fatal(err)
	}
	if err := ip(t, "link", "set", a1, "up"); err != nil {
		t.Fatal(err)
	}
	up := sink.await(t, oidLinkUp, uint32(i0.Index))
	if up[4].Value.Int != operUp {
		t.Errorf("linkUp ifOperStatus %d", up[4].Value.Int)
	}
	if err := ip(t, "link", "set", a0, "down"); err != nil {
		t.Fatal(err)
	}
	down := sink.await(t, oidLinkDown, uint32(i0.Index))
	if down[3].Value.Int != 2 || down[4].Value.Int == operUp {
		t.Errorf("linkDown ifAdminStatus %d ifOperStatus %d, want 2 and not up", down[3].Value.Int, down[4].Value.Int)
	}
}

// cacheFill is a NetflowProvider whose cache fill a test sets.
type cacheFill struct {
	*fakeBackend
	active chan uint32
	last   uint32
}

func (c *cacheFill) CacheStats() (CacheStats, error) {
	select {
	case c.last = <-c.active:
	default:
	}
	return CacheStats{Entries: 1000, Active: c.last}, nil
}

func TestWatchCache(t *testing.T) {
	sink := newTrapSink(t)
	cfg := testConfig(newFakeBackend())
	cfg.Receivers, cfg.Traps = []Receiver{{Addr: sink.addr(), Community: "public"}}, true
	a, _, _ := startAgent(t, cfg)
	p := &cacheFill{fakeBackend: newFakeBackend(), active: make(chan uint32)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.WatchCache(ctx, p, CacheWatch{Interval: 10 * time.Millisecond}) }()
	defer func() { cancel(); <-done }()
	for _, n := range []uint32{500, 950, 960, 700, 905} { // notify at 950 and, re-armed by 700, at 905
		p.active <- n
	}
	for _, want := range []uint64{950, 905} {
		vbs := sink.await(t, oidCacheHighWater, 0)
		if vbs[2].Value.Uint != want || vbs[3].Value.Uint != 1000 {
			t.Errorf("high water bindings %v, want active %d of 1000", vbs[2:], want)
		}
	}
}

// TestClosedAgentWatchesNothing: closing an agent (snmp-server removed,
// or replaced for a new engine ID) ends its watchers, and it sends no
// notification after. The old watchers ran on with the daemon's context:
// after `no snmp-server` and a new agent, each link change reached the
// receiver twice, once with the closed agent's stale sysUpTime, and with
// SNMP switched off the box went on sending traps.
func TestClosedAgentWatchesNothing(t *testing.T) {
	sink := newTrapSink(t)
	cfg := testConfig(newFakeBackend())
	cfg.Receivers, cfg.Traps = []Receiver{{Addr: sink.addr(), Community: "public"}}, true
	a, _, _ := startAgent(t, cfg)
	p := &cacheFill{fakeBackend: newFakeBackend(), active: make(chan uint32)}
	links, cache := make(chan error, 1), make(chan error, 1)
	go func() { links <- a.WatchLinks(context.Background()) }()
	go func() { cache <- a.WatchCache(context.Background(), p, CacheWatch{Interval: 10 * time.Millisecond}) }()
	p.active <- 500 // the cache watcher runs
	a.Close()
	for name, done := range map[string]chan error{"WatchLinks": links, "WatchCache": cache} {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s still runs after the agent closed", name)
		}
	}
	if err := a.Notify(context.Background(), Notification{OID: oidColdStart}); !errors.Is(err, errClosed) {
		t.Errorf("Notify after Close: %v, want %v", err, errClosed)
	}
	sink.conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := sink.conn.ReadFrom(make([]byte, 65536)); err == nil {
		t.Errorf("the closed agent sent a datagram of %d octets", n)
	}
	if n := a.ctr.get(cOutTraps); n != 0 {
		t.Errorf("snmpOutTraps %d after Close, want 0", n)
	}
}

// TestWatchersQuietWithoutTraps: without `snmp-server enable traps` the
// watchers send nothing (the cache crossing its high water is logged
// only); once traps are on, the next crossing is sent. The watchers used
// to send linkUp, linkDown and the high-water notification to every host
// whatever `enable traps` said.
func TestWatchersQuietWithoutTraps(t *testing.T) {
	sink := newTrapSink(t)
	cfg := testConfig(newFakeBackend())
	cfg.Receivers = []Receiver{{Addr: sink.addr(), Community: "public"}}
	a, _, _ := startAgent(t, cfg)
	p := &cacheFill{fakeBackend: newFakeBackend(), active: make(chan uint32)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.WatchCache(ctx, p, CacheWatch{Interval: 10 * time.Millisecond}) }()
	defer func() { cancel(); <-done }()
	for _, n := range []uint32{500, 950, 960, 700} {
		p.active <- n
	}
	sink.conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := sink.conn.ReadFrom(make([]byte, 65536)); err == nil {
		t.Fatalf("traps off, yet a datagram of %d octets went out", n)
	}
	a.SetTraps(true)
	p.active <- 920
	if vbs := sink.await(t, oidCacheHighWater, 0); vbs[2].Value.Uint != 920 {
		t.Errorf("high water after traps went on: %v", vbs[2:])
	}
	if n := outTrapsSettled(a, 1); n != 1 {
		t.Errorf("snmpOutTraps %d, want 1", n)
	}
}

// outTrapsSettled is snmpOutTraps once it reaches want, or after 2 s: a
// watcher raises it when its send returns, which can be just after the
// receiver has the datagram.
func outTrapsSettled(a *Agent, want uint32) uint32 {
	for deadline := time.Now().Add(2 * time.Second); a.ctr.get(cOutTraps) < want && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	return a.ctr.get(cOutTraps)
}
