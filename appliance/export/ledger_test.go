package export_test

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

// TestLedgerCountsFlowsOnce: the cache's ledger counts each flow once
// however many destinations sent it (real sockets, two collectors): an
// IPv6 flow the v5 destination cannot carry is exported, since the v9
// one sent it; once only the v5 destination is left, the next IPv6 flow
// is not exportable, once; and a biflow destination's paired record
// settles both directions. The destinations' own counters stay theirs.
func TestLedgerCountsFlowsOnce(t *testing.T) {
	_, a5 := listenUDP(t, "udp4", "127.0.0.1:0")
	_, a9 := listenUDP(t, "udp4", "127.0.0.1:0")
	_, ab := listenUDP(t, "udp4", "127.0.0.1:0")
	e5, err := export.NewExporter(destination(a5, export.EncoderConfig{Version: export.V5}))
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e5)
	e9, err := export.NewExporter(destination(a9, export.EncoderConfig{Version: export.V9, ObservationDomain: 1}))
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e9)
	l := export.NewLedger()
	both := export.DestinationsOf([]*export.Exporter{e5, e9})
	both.CountIn(l)
	r4, r6 := tcpRecord(), v6Record()
	for range 45 {
		both.Export(&r4)
	}
	both.Export(&r6)
	if err := both.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return l.Stats().Exported == 46 })
	if st := both.Stats(); st[0].Records != 45 || st[0].NotExportable != 1 || st[1].Records != 46 {
		t.Errorf("destinations' own counters %+v", st)
	}
	if s := l.Stats(); s != (export.CacheExportStats{Exported: 46, ExportedPackets: 460}) {
		t.Errorf("ledger %+v, want 46 flows (460 packets) exported, nothing else", s)
	}

	only5 := export.DestinationsOf([]*export.Exporter{e5})
	only5.CountIn(l)
	only5.Export(&r6)
	if s := l.Stats(); s.NotExportable != 1 || s.NotExportablePackets != 10 || s.Exported != 46 {
		t.Errorf("ledger %+v, want the IPv6 flow not exportable, once", s)
	}

	bi, err := export.NewExporter(export.DestinationConfig{Collector: ab, BiflowHold: time.Minute,
		Encoder: export.EncoderConfig{Version: export.IPFIX, BootTime: boot, Biflow: true}})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, bi)
	pair := export.DestinationsOf([]*export.Exporter{bi})
	pair.CountIn(l)
	fwd, rev := tcpRecord(), tcpRecord()
	rev.SrcAddr, rev.DstAddr, rev.SrcPort, rev.DstPort, rev.Packets = fwd.DstAddr, fwd.SrcAddr, fwd.DstPort, fwd.SrcPort, 7
	pair.Export(&fwd)
	pair.Export(&rev)
	if err := pair.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return l.Stats().Exported == 48 })
	if st := bi.Stats(); st.Records != 1 {
		t.Errorf("the biflow destination sent %d records, want 1 (the pair)", st.Records)
	}
	if s := l.Stats(); s.ExportedPackets != 460+17 {
		t.Errorf("ledger %+v, want both directions' 17 packets exported", s)
	}
}
