package export_test

import (
	"net"
	"net/netip"
	"path/filepath"
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

// A destination that sends nothing for a long run of records (a v5
// collector while the traffic is IPv6, which v5 cannot carry; a layer-2
// VLAN selection) has still dealt with each of them: the harvest must not
// wait on its mark once the spool's ring comes round. Before, the ring
// filled after 64 records here (8192 in the daemon) and the harvest
// waited for ever, with the flow table filling behind it.
func TestSkippedRecordsDoNotHoldTheSpool(t *testing.T) {
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"), 64, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	v5, err := export.NewExporter(export.DestinationConfig{Collector: udpSink(t), MaxRate: -1,
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	defer v5.Close()
	v9, err := export.NewExporter(export.DestinationConfig{Collector: udpSink(t), MaxRate: -1,
		Layer2VLANs: platform.VLANSet{{Lo: 100, Hi: 200}}, Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot}})
	if err != nil {
		t.Fatal(err)
	}
	defer v9.Close()
	for _, e := range []*export.Exporter{v5, v9} {
		if err := e.UseSpool(sp); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			seq, _ := sp.Append()
			sp.Commit(seq, spool.Freed)
			r := v6Record()
			r.SpoolSeq, r.VLAN = seq, 7
			v5.Export(&r)
			v9.Export(&r)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the harvest still waits for room in the spool after 20 s")
	}
	if st := v5.Stats(); st.NotExportable != 1000 || st.Records != 0 {
		t.Errorf("v5: %d not exportable, %d sent; want 1000 and 0", st.NotExportable, st.Records)
	}
	if st := v9.Stats(); st.Layer2NotSelected != 1000 || st.Records != 0 {
		t.Errorf("v9: %d not selected, %d sent; want 1000 and 0", st.Layer2NotSelected, st.Records)
	}
}
