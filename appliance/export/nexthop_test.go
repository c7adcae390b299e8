package export_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/export"
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
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
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
	exec.Command("ip", "link", "del", l.near).Run()
	exec.Command("ip", "netns", "del", l.ns).Run()
	ipCmd(t, "netns", "add", l.ns)
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", l.near).Run()
		exec.Command("ip", "netns", "del", l.ns).Run()
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
	var conn *net.UDPConn
	err := func() error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(self)
		ns, err := unix.Open("/run/netns/"+l.ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(ns)
		if err := unix.Setns(ns, unix.CLONE_NEWNET); err != nil {
			return err
		}
		conn, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(a))
		if serr := unix.Setns(self, unix.CLONE_NEWNET); serr != nil {
			panic(fmt.Sprintf("back to the test's namespace: %v", serr)) // the thread is unusable
		}
		return err
	}()
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
	if s := e.Stats(); !errors.Is(s.LastError, syscall.EHOSTUNREACH) {
		t.Errorf("last error %v, want host unreachable", s.LastError)
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
	if out, err := exec.Command("tc", "qdisc", "add", "dev", l.near, "root", "tbf", "rate", "5mbit", "burst", "10kb", "limit", "30kb").CombinedOutput(); err != nil {
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
