package export_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

func udpSink(t *testing.T) netip.AddrPort {
	t.Helper()
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	return sink.LocalAddr().(*net.UDPAddr).AddrPort()
}

// spoolMem is memory that outlives a Spool, as the daemon's pinned BPF
// array outlives the daemon: each open over it is the next process.
type spoolMem []byte

func newSpoolMem(slots int) spoolMem { return make(spoolMem, spool.Size(slots, 8)) }

func (m spoolMem) open(t *testing.T, slots int) *spool.Spool {
	t.Helper()
	s, err := spool.New(m, slots, 8, func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// marks reads the sent sequence of each mark in the spool in mem, as the
// next daemon would.
func marks(t *testing.T, mem spoolMem) map[string]uint64 {
	t.Helper()
	s := mem.open(t, 64)
	out := map[string]uint64{}
	for _, m := range s.Orphans() {
		out[m.ID()] = m.SentBefore
	}
	return out
}

// An exporter marks in the spool, under its collector's address, the
// records of each packet it has written, and gives its mark up once
// closed (everything it was given is sent).
func TestExporterMarksWhatItWrites(t *testing.T) {
	collector := udpSink(t)
	mem := newSpoolMem(64)
	sp := mem.open(t, 64)
	e, err := export.NewExporter(export.DestinationConfig{Collector: collector, MaxRate: -1, Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UseSpool(sp); err != nil {
		t.Fatal(err)
	}
	rec := tcpRecord()
	for i := range 10 {
		seq, _ := sp.Append()
		sp.Commit(seq, spool.Freed)
		rec.SpoolSeq = seq
		e.Export(&rec)
		if i == 3 {
			e.Flush() // records 1-4 in a packet; 5-10 stay in the open one
		}
	}
	id := collector.String()
	for deadline := time.Now().Add(5 * time.Second); marks(t, mem)[id] != 4; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("marks %v, want %s at 4 (the packet written)", marks(t, mem), id)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if m := marks(t, mem)[id]; m != 4 {
		t.Fatalf("mark at %d with records 5-10 in the open packet", m)
	}
	e.Close()
	if m := marks(t, mem); len(m) != 0 {
		t.Fatalf("marks %v after Close, want none", m)
	}
}

// An exporter that takes its collector's mark back after a kill sends,
// of the records replayed from the spool, only those the killed daemon's
// exporter had not sent, counted, and those of the packet it was writing
// at the kill as possibly sent twice; a destination the killed daemon did
// not have gets none.
func TestExporterReplaysWhatItHadNotSent(t *testing.T) {
	collector := udpSink(t)
	mem := newSpoolMem(64)
	before := mem.open(t, 64)
	m, err := before.Register(collector.String())
	if err != nil {
		t.Fatal(err)
	}
	m.Start(1)
	for range 10 {
		seq, _ := before.Append()
		before.Commit(seq, spool.Freed)
	}
	m.Sending(6) // killed writing the packet of records 5 and 6
	m.Sent(4)

	after := mem.open(t, 64)
	if n := len(after.Recovered()); n != 6 {
		t.Fatalf("recovered %d records, want 6 (5-10)", n)
	}
	e, err := export.NewExporter(export.DestinationConfig{Collector: collector, MaxRate: -1, Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UseSpool(after); err != nil {
		t.Fatal(err)
	}
	// A destination the killed daemon did not have.
	other, err := export.NewExporter(export.DestinationConfig{Collector: udpSink(t), MaxRate: -1, Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.UseSpool(after); err != nil {
		t.Fatal(err)
	}
	for i := range 10 { // replayed: each record some destination lacks, here all
		r := tcpRecord()
		r.SpoolSeq, r.Replayed, r.Packets = uint64(i+1), true, 100
		e.Export(&r)
		other.Export(&r)
	}
	e.Close()
	other.Close()
	st := e.Stats()
	if st.Records != 6 || st.Resent != 6 || st.ResentPackets != 600 || st.Doubt != 2 || st.DoubtPackets != 200 {
		t.Errorf("sent %d records, resent %d (%d packets), possibly twice %d (%d packets); want 6, 6 (600), 2 (200)",
			st.Records, st.Resent, st.ResentPackets, st.Doubt, st.DoubtPackets)
	}
	if st := other.Stats(); st.Records != 0 || st.Resent != 0 {
		t.Errorf("a destination the killed daemon did not have was sent %d replayed records", st.Records)
	}
}

// A destination that sends nothing for a long run of records (a v5
// collector while the traffic is IPv6, which v5 cannot carry; a layer-2
// VLAN selection) has still dealt with each of them: the harvest must not
// wait on its mark once the spool's ring comes round. Before, the ring
// filled after 64 records here (8192 in the daemon) and the harvest
// waited for ever, with the flow table filling behind it.
func TestSkippedRecordsDoNotHoldTheSpool(t *testing.T) {
	sp := newSpoolMem(64).open(t, 64)
	v5, err := export.NewExporter(export.DestinationConfig{Collector: udpSink(t), MaxRate: -1,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	v9, err := export.NewExporter(export.DestinationConfig{Collector: udpSink(t), MaxRate: -1,
		Layer2VLANs: platform.VLANSet{{Lo: 100, Hi: 200}}, Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*export.Exporter{v5, v9} {
		if err := e.UseSpool(sp); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			seq, _ := sp.Append()
			sp.Commit(seq, spool.Freed)
			// The first record goes out to both: their marks start
			// there, and every record after it is owed or dealt with.
			r := tcpRecord()
			r.VLAN = 150
			if i > 0 {
				r = v6Record()
				r.VLAN = 7
			}
			r.SpoolSeq = seq
			v5.Export(&r)
			v9.Export(&r)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the harvest still waits for room in the spool after 20 s")
	}
	v5.Close()
	v9.Close()
	if st := v5.Stats(); st.NotExportable != 999 || st.Records != 1 {
		t.Errorf("v5: %d not exportable, %d sent; want 999 and 1", st.NotExportable, st.Records)
	}
	if st := v9.Stats(); st.Layer2NotSelected != 999 || st.Records != 1 {
		t.Errorf("v9: %d not selected, %d sent; want 999 and 1", st.Layer2NotSelected, st.Records)
	}
}

// A collector that refuses (ICMP port unreachable) does not stall the
// harvest behind the spool: the packets it is not sent are counted as
// lost, and that moves the mark as a write does.
func TestRefusingCollectorDoesNotHoldTheSpool(t *testing.T) {
	sock, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	closed := sock.LocalAddr().(*net.UDPAddr).AddrPort()
	sock.Close() // nobody listens: the kernel answers port unreachable
	const slots = 64
	mem := newSpoolMem(slots)
	sp := mem.open(t, slots)
	e, err := export.NewExporter(export.DestinationConfig{Collector: closed, MaxRate: -1, Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UseSpool(sp); err != nil {
		t.Fatal(err)
	}
	const n = 3000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			rec := tcpRecord()
			seq, _ := sp.Append()
			sp.Commit(seq, spool.Freed)
			rec.SpoolSeq = seq
			e.Export(&rec)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the harvest waits for room in the spool: mark at %d", marks(t, mem)[closed.String()])
	}
	e.Close()
	st := e.Stats()
	if st.Records+st.LostRecords != n || st.LostRecords == 0 {
		t.Errorf("%d records sent, %d lost; want %d in all, lost among them", st.Records, st.LostRecords, n)
	}
}
