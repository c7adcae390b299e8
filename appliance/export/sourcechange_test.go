package export_test

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

// v5BySource counts the v5 records a collector socket receives, by the
// datagrams' source address.
type v5BySource struct {
	conn *net.UDPConn
	done chan struct{}
	mu   sync.Mutex
	recs map[netip.Addr]uint64
}

func readV5BySource(conn *net.UDPConn) *v5BySource {
	r := &v5BySource{conn: conn, done: make(chan struct{}), recs: map[netip.Addr]uint64{}}
	go func() {
		defer close(r.done)
		b := make([]byte, 2048)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(b)
			if err != nil {
				return
			}
			if n < 24 {
				continue
			}
			r.mu.Lock()
			r.recs[from.Addr().Unmap()] += uint64(binary.BigEndian.Uint16(b[2:]))
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *v5BySource) from(a netip.Addr) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recs[a]
}

func (r *v5BySource) stop() map[netip.Addr]uint64 {
	r.conn.Close()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recs
}

// TestSourceAddressChangeRedials: the box's address on the collector's
// LAN changes while it runs (DHCP leased it another one after an outage,
// an operator renumbered the port). The exporter's connected socket kept
// the source address it was dialled from, and every send from it failed
// with "network is unreachable", each packet counted lost, for as long as
// the exporter lived: a box left alone for months exported nothing after
// its lease moved. It must dial again and export from the new address,
// every record either received or counted lost.
func TestSourceAddressChangeRedials(t *testing.T) {
	l := newLink(t, "qaexsa", netip.MustParsePrefix("10.201.9.0/24"))
	collector := netip.AddrPortFrom(l.host(2), 2055)
	got := readV5BySource(l.listen(collector))
	e, err := export.NewExporter(export.DestinationConfig{Collector: collector,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	r := tcpRecord()
	var offered uint64
	send := func(n int) {
		for range n {
			e.Export(&r)
			offered++
		}
		e.Flush()
	}
	old, renumbered := l.host(1), l.host(3)
	send(30)
	waitFor(t, func() bool { return got.from(old) == 30 })

	ipCmd(t, "addr", "del", old.String()+"/24", "dev", l.near)
	ipCmd(t, "addr", "add", renumbered.String()+"/24", "dev", l.near)
	deadline := time.Now().Add(10 * time.Second)
	// A trickle until the collector counts as reachable again (what is
	// sent meanwhile is lost, counted, but for a probe a second).
	for got.from(renumbered) == 0 || e.Stats().Unreachable {
		if time.Now().After(deadline) {
			t.Fatalf("the port's new address %s: %d records arrived from it in 10 s, the collector unreachable %v: %+v",
				renumbered, got.from(renumbered), e.Stats().Unreachable, e.Stats())
		}
		send(30)
		time.Sleep(100 * time.Millisecond)
	}
	send(3000)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the last packets cross the veth
	recs := got.stop()
	s := e.Stats()
	t.Logf("offered %d records; collector got %v; stats %+v", offered, recs, s)
	if len(recs) != 2 || recs[old] != 30 || recs[renumbered] < 3000 {
		t.Errorf("records received by source %v, want the 30 before from %s and the rest from %s", recs, old, renumbered)
	}
	if sum := recs[old] + recs[renumbered]; s.Records != sum || s.LostRecords != offered-sum {
		t.Errorf("%d records counted as exported and %d lost; %d offered, %d received", s.Records, s.LostRecords, offered, sum)
	}
}
