package daemon

import (
	"encoding/binary"
	"net"
	"os"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/internal/testnet"
)

type asTagger struct{}

func (asTagger) Annotate(r *flow.Record) { r.SrcAS, r.DstAS = 64500, 64501 }

// TestStartDrainIsAnnotated: a daemon started with another cache size
// drains the pinned table as its datapath opens, before any engine runs;
// its records go out annotated as a harvest's would (here the AS
// numbers), not as the table had them. The records a killed daemon left
// in the spool, replayed just before that drain, take the same way
// (Daemon.expire).
func TestStartDrainIsAnnotated(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	pin := testnet.PinDir(t, "daemon-test")
	col := listenPayloads(t)
	boot, err := datapath.BootTime()
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{CacheEntries: 1024, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{{Collector: col.conn.LocalAddr().(*net.UDPAddr).AddrPort(),
			Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot, AS: platform.ASOrigin}}}}
	d1, err := New(Options{PinDir: pin, Spool: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	d1.Start()
	feed(t, d1, 1, 3)
	feed(t, d1, 2, 4)
	if err := d1.Close(true); err != nil {
		t.Fatal(err)
	}
	s.CacheEntries, s.Annotator = 2048, asTagger{}
	d2, err := New(Options{PinDir: pin, Spool: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close(false)
	var flows int
	for deadline := time.Now().Add(5 * time.Second); flows < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		flows = 0
		for _, p := range col.payloads() {
			for i := range int(binary.BigEndian.Uint16(p[2:])) {
				r := p[24+48*i:]
				flows++
				if src, dst := binary.BigEndian.Uint16(r[40:]), binary.BigEndian.Uint16(r[42:]); src != 64500 || dst != 64501 {
					t.Fatalf("drained record %d: AS %d -> %d, want 64500 -> 64501", i, src, dst)
				}
			}
		}
	}
	if flows != 2 {
		t.Fatalf("the collector got %d drained flows, want 2", flows)
	}
	// The drained flows count in `show ip cache flow` as the expired
	// flows they are, once the engine runs: the collector got 2 flows (7
	// packets) from the cache, and the cache's totals say so.
	if err := d2.Start(); err != nil {
		t.Fatal(err)
	}
	st := d2.Engine().Stats()
	var total flowcache.ProtocolStats
	for _, p := range st.Protocols {
		total.Flows += p.Flows
		total.Packets += p.Packets
	}
	if total.Flows != 2 || total.Packets != 7 || st.ExpiredTotal() != 2 || st.Added != 2 {
		t.Errorf("show ip cache flow counts %d flows (%d packets), %d expired, %d added; the drain exported 2 flows of 7 packets",
			total.Flows, total.Packets, st.ExpiredTotal(), st.Added)
	}
}

// TestStartDrainWithFullSpool: a daemon killed with its spool's ring full
// of records a destination had not sent (a collector slow or gone for a
// ring's worth), started again with another cache size and without that
// destination. The old table's drain needs ring room, which only that
// destination's mark held: the replay before the drain counts what it
// lost and releases its mark, so the drain goes through rather than
// waiting for ever for a destination no exporter stands for. The same
// for a start with a flow mask, whose first apply purges the pinned
// table before any engine runs.
func TestStartDrainWithFullSpool(t *testing.T) {
	t.Run("cache size", func(t *testing.T) {
		startOverFullSpool(t, func(s *Settings) { s.CacheEntries = 2048 })
	})
	t.Run("flow mask", func(t *testing.T) {
		startOverFullSpool(t, func(s *Settings) { s.Mask = platform.MaskDestination })
	})
}

func startOverFullSpool(t *testing.T, change func(*Settings)) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	pin := testnet.PinDir(t, "daemon-test")
	l := listenV5(t)
	s := Settings{CacheEntries: 1024, Aging: flowcache.Aging{Inactive: time.Hour}, Exports: []export.DestinationConfig{l.dest(t)}}
	d1, err := New(Options{PinDir: pin, Spool: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	d1.Start()
	feed(t, d1, 1, 3)
	feed(t, d1, 2, 4)
	if err := d1.Close(true); err != nil {
		t.Fatal(err)
	}
	// What the killed daemon left: a ring full of records owed to a
	// destination the next configuration does not have.
	sp, err := datapath.OpenSpool(pin, spool.DefaultSlots)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := sp.Register("192.0.2.9:2055")
	if err != nil {
		t.Fatal(err)
	}
	gone.SetTakesAll(true)
	for i := range spool.DefaultSlots {
		seq, _ := sp.Append()
		if i == 0 {
			gone.Start(seq)
		}
		sp.Commit(seq, spool.Freed)
	}
	sp.Close()

	change(&s)
	type started struct {
		d   *Daemon
		err error
	}
	done := make(chan started, 1)
	go func() {
		d2, err := New(Options{PinDir: pin, Spool: true}, s)
		done <- started{d2, err}
	}()
	var d2 *Daemon
	select {
	case st := <-done:
		if st.err != nil {
			t.Fatal(st.err)
		}
		d2 = st.d
	case <-time.After(20 * time.Second):
		t.Fatal("the start is stuck writing its first records into a full spool")
	}
	defer d2.Close(false)
	waitPackets(t, l, 7)
	if total, _ := d2.UncleanStopLost(); total.Records != spool.DefaultSlots {
		t.Errorf("%d records counted lost for the destination no longer configured, want %d", total.Records, spool.DefaultSlots)
	}
}
