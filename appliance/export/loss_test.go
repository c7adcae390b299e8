package export_test

import (
	"encoding/binary"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/internal/syncbuf"
)

// v5Reader counts the records and flow packets of the v5 packets a real
// UDP socket receives.
type v5Reader struct {
	conn             *net.UDPConn
	mu               sync.Mutex
	records, packets uint64
	done             chan struct{}
}

func readV5(conn *net.UDPConn) *v5Reader {
	r := &v5Reader{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		b := make([]byte, 2048)
		for {
			n, err := conn.Read(b)
			if err != nil {
				return
			}
			if n < 24 {
				continue
			}
			count := int(binary.BigEndian.Uint16(b[2:]))
			r.mu.Lock()
			r.records += uint64(count)
			for i := 0; i < count && 24+48*(i+1) <= n; i++ {
				r.packets += uint64(binary.BigEndian.Uint32(b[24+48*i+16:]))
			}
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *v5Reader) stop() (records, packets uint64) {
	r.conn.Close()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.records, r.packets
}

// TestCollectorOutageCountedExactly: records go to a collector that is
// up, then gone (the port answers ICMP unreachable), then back. Every
// record is either received by the collector and counted as exported, or
// counted as lost with its packets: none is counted as exported that the
// collector did not get, which the old exporter did for every other
// packet to a dead collector. The outage and the recovery are logged.
func TestCollectorOutageCountedExactly(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	var logs syncbuf.Buffer
	e, err := export.NewExporter(export.DestinationConfig{Collector: addr,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	e.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	r := tcpRecord() // 10 packets
	var offered uint64
	send := func(n int) {
		for range n {
			e.Export(&r)
			offered++
		}
		e.Flush()
	}

	up := readV5(conn)
	send(3000) // 100 packets
	time.Sleep(2 * export.ConfirmAfter)
	got1, _ := up.stop() // the collector goes away: its port is closed
	send(6000)
	waitFor(t, func() bool { return e.Stats().Unreachable })
	send(6000)

	conn2, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatalf("collector back on %s: %v", addr, err)
	}
	back := readV5(conn2)
	// Keep exporting until a probe gets through and the exporter sends
	// normally again, then some more.
	deadline := time.Now().Add(20 * time.Second)
	for e.Stats().Unreachable {
		if time.Now().After(deadline) {
			t.Fatalf("exporter still considers the collector unreachable: %+v", e.Stats())
		}
		send(30)
		time.Sleep(50 * time.Millisecond)
	}
	send(3000)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	got2, _ := back.stop()
	s := e.Stats()
	t.Logf("offered %d records; collector got %d before and %d after the outage; stats %+v", offered, got1, got2, s)
	if s.Records != got1+got2 {
		t.Errorf("%d records counted as exported, the collector got %d", s.Records, got1+got2)
	}
	if s.LostRecords != offered-got1-got2 || s.LostPackets != 10*s.LostRecords {
		t.Errorf("%d records (%d packets) counted as lost; %d offered, %d received", s.LostRecords, s.LostPackets, offered, got1+got2)
	}
	if s.LostRecords == 0 || s.ErrorRecords+s.DroppedRecords != s.LostRecords {
		t.Errorf("loss causes %d send errors + %d drops, want %d > 0", s.ErrorRecords, s.DroppedRecords, s.LostRecords)
	}
	for _, want := range []string{"collector unreachable", "collector reachable again"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	t.Logf("log:\n%s", logs.String())
}

// TestTemplatesAfterOutage: a v9 collector that comes back after an
// outage is often a restarted one that knows no template. The first
// packet it gets (the probe) and the ones after carry the templates, so
// it can decode every record the exporter counts as exported.
func TestTemplatesAfterOutage(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	e, err := export.NewExporter(export.DestinationConfig{Collector: addr,
		Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord()
	send := func(n int) {
		for range n {
			e.Export(&r)
		}
		e.Flush()
	}
	send(200) // templates go out first, then every 20 packets
	time.Sleep(2 * export.ConfirmAfter)
	conn.Close()
	send(200)
	waitFor(t, func() bool { return e.Stats().Unreachable })

	back, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	deadline := time.Now().Add(20 * time.Second)
	for e.Stats().Unreachable {
		if time.Now().After(deadline) {
			t.Fatalf("collector still unreachable: %+v", e.Stats())
		}
		send(30)
		time.Sleep(50 * time.Millisecond)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	p, ok := readPacket(t, back, 2*time.Second)
	if !ok {
		t.Fatal("the collector that came back got nothing")
	}
	// v9: a 20-byte header, then the first set; set ID 0 is templates.
	if len(p) < 24 || binary.BigEndian.Uint16(p[20:]) != 0 {
		t.Errorf("first packet after the outage starts with set %d, want the template set 0: % x", binary.BigEndian.Uint16(p[20:]), p[:24])
	}

}

// TestCollectorBackMidBurst: a collector that was down comes back between
// two bursts of expiries. The next burst's first packet is the probe; the
// packets behind it used to be discarded while it waited for its verdict,
// so a v9 collector that had restarted lost nearly a whole minute's
// active-timeout burst although it was listening again. They wait for the
// verdict instead, and the collector gets the whole burst.
func TestCollectorBackMidBurst(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	e, err := export.NewExporter(export.DestinationConfig{Collector: addr,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord()
	send := func(n int) {
		for range n {
			e.Export(&r)
		}
		e.Flush()
	}
	conn.Close()
	send(300)
	waitFor(t, func() bool { return e.Stats().Unreachable })
	back, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	got := readV5(back)
	time.Sleep(export.ProbeEvery + 100*time.Millisecond) // a probe is due
	before := e.Stats()
	send(30 * 20) // the burst: 20 packets, fewer than the queue holds
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	n, _ := got.stop()
	s := e.Stats()
	if n != 600 || s.LostRecords != before.LostRecords || s.Records != before.Records+600 {
		t.Errorf("the collector was back before the burst: it got %d of its 600 records, %d more lost, %d more counted as exported",
			n, s.LostRecords-before.LostRecords, s.Records-before.Records)
	}
}

// TestOutageQueueDropsCountedUnderItsCause: while a collector is down
// (its port answers ICMP port unreachable), the sender holds the queue
// behind each probe until its verdict, so a burst overflows the queue.
// Those packets are lost to the outage, like the ones the sender
// discards between probes, and count under its cause ("send errors"),
// not as "flows failed due to lack of export packet", which said the
// exporter had run out of packets. Every lost record counts under
// exactly one cause, with its flows' packets.
func TestOutageQueueDropsCountedUnderItsCause(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	e, err := export.NewExporter(export.DestinationConfig{Collector: addr,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	r := tcpRecord() // 10 packets
	for range 30 {
		e.Export(&r)
	}
	e.Flush()
	waitFor(t, func() bool { return e.Stats().Unreachable })
	const offered = 30 * 3000 // 3000 packets, far more than the queue's 64
	for range offered {
		e.Export(&r)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	s := e.Stats()
	t.Logf("stats %+v", s)
	if s.Records+s.LostRecords != offered+30 {
		t.Fatalf("%d exported + %d lost != %d offered", s.Records, s.LostRecords, offered+30)
	}
	if s.Dropped != 0 || s.DroppedRecords != 0 || s.DroppedPackets != 0 {
		t.Errorf("%d packets (%d flows) counted as lack of export packet during an outage", s.Dropped, s.DroppedRecords)
	}
	if s.SendErrorRecords != s.LostRecords || s.SendErrorPackets != 10*s.LostRecords || s.Errors-s.NoRoute-s.Adjacency-s.TooBig != s.Errors {
		t.Errorf("lost %d flows, %d of them under send errors (%d packets): want all", s.LostRecords, s.SendErrorRecords, s.SendErrorPackets)
	}
	if sum := s.NoRouteRecords + s.AdjacencyRecords + s.TooBigRecords + s.SendErrorRecords + s.DroppedRecords; sum != s.LostRecords {
		t.Errorf("lost flows by cause sum to %d, want %d", sum, s.LostRecords)
	}
	if sum := s.NoRoutePackets + s.AdjacencyPackets + s.TooBigPackets + s.SendErrorPackets + s.DroppedPackets; sum != s.LostPackets {
		t.Errorf("lost packets by cause sum to %d, want %d", sum, s.LostPackets)
	}
}
