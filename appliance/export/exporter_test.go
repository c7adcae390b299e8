package export_test

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

// listenUDP opens a collector socket on loopback.
func listenUDP(t *testing.T, network, addr string) (*net.UDPConn, netip.AddrPort) {
	t.Helper()
	conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// readPacket waits for one datagram.
func readPacket(t *testing.T, conn *net.UDPConn, wait time.Duration) ([]byte, bool) {
	t.Helper()
	buf := make([]byte, 65536)
	conn.SetReadDeadline(time.Now().Add(wait))
	n, _, err := conn.ReadFromUDP(buf)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, false
		}
		t.Fatalf("read: %v", err)
	}
	return buf[:n], true
}

func destination(collector netip.AddrPort, enc export.EncoderConfig) export.DestinationConfig {
	if enc.BootTime.IsZero() {
		enc.BootTime = boot
	}
	return export.DestinationConfig{Collector: collector, Encoder: enc}
}

func closeOnCleanup(t *testing.T, c interface{ Close() error }) {
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
}

// One cache, several collectors, each with its own version and address
// family; each collector gets every record in its own format.
func TestDestinationsDifferentVersions(t *testing.T) {
	c5, a5 := listenUDP(t, "udp4", "127.0.0.1:0")
	c9, a9 := listenUDP(t, "udp4", "127.0.0.1:0")
	cx, ax := listenUDP(t, "udp6", "[::1]:0")
	d, err := export.NewDestinations([]export.DestinationConfig{
		destination(a5, export.EncoderConfig{Version: export.V5}),
		destination(a9, export.EncoderConfig{Version: export.V9, ObservationDomain: 1}),
		destination(ax, export.EncoderConfig{Version: export.IPFIX, ObservationDomain: 2}),
	})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, d)
	r4, r6 := tcpRecord(), v6Record()
	for range 45 {
		d.Export(&r4)
	}
	d.Export(&r6)
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}

	// v5: a full packet of 30 and one of 15; the IPv6 record is not exportable.
	var v5Counts []uint16
	for range 2 {
		p, ok := readPacket(t, c5, 2*time.Second)
		if !ok {
			t.Fatal("v5 collector: timed out")
		}
		if v := binary.BigEndian.Uint16(p); v != 5 {
			t.Fatalf("v5 collector got version %d", v)
		}
		v5Counts = append(v5Counts, binary.BigEndian.Uint16(p[2:]))
	}
	if v5Counts[0] != 30 || v5Counts[1] != 15 {
		t.Errorf("v5 counts %v, want [30 15]", v5Counts)
	}
	for _, c := range []struct {
		conn    *net.UDPConn
		version uint16
	}{{c9, 9}, {cx, 10}} {
		p, ok := readPacket(t, c.conn, 2*time.Second)
		if !ok {
			t.Fatalf("version %d collector: timed out", c.version)
		}
		if v := binary.BigEndian.Uint16(p); v != c.version {
			t.Errorf("collector for version %d got version %d", c.version, v)
		}
	}
	// The collectors may see a packet before the sender has counted it.
	waitFor(t, func() bool {
		st := d.Stats()
		return st[0].Records == 45 && st[1].Records == 46 && st[2].Records == 46
	})
	st := d.Stats()
	if st[0].Version != export.V5 || st[0].Packets != 2 || st[0].Records != 45 || st[0].NotExportable != 1 || st[0].Bytes != 24*2+45*48 {
		t.Errorf("v5 stats %+v, want 2 packets, 45 records, %d bytes, 1 not exportable", st[0], 24*2+45*48)
	}
	for _, s := range st[1:] {
		if s.Records != 46 || s.NotExportable != 0 || s.LastTemplate.IsZero() || s.Errors != 0 || s.Dropped != 0 {
			t.Errorf("%s stats %+v, want 46 records, a template time, no errors", s.Version, s)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A collector that is not there: sends fail with ECONNREFUSED and are
// counted, Export never blocks, and memory stays flat however much is sent.
func TestDeadCollector(t *testing.T) {
	c, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	c.Close() // nothing listens on addr any more
	e, err := export.NewExporter(export.DestinationConfig{
		Collector: addr,
		QueueLen:  4,
		Encoder:   export.EncoderConfig{Version: export.V5, BootTime: boot},
	})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	r := tcpRecord()
	send := func(n int) time.Duration {
		var worst time.Duration
		for range n {
			t0 := time.Now()
			e.Export(&r)
			if d := time.Since(t0); d > worst {
				worst = d
			}
		}
		return worst
	}
	send(30 * 1000) // warm up: queue slots and socket in steady state
	waitFor(t, func() bool { return e.Stats().Errors > 0 })

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	worst := send(30 * 20000) // 20000 packets
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Not a speed goal: a blocking Export waits out the sender's retries
	// and probes (seconds), so a bound this loose still catches one
	// without failing on a loaded machine (103 ms was seen at load 9).
	if worst > time.Second {
		t.Errorf("an Export call took %v with a dead collector: Export blocks on the sender", worst)
	}
	if grow := int64(after.HeapAlloc) - int64(before.HeapAlloc); grow > 1<<20 {
		t.Errorf("heap grew by %d bytes while sending 20000 packets to a dead collector", grow)
	}
	e.Flush()
	waitFor(t, func() bool {
		s := e.Stats()
		return s.Packets+s.Errors+s.Dropped == 21000
	})
	s := e.Stats()
	if s.Errors == 0 || !errors.Is(s.LastError, syscall.ECONNREFUSED) {
		t.Errorf("stats %+v: want errors counted with ECONNREFUSED", s)
	}
	if s.Records+s.ErrorRecords+s.DroppedRecords != 21000*30 {
		t.Errorf("records sent %d + failed %d + dropped %d != %d exported", s.Records, s.ErrorRecords, s.DroppedRecords, 21000*30)
	}
	t.Logf("dead collector: %d sent, %d errors, %d dropped", s.Packets, s.Errors, s.Dropped)
}

func TestMulticastTTL(t *testing.T) {
	e, err := export.NewExporter(export.DestinationConfig{
		Collector: netip.MustParseAddrPort("239.255.42.1:2055"),
		Source:    netip.MustParseAddrPort("127.0.0.1:0"), // sends out of lo
		TTL:       7,
		Encoder:   export.EncoderConfig{Version: export.V9, BootTime: boot},
	})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	ttl, err := export.SocketTTL(e)
	if err != nil {
		t.Fatal(err)
	}
	if ttl != 7 {
		t.Errorf("IP_MULTICAST_TTL = %d, want 7", ttl)
	}
}

func TestUnicastTTLAndSource(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	e, err := export.NewExporter(export.DestinationConfig{
		Collector: addr,
		Source:    netip.MustParseAddrPort("127.0.0.2:0"),
		TTL:       33,
		Encoder:   export.EncoderConfig{Version: export.V5, BootTime: boot},
	})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	if ttl, err := export.SocketTTL(e); err != nil || ttl != 33 {
		t.Errorf("IP_TTL = %d (%v), want 33", ttl, err)
	}
	r := tcpRecord()
	e.Export(&r)
	e.Flush()
	buf := make([]byte, 2048)
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, from, err := conn.ReadFromUDP(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := from.AddrPort().Addr(); got != netip.MustParseAddr("127.0.0.2") {
		t.Errorf("packet came from %s, want the configured source 127.0.0.2", got)
	}
}

// IOS sends a partial packet once it is 10 s old; the exporter checks the
// age on its own, against the injected clock.
func TestPartialPacketFlushedWhenOld(t *testing.T) {
	for _, v := range []export.Version{export.V5, export.V9} {
		conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
		clk := newFakeClock(now)
		e, err := export.NewExporter(export.DestinationConfig{
			Collector:  addr,
			FlushCheck: 5 * time.Millisecond,
			Encoder:    export.EncoderConfig{Version: v, BootTime: boot, Clock: clk},
		})
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, e)
		r := tcpRecord()
		e.Export(&r)
		clk.Advance(9 * time.Second)
		if _, ok := readPacket(t, conn, 100*time.Millisecond); ok {
			t.Fatalf("v%s: partial packet sent after 9 s", v)
		}
		clk.Advance(time.Second)
		p, ok := readPacket(t, conn, 2*time.Second)
		if !ok {
			t.Fatalf("v%s: partial packet not sent after 10 s", v)
		}
		if ver := binary.BigEndian.Uint16(p); ver != uint16(v) {
			t.Errorf("got version %d, want %s", ver, v)
		}
		// On demand, without waiting.
		e.Export(&r)
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		if _, ok := readPacket(t, conn, 2*time.Second); !ok {
			t.Fatalf("v%s: Flush did not send the partial packet", v)
		}
	}
}

func TestExporterRejectsBadConfig(t *testing.T) {
	bad := []export.DestinationConfig{
		{Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}},
		{Collector: netip.MustParseAddrPort("127.0.0.1:2055"), Encoder: export.EncoderConfig{Version: 6, BootTime: boot}},
		{Collector: netip.MustParseAddrPort("127.0.0.1:2055"), Encoder: export.EncoderConfig{Version: export.V5}},
		{Collector: netip.MustParseAddrPort("127.0.0.1:2055"), TTL: 300, Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}},
	}
	for _, c := range bad {
		if e, err := export.NewExporter(c); err == nil {
			e.Close()
			t.Errorf("NewExporter(%+v) succeeded", c)
		}
	}
}

// TestUnroutableCollector: a collector with no route is not a
// configuration error: the exporter is made, every packet counts as a send
// error, and nothing blocks.
func TestUnroutableCollector(t *testing.T) {
	e, err := export.NewExporter(export.DestinationConfig{
		// 192.0.2.1 from a source address this host does not have.
		Collector: netip.MustParseAddrPort("192.0.2.1:2055"), Source: netip.MustParseAddrPort("198.51.100.77:0"),
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: time.Now()},
	})
	if err != nil {
		t.Fatalf("an unroutable collector refused the exporter: %v", err)
	}
	r := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("10.0.0.2"), Proto: 17},
		Packets: 1, Bytes: 40, Start: time.Now(), End: time.Now()}
	e.Export(&r)
	e.Flush()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); st.Errors != 1 || st.Packets != 0 {
		t.Fatalf("stats %+v: want the packet counted as a send error", st)
	}
}

// TestUndialableCollectorCounted: a collector the socket cannot even be
// connected to (a link-local IPv6 address without its link: EINVAL) is
// made all the same, and every record sent to it is counted as lost with
// the reason, as for a collector without a route.
func TestUndialableCollectorCounted(t *testing.T) {
	e, err := export.NewExporter(export.DestinationConfig{Collector: netip.MustParseAddrPort("[fe80::1]:2055"),
		Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatalf("a link-local collector refused the exporter: %v", err)
	}
	r := tcpRecord()
	for range 100 {
		e.Export(&r)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); st.Records != 0 || st.LostRecords != 100 || !errors.Is(st.LastError, syscall.EINVAL) {
		t.Fatalf("stats %+v: want 100 records lost to EINVAL", st)
	}
}
