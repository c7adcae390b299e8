package export_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// link is a veth pair whose far end lives in a network namespace of its
// own: a LAN with one host on it, the collector.
type link struct {
	t      *testing.T
	ns     string
	near   string // in this namespace, addressed
	far    string // in ns
	prefix netip.Prefix
}

func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

// newLink makes the veth pair name0 (addressed .1 in p) / name1 (in
// namespace name, no address yet: nobody answers ARP on the LAN).
func newLink(t *testing.T, name string, p netip.Prefix) *link {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("needs root: makes a veth pair and a network namespace")
	}
	l := &link{t: t, ns: name, near: name + "0", far: name + "1", prefix: p}
	testproc.Run(exec.Command("ip", "link", "del", l.near))
	testproc.Run(exec.Command("ip", "netns", "del", l.ns))
	ipCmd(t, "netns", "add", l.ns)
	t.Cleanup(func() {
		testproc.Run(exec.Command("ip", "link", "del", l.near))
		testproc.Run(exec.Command("ip", "netns", "del", l.ns))
	})
	ipCmd(t, "link", "add", l.near, "type", "veth", "peer", "name", l.far, "netns", l.ns)
	ipCmd(t, "addr", "add", l.host(1).String()+fmt.Sprintf("/%d", p.Bits()), "dev", l.near)
	ipCmd(t, "link", "set", l.near, "up")
	ipCmd(t, "-n", l.ns, "link", "set", l.far, "up")
	ipCmd(t, "-n", l.ns, "link", "set", "lo", "up")
	return l
}

func (l *link) host(n byte) netip.Addr {
	a := l.prefix.Addr().As4()
	a[3] = n
	return netip.AddrFrom4(a)
}

// listen gives the far end address a and opens a UDP socket on it there.
func (l *link) listen(a netip.AddrPort) *net.UDPConn {
	l.t.Helper()
	ipCmd(l.t, "-n", l.ns, "addr", "add", a.Addr().String()+fmt.Sprintf("/%d", l.prefix.Bits()), "dev", l.far)
	return l.listenOnly(a)
}

// listenOnly opens a UDP socket on a, an address the far end has, there.
func (l *link) listenOnly(a netip.AddrPort) *net.UDPConn {
	l.t.Helper()
	conn, err := testnet.ListenUDPIn(l.ns, a)
	if err != nil {
		l.t.Fatalf("listen on %s in %s: %v", a, l.ns, err)
	}
	return conn
}

// TestUnresolvedNextHopCountedExactly: a collector on a LAN whose address
// nobody answers ARP for (the host is off, or unplugged). The kernel holds
// the packets in its neighbour queue, drops what overflows it without a
// word, and answers the rest with a host unreachable of its own only
// after three seconds; the exporter used to count every packet as
// exported 250 ms after sending it, so a dead LAN collector showed
// thousands of flows exported and none lost. Each record must be counted
// as lost until the host answers, and export must resume by itself once
// it does, with the collector's count equal to the exporter's.
func TestUnresolvedNextHopCountedExactly(t *testing.T) {
	l := newLink(t, "qaexpn", netip.MustParsePrefix("10.201.7.0/24"))
	collector := netip.AddrPortFrom(l.host(2), 2055)
	e, err := export.NewExporter(export.DestinationConfig{Collector: collector,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord() // 10 packets
	var offered uint64
	send := func(n int) {
		for range n {
			e.Export(&r)
			offered++
		}
		e.Flush()
	}
	// Four seconds of a steady trickle: 10 packets every 100 ms.
	for range 40 {
		send(300)
		time.Sleep(100 * time.Millisecond)
	}
	waitFor(t, func() bool { return e.Stats().Unreachable })
	if s := e.Stats(); s.Records != 0 || s.Packets != 0 {
		t.Errorf("nobody answers ARP for %s, yet %d records in %d packets count as exported (%d lost)",
			collector.Addr(), s.Records, s.Packets, s.LostRecords)
	}
	if s := e.Stats(); !errors.Is(s.LastError, syscall.EHOSTUNREACH) || s.Adjacency != s.Errors {
		t.Errorf("last error %v, want host unreachable; %d of %d lost packets counted as lost to ARP (adjacency issues), want all",
			s.LastError, s.Adjacency, s.Errors)
	}

	back := readV5(l.listen(collector))
	deadline := time.Now().Add(20 * time.Second)
	for e.Stats().Unreachable {
		if time.Now().After(deadline) {
			t.Fatalf("the collector answers ARP again, but the exporter still considers it unreachable: %+v", e.Stats())
		}
		send(30)
		time.Sleep(50 * time.Millisecond)
	}
	send(3000)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the last packets cross the veth
	got, gotPackets := back.stop()
	s := e.Stats()
	t.Logf("offered %d records; collector got %d; stats %+v", offered, got, s)
	if s.Records != got || got == 0 {
		t.Errorf("%d records counted as exported, the collector got %d", s.Records, got)
	}
	if s.LostRecords != offered-got || s.LostPackets != 10*s.LostRecords || gotPackets != 10*got {
		t.Errorf("%d records (%d packets) counted as lost; %d offered, %d received", s.LostRecords, s.LostPackets, offered, got)
	}
}

// TestSlowLinkBurstNotLost: an expiry burst to a collector behind a link
// slower than the exporter's pace (here 5 Mbit/s with a 30 KB queue). The
// device's queue fills and the kernel refuses sends with ENOBUFS; that is
// this host's congestion, not a dead collector, and the exporter used to
// take it for one: it discarded every packet until a probe got through,
// nearly the whole burst. It must wait for the link instead, as for a full
// export queue, and the collector must get every record.
func TestSlowLinkBurstNotLost(t *testing.T) {
	l := newLink(t, "qaexps", netip.MustParsePrefix("10.201.8.0/24"))
	collector := netip.AddrPortFrom(l.host(2), 2055)
	got := readV5(l.listen(collector))
	if out, err := testproc.CombinedOutput(exec.Command("tc", "qdisc", "add", "dev", l.near, "root", "tbf", "rate", "5mbit", "burst", "10kb", "limit", "30kb")); err != nil {
		t.Fatalf("tc: %v: %s", err, out)
	}
	e, err := export.NewExporter(export.DestinationConfig{Collector: collector,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord()
	const offered = 30 * 1000 // 1000 full packets, 11.7 Mbit: over 2 s on the link
	for range offered {
		e.Export(&r)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the last packets leave the queue
	n, _ := got.stop()
	s := e.Stats()
	if n != offered || s.Records != offered || s.LostRecords != 0 {
		t.Errorf("burst of %d records: collector got %d, %d counted as exported, %d lost (last error %v)",
			offered, n, s.Records, s.LostRecords, s.LastError)
	}
}

// routedLink puts a router (namespace name+"r") between this host and a
// collector's LAN (namespace name+"c") whose MTU is mtu, for IPv4 and
// IPv6; it returns the collector's addresses and a function that listens
// on one of them.
func routedLink(t *testing.T, name string, mtu int) (c4, c6 netip.Addr, listen func(netip.AddrPort) *net.UDPConn) {
	up := newLink(t, name+"r", netip.MustParsePrefix("10.201.12.0/24"))
	down := newLink(t, name+"c", netip.MustParsePrefix("10.201.13.0/24"))
	r, c := up.ns, down.ns
	ipCmd(t, "link", "set", down.near, "netns", r)
	ipCmd(t, "addr", "add", "2001:db8:12::1/64", "dev", up.near, "nodad")
	ipCmd(t, "-n", r, "addr", "add", "10.201.12.2/24", "dev", up.far)
	ipCmd(t, "-n", r, "addr", "add", "2001:db8:12::2/64", "dev", up.far, "nodad")
	ipCmd(t, "-n", r, "addr", "add", "10.201.13.1/24", "dev", down.near)
	ipCmd(t, "-n", r, "addr", "add", "2001:db8:13::1/64", "dev", down.near, "nodad")
	ipCmd(t, "-n", r, "link", "set", down.near, "mtu", fmt.Sprint(mtu), "up")
	ipCmd(t, "-n", c, "link", "set", down.far, "mtu", fmt.Sprint(mtu))
	for _, k := range []string{"net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", "netns", "exec", r, "sysctl", "-qw", k)); err != nil {
			t.Fatalf("sysctl %s: %v: %s", k, err, out)
		}
	}
	ipCmd(t, "route", "add", "10.201.13.0/24", "via", "10.201.12.2")
	ipCmd(t, "-6", "route", "add", "2001:db8:13::/64", "via", "2001:db8:12::2")
	c4, c6 = down.host(2), netip.MustParseAddr("2001:db8:13::2")
	ipCmd(t, "-n", c, "addr", "add", c6.String()+"/64", "dev", down.far, "nodad")
	// down.listen adds the IPv4 address; the routes back go by the router.
	return c4, c6, func(a netip.AddrPort) *net.UDPConn {
		var conn *net.UDPConn
		if a.Addr().Is4() {
			conn = down.listen(a)
			ipCmd(t, "-n", c, "route", "add", "default", "via", "10.201.13.1")
		} else {
			conn = down.listenOnly(a)
			ipCmd(t, "-n", c, "-6", "route", "add", "default", "via", "2001:db8:13::1")
		}
		// Until IPv6 duplicate address detection ends on the LAN the
		// router's neighbour discovery goes unanswered and it drops
		// what it forwards, unknown to any exporter: wait for a
		// datagram to get through first.
		probe, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(a))
		if err != nil {
			t.Fatal(err)
		}
		defer probe.Close()
		deadline := time.Now().Add(10 * time.Second)
		for b := make([]byte, 16); ; {
			probe.Write([]byte("hello"))
			conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := conn.Read(b); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s gets nothing", a)
			}
		}
		conn.SetReadDeadline(time.Time{})
		return conn
	}
}

// TestSmallerMTUOnThePath: a router on the way to a live collector has a
// 1280-byte link, smaller than the export packets. Over IPv4 the kernel
// set DF, the router dropped each packet with "fragmentation needed" and
// the exporter took that for a dead collector: it discarded everything
// until the next probe, 43% of the records in a 3 s run. Without DF the
// router fragments and the collector gets every record. IPv6 routers do
// not fragment: the packet the router refused is lost and counted, the
// kernel fragments the next ones, and the collector is not taken for
// unreachable.
func TestSmallerMTUOnThePath(t *testing.T) {
	for _, fam := range []string{"ipv4", "ipv6"} {
		t.Run(fam, func(t *testing.T) {
			c4, c6, listen := routedLink(t, "qaexm", 1280)
			collector := netip.AddrPortFrom(c4, 2055)
			if fam == "ipv6" {
				collector = netip.AddrPortFrom(c6, 2055)
			}
			got := readV5(listen(collector))
			e, err := export.NewExporter(export.DestinationConfig{Collector: collector,
				Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
			if err != nil {
				t.Fatal(err)
			}
			r := tcpRecord()
			var offered, wentDown uint64
			for range 20 {
				for range 300 {
					e.Export(&r)
					offered++
				}
				e.Flush()
				time.Sleep(100 * time.Millisecond)
				if e.Stats().Unreachable {
					wentDown++
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			n, _ := got.stop()
			s := e.Stats()
			t.Logf("offered %d, collector got %d, stats %+v", offered, n, s)
			if s.Records != n || s.LostRecords != offered-n {
				t.Errorf("collector got %d of %d records; %d counted as exported, %d as lost", n, offered, s.Records, s.LostRecords)
			}
			maxLost := uint64(0)
			if fam == "ipv6" {
				maxLost = 30 // the one packet the router refused
			}
			if s.TooBig != s.Errors {
				t.Errorf("%d of %d lost packets counted as fragmentation failures, want all", s.TooBig, s.Errors)
			}
			if s.LostRecords > maxLost || wentDown > 0 {
				t.Errorf("%d records lost (want at most %d); collector taken for unreachable at %d of 20 looks (last error %v)",
					s.LostRecords, maxLost, wentDown, s.LastError)
			}
		})
	}
}

// TestNoRouteCounted: a collector the routing table has no route to
// (here an unreachable route) loses its packets "due to no fib", as IOS
// words it, not to generic send errors.
func TestNoRouteCounted(t *testing.T) {
	testproc.Run(exec.Command("ip", "route", "del", "unreachable", "198.18.77.0/24"))
	ipCmd(t, "route", "add", "unreachable", "198.18.77.0/24")
	t.Cleanup(func() { testproc.Run(exec.Command("ip", "route", "del", "unreachable", "198.18.77.0/24")) })
	e, err := export.NewExporter(export.DestinationConfig{Collector: netip.MustParseAddrPort("198.18.77.1:2055"),
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord()
	for range 3000 {
		e.Export(&r)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if s := e.Stats(); s.Errors != 100 || s.NoRoute != 100 || s.LostRecords != 3000 {
		t.Errorf("stats %+v: want 100 packets, 3000 records lost for want of a route", s)
	}
}

// TestPacketsFitTheLinkMTU: export packets are no larger than the MTU of
// the route to the collector, so they leave unfragmented (30 v5 records
// are 1464 B, a v9 or IPFIX packet up to 1400 B: a 1280-byte link, the
// IPv6 minimum, fragmented them all); on a jumbo link they are as large
// as ever. Every record still arrives.
func TestPacketsFitTheLinkMTU(t *testing.T) {
	for _, mtu := range []int{1280, 9000} {
		l := newLink(t, fmt.Sprintf("qaexu%d", mtu/1000), netip.MustParsePrefix(fmt.Sprintf("10.201.%d.0/24", 20+mtu/1000)))
		for _, dev := range []string{"-n " + l.ns + " link set " + l.far, "link set " + l.near} {
			ipCmd(t, append(strings.Fields(dev), "mtu", fmt.Sprint(mtu))...)
		}
		v6 := netip.MustParseAddr(fmt.Sprintf("2001:db8:%d::2", 20+mtu/1000))
		ipCmd(t, "addr", "add", fmt.Sprintf("2001:db8:%d::1/64", 20+mtu/1000), "dev", l.near, "nodad")
		ipCmd(t, "-n", l.ns, "addr", "add", v6.String()+"/64", "dev", l.far, "nodad")
		ipCmd(t, "-n", l.ns, "addr", "add", l.host(2).String()+"/24", "dev", l.far)
		for _, addr := range []netip.Addr{l.host(2), v6} {
			for _, v := range []export.Version{export.V5, export.V9, export.IPFIX} {
				name := fmt.Sprintf("mtu%d/%s/v%d", mtu, map[bool]string{true: "ipv4", false: "ipv6"}[addr.Is4()], v)
				t.Run(name, func(t *testing.T) {
					collector := netip.AddrPortFrom(addr, 2055+uint16(v))
					conn := l.listenOnly(collector)
					defer conn.Close()
					var largest, n int
					done := make(chan struct{})
					go func() { // read as they come: a burst overflows the socket buffer
						defer close(done)
						b := make([]byte, 65536)
						for {
							k, err := conn.Read(b)
							if err != nil {
								return
							}
							largest, n = max(largest, k), n+1
						}
					}()
					e, err := export.NewExporter(export.DestinationConfig{Collector: collector,
						Encoder: export.EncoderConfig{Version: v, BootTime: boot}})
					if err != nil {
						t.Fatal(err)
					}
					r := tcpRecord()
					for range 3000 {
						e.Export(&r)
					}
					if err := e.Close(); err != nil {
						t.Fatal(err)
					}
					hdr := map[bool]int{true: 28, false: 48}[addr.Is4()]
					time.Sleep(100 * time.Millisecond)
					conn.Close()
					<-done
					s := e.Stats()
					if s.Records != 3000 || s.LostRecords != 0 || uint64(n) != s.Packets {
						t.Errorf("collector got %d datagrams; stats %+v", n, s)
					}
					if largest+hdr > mtu {
						t.Errorf("largest export packet %d B + %d B of headers over a %d-byte MTU", largest, hdr, mtu)
					}
					if mtu == 9000 && largest+hdr <= 1280 {
						t.Errorf("largest export packet %d B on a jumbo link: cut down as for a small MTU", largest)
					}
					t.Logf("%d datagrams, largest %d B", n, largest)
				})
			}
		}
	}
}

// TestUnresolvedNextHopDoesNotStallClose: while nobody answers neighbour
// discovery for an IPv6 collector, a probe takes seconds to fail. Packets
// queued behind it used to wait for its verdict and then each become the
// next probe, so the queue drained at a packet every few seconds: closing
// the exporter (a reconfiguration, a stop) took two minutes after 6 s of
// export. They are discarded, counted, instead; Close waits for the last
// probe at most.
func TestUnresolvedNextHopDoesNotStallClose(t *testing.T) {
	l := newLink(t, "qaexd", netip.MustParsePrefix("10.201.41.0/24"))
	ipCmd(t, "addr", "add", "2001:db8:41::1/64", "dev", l.near, "nodad")
	e, err := export.NewExporter(export.DestinationConfig{Collector: netip.MustParseAddrPort("[2001:db8:41::2]:2055"),
		Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord()
	for range 60 {
		for range 30 {
			e.Export(&r)
		}
		e.Flush()
		time.Sleep(100 * time.Millisecond)
	}
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// A liveness bound, not a speed goal: the last probe's wait for its
	// next hop (ResolveWithin) with room to spare; the stall was minutes.
	if took := time.Since(start); took > 3*export.ResolveWithin {
		t.Errorf("Close took %v", took)
	}
	if s := e.Stats(); s.Records != 0 || s.LostRecords != 1800 || s.Adjacency == 0 {
		t.Errorf("stats %+v: want all 1800 records lost, to adjacency", s)
	}
}

// TestLateDialFollowsTheLinkMTU: an exporter made while its collector
// had no route (a link not up yet at boot, a route learnt later) dials
// again as it probes. Once it reaches the collector, its packets must
// fit the route's MTU as an exporter that could dial at once makes them;
// they stayed full-size (30 v5 records, 1400-byte v9 packets) and left
// in fragments over a 1280-byte link for as long as the exporter lived.
func TestLateDialFollowsTheLinkMTU(t *testing.T) {
	const mtu = 1280
	l := newLink(t, "qaexl", netip.MustParsePrefix("10.201.61.0/24"))
	for _, dev := range []string{"-n " + l.ns + " link set " + l.far, "link set " + l.near} {
		ipCmd(t, append(strings.Fields(dev), "mtu", fmt.Sprint(mtu))...)
	}
	// The collector's address is in a prefix this host has no route to
	// until the test adds one.
	far := netip.MustParseAddr("10.201.62.2")
	ipCmd(t, "-n", l.ns, "addr", "add", far.String()+"/24", "dev", l.far)
	ipCmd(t, "-n", l.ns, "route", "add", "10.201.61.0/24", "dev", l.far)
	for _, v := range []export.Version{export.V5, export.V9} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			// An unreachable route: a host with a default route would
			// otherwise send the packets there.
			testproc.Run(exec.Command("ip", "route", "del", "10.201.62.0/24"))
			ipCmd(t, "route", "add", "unreachable", "10.201.62.0/24")
			t.Cleanup(func() { testproc.Run(exec.Command("ip", "route", "del", "10.201.62.0/24")) })
			collector := netip.AddrPortFrom(far, 2055+uint16(v))
			conn := l.listenOnly(collector)
			defer conn.Close()
			var largest, n int
			done := make(chan struct{})
			go func() {
				defer close(done)
				b := make([]byte, 65536)
				for {
					k, err := conn.Read(b)
					if err != nil {
						return
					}
					largest, n = max(largest, k), n+1
				}
			}()
			e, err := export.NewExporter(export.DestinationConfig{Collector: collector,
				Encoder: export.EncoderConfig{Version: v, BootTime: boot}})
			if err != nil {
				t.Fatal(err)
			}
			r := tcpRecord()
			for range 300 {
				e.Export(&r)
			}
			e.Flush()
			waitFor(t, func() bool { return e.Stats().NoRoute > 0 })
			ipCmd(t, "route", "replace", "10.201.62.0/24", "dev", l.near)
			deadline := time.Now().Add(20 * time.Second)
			for e.Stats().Unreachable || e.Stats().Packets == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("collector still unreachable after the route came: %+v", e.Stats())
				}
				for range 30 {
					e.Export(&r)
				}
				e.Flush()
				time.Sleep(50 * time.Millisecond)
			}
			// The probe that got through was built before the route was
			// known; every packet from now on must fit.
			time.Sleep(2 * export.ConfirmAfter)
			conn.SetReadDeadline(time.Now())
			<-done
			conn.SetReadDeadline(time.Time{})
			largest, n = 0, 0
			done = make(chan struct{})
			go func() {
				defer close(done)
				b := make([]byte, 65536)
				for {
					k, err := conn.Read(b)
					if err != nil {
						return
					}
					largest, n = max(largest, k), n+1
				}
			}()
			before := e.Stats()
			for range 3000 {
				e.Export(&r)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			conn.Close()
			<-done
			s := e.Stats()
			if s.Records-before.Records != 3000 || s.LostRecords != before.LostRecords || uint64(n) != s.Packets-before.Packets {
				t.Errorf("collector got %d datagrams; before %+v; after %+v", n, before, s)
			}
			if largest+28 > mtu {
				t.Errorf("largest export packet %d B + 28 B of headers over a %d-byte MTU", largest, mtu)
			}
			t.Logf("%d datagrams, largest %d B", n, largest)
		})
	}
}

// TestLinkLocalCollectorZone: a link-local collector is on whichever
// link its zone names (fe80::2%link). Two links here have a host with
// the same link-local address; the exporter must send through the link
// its zone names, and only there, every record arriving.
func TestLinkLocalCollectorZone(t *testing.T) {
	a := newLink(t, "qaexza", netip.MustParsePrefix("10.201.71.0/24"))
	b := newLink(t, "qaexzb", netip.MustParsePrefix("10.201.72.0/24"))
	far := netip.MustParseAddr("fe80::2")
	for _, l := range []*link{a, b} {
		ipCmd(t, "-n", l.ns, "addr", "add", far.String()+"/64", "dev", l.far, "nodad")
		ipCmd(t, "addr", "add", "fe80::1/64", "dev", l.near, "nodad")
	}
	// listen counts the v5 records a listener on l's far end gets; stop
	// closes it and returns the count.
	listen := func(l *link) (stop func() int) {
		conn := l.listenOnly(netip.AddrPortFrom(far.WithZone(l.far), 2055))
		n, done := 0, make(chan struct{})
		go func() {
			defer close(done)
			b := make([]byte, 65536)
			for {
				k, err := conn.Read(b)
				if err != nil {
					return
				}
				if k >= 24 {
					n += int(binary.BigEndian.Uint16(b[2:]))
				}
			}
		}()
		return func() int { conn.Close(); <-done; return n }
	}
	stopA, stopB := listen(a), listen(b)
	e, err := export.NewExporter(export.DestinationConfig{Collector: netip.AddrPortFrom(far.WithZone(b.near), 2055),
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord()
	for range 3000 {
		e.Export(&r)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	na, nb := stopA(), stopB()
	if s := e.Stats(); s.Records != 3000 || nb != 3000 || na != 0 {
		t.Errorf("%s got %d records, %s got %d; stats %+v", b.near, nb, a.near, na, s)
	}
}
