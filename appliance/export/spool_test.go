package export_test

import (
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
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

// marks reads the sent sequence of each mark in the spool at path, as
// the next daemon would.
func marks(t *testing.T, path string) map[string]uint64 {
	t.Helper()
	s, err := spool.Open(path, 64, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
	path := filepath.Join(t.TempDir(), "spool")
	sp, err := spool.Open(path, 64, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
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
	sp.Sync()
	id := collector.String()
	for deadline := time.Now().Add(5 * time.Second); marks(t, path)[id] != 4; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("marks %v, want %s at 4 (the packet written)", marks(t, path), id)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if m := marks(t, path)[id]; m != 4 {
		t.Fatalf("mark at %d with records 5-10 in the open packet", m)
	}
	e.Close()
	if m := marks(t, path); len(m) != 0 {
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
	path := filepath.Join(t.TempDir(), "spool")
	before, err := spool.Open(path, 64, 8)
	if err != nil {
		t.Fatal(err)
	}
	m, err := before.Register(collector.String())
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		seq, _ := before.Append()
		before.Commit(seq, spool.Freed)
	}
	m.Sending(6) // killed writing the packet of records 5 and 6
	m.Sent(4)

	after, err := spool.Open(path, 64, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
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
	before.Close()
}
