package snmp

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/datapath/dpstats"
)

// datapathBackend is the fake NetFlow backend with a meter.
type datapathBackend struct {
	*fakeBackend
	dp DatapathStats
}

func (b datapathBackend) DatapathStats() (DatapathStats, error) { return b.dp, nil }

// Fibres: one tap, fibre A up and fibre B silent.
func (b datapathBackend) Fibres() ([]Fibre, error) {
	return []Fibre{
		{LinkIfIndex: 64001, Side: 2, Port: "eth2", State: FibreSilent, IdleSeconds: 45},
		{LinkIfIndex: 64001, Side: 1, Port: "eth1", State: FibreUp, IdleSeconds: 1, Flows: 3, Packets: 30, Octets: 4000},
	}, nil
}

// TestNetSNMPWalkFlowtapMIB: net-snmp walks the meter's counters and the
// per-collector losses under flowtap's enterprise arc, in order.
func TestNetSNMPWalkFlowtapMIB(t *testing.T) {
	b := newFakeBackend()
	b.export.Collectors[0].LostRecords, b.export.Collectors[0].LostPackets, b.export.Collectors[0].Unreachable = 2600, 51234, true
	b.export.UncleanStopLost = UncleanStopLoss{Records: 1297, Packets: 2594, Doubt: 20, DoubtPackets: 40}
	// Destinations removed: their rows are gone, the sums stay.
	b.export.Retired = CollectorStats{Records: 4100, Packets: 130, LostRecords: 77, LostPackets: 1540}
	b.export.UncleanStopHeldAggregation = UncleanStopLoss{Records: 900, Packets: 1800, Doubt: 30, DoubtPackets: 60}
	b.export.UncleanStopHeldBiflow = UncleanStopLoss{Records: 12, Packets: 24, Doubt: 2, DoubtPackets: 4}
	b.export.Collectors[0].NotSelected, b.export.Collectors[0].NotSelectedPackets = 7, 700
	c0 := &b.export.Collectors[0]
	c0.Resent, c0.ResentPackets, c0.Doubt, c0.DoubtPackets = 1360, 2720, 21, 42
	c0.LostBy = []export.LossReason{{Name: "no-route", Records: 100, Packets: 2000}, {Name: "adjacency", Records: 500, Packets: 9000},
		{Name: "too-big"}, {Name: "send-error", Records: 1990, Packets: 40000}, {Name: "no-export-packet", Records: 10, Packets: 234}}
	cfg := testConfig(b)
	cfg.Netflow = datapathBackend{b, DatapathStats{
		Frames: 42400117, FrameBytes: 2713607488, IPv4: 42400000, MeteredPackets: 42400000, MeteredBytes: 1950400000,
		FlowsCreated: 249856, CreateFailPackets: 42150144, CreateFailBytes: 1938906624, CreateFailFull: 42150000,
		CreateFailContention: 144, FullEvents: 6, SampledOut: 870, OverloadSampledOut: 800, CaptureFull: 37,
		BatchPending: 9,
		Overload:     &dpstats.Overload{Configured: true, Active: true, Rate: 16, Entered: 3, Time: 125 * time.Second},
		Unparsed:     []DatapathReason{{Name: "non-ip", Count: 100}, {Name: "truncated-l2", Count: 0}},
	}}
	_, v4, _ := startAgent(t, cfg)
	out := walk(t, "snmpwalk", "-v2c", "-c", roCommunity, v4, "1.3.6.1.4.1.32473.1.3")
	wantLines(t, out,
		`.1.3.6.1.4.1.32473.1.3.1.0 = Counter64: 42400117`,
		`.1.3.6.1.4.1.32473.1.3.2.0 = Counter64: 2713607488`,
		`.1.3.6.1.4.1.32473.1.3.3.0 = Counter64: 42400000`,
		`.1.3.6.1.4.1.32473.1.3.4.0 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.3.5.0 = Counter64: 870`,
		`.1.3.6.1.4.1.32473.1.3.6.0 = Counter64: 42400000`,
		`.1.3.6.1.4.1.32473.1.3.7.0 = Counter64: 1950400000`,
		`.1.3.6.1.4.1.32473.1.3.8.0 = Counter64: 249856`,
		`.1.3.6.1.4.1.32473.1.3.9.0 = Counter64: 42150144`,
		`.1.3.6.1.4.1.32473.1.3.10.0 = Counter64: 1938906624`,
		`.1.3.6.1.4.1.32473.1.3.11.0 = Counter64: 42150000`,
		`.1.3.6.1.4.1.32473.1.3.12.0 = Counter64: 144`,
		`.1.3.6.1.4.1.32473.1.3.13.0 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.3.14.0 = Counter64: 6`,
		`.1.3.6.1.4.1.32473.1.3.15.0 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.3.16.0 = Counter64: 800`,
		`.1.3.6.1.4.1.32473.1.3.17.0 = Gauge32: 16`,
		`.1.3.6.1.4.1.32473.1.3.18.0 = Counter64: 125`,
		`.1.3.6.1.4.1.32473.1.3.19.0 = Counter64: 3`,
		`.1.3.6.1.4.1.32473.1.3.20.1.2.1 = STRING: "non-ip"`,
		`.1.3.6.1.4.1.32473.1.3.20.1.2.2 = STRING: "truncated-l2"`,
		`.1.3.6.1.4.1.32473.1.3.20.1.3.1 = Counter64: 100`,
		`.1.3.6.1.4.1.32473.1.3.20.1.3.2 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.3.21.0 = Counter64: 37`,
		`.1.3.6.1.4.1.32473.1.3.22.0 = Gauge32: 9`,
	)
	if n := len(lines(out)); n != 25 {
		t.Errorf("flowtapDatapath: %d lines, want 25:\n%s", n, out)
	}
	out = walk(t, "snmpwalk", "-v2c", "-c", roCommunity, v4, "1.3.6.1.4.1.32473.1.4")
	wantLines(t, out,
		`.1.3.6.1.4.1.32473.1.4.1.1.2.0.1.4.192.0.2.1.2055 = Counter64: 2600`,
		`.1.3.6.1.4.1.32473.1.4.1.1.3.0.1.4.192.0.2.1.2055 = Counter64: 51234`,
		`.1.3.6.1.4.1.32473.1.4.1.1.4.0.1.4.192.0.2.1.2055 = INTEGER: 1`,
		`.1.3.6.1.4.1.32473.1.4.1.1.5.0.1.4.192.0.2.1.2055 = Counter64: 1152`,
		`.1.3.6.1.4.1.32473.1.4.1.1.6.0.1.4.192.0.2.1.2055 = Counter64: 39`,
		`.1.3.6.1.4.1.32473.1.4.1.1.7.0.1.4.192.0.2.1.2055 = Counter64: 7`,
		`.1.3.6.1.4.1.32473.1.4.1.1.8.0.1.4.192.0.2.1.2055 = Counter64: 700`,
		`.1.3.6.1.4.1.32473.1.4.1.1.9.0.1.4.192.0.2.1.2055 = Counter64: 1360`,
		`.1.3.6.1.4.1.32473.1.4.1.1.10.0.1.4.192.0.2.1.2055 = Counter64: 2720`,
		`.1.3.6.1.4.1.32473.1.4.1.1.11.0.1.4.192.0.2.1.2055 = Counter64: 21`,
		`.1.3.6.1.4.1.32473.1.4.1.1.12.0.1.4.192.0.2.1.2055 = Counter64: 42`,
		// Why: per reason, the flows and their packets; they sum to
		// columns 2 and 3.
		`.1.3.6.1.4.1.32473.1.4.1.1.13.0.1.4.192.0.2.1.2055 = Counter64: 100`,
		`.1.3.6.1.4.1.32473.1.4.1.1.14.0.1.4.192.0.2.1.2055 = Counter64: 2000`,
		`.1.3.6.1.4.1.32473.1.4.1.1.15.0.1.4.192.0.2.1.2055 = Counter64: 500`,
		`.1.3.6.1.4.1.32473.1.4.1.1.16.0.1.4.192.0.2.1.2055 = Counter64: 9000`,
		`.1.3.6.1.4.1.32473.1.4.1.1.17.0.1.4.192.0.2.1.2055 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.4.1.1.18.0.1.4.192.0.2.1.2055 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.4.1.1.19.0.1.4.192.0.2.1.2055 = Counter64: 1990`,
		`.1.3.6.1.4.1.32473.1.4.1.1.20.0.1.4.192.0.2.1.2055 = Counter64: 40000`,
		`.1.3.6.1.4.1.32473.1.4.1.1.21.0.1.4.192.0.2.1.2055 = Counter64: 10`,
		`.1.3.6.1.4.1.32473.1.4.1.1.22.0.1.4.192.0.2.1.2055 = Counter64: 234`,
		`.1.3.6.1.4.1.32473.1.4.1.1.22.0.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.9.4739 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.4.1.1.2.0.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.9.4739 = Counter64: 0`,
		`.1.3.6.1.4.1.32473.1.4.1.1.4.0.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.9.4739 = INTEGER: 2`,
		// What a kill left owed to destinations since removed.
		`.1.3.6.1.4.1.32473.1.4.2.0 = Counter64: 1297`,
		`.1.3.6.1.4.1.32473.1.4.3.0 = Counter64: 2594`,
		`.1.3.6.1.4.1.32473.1.4.4.0 = Counter64: 20`,
		`.1.3.6.1.4.1.32473.1.4.5.0 = Counter64: 40`,
		// What kills lost that aggregation caches and biflow
		// destinations held.
		`.1.3.6.1.4.1.32473.1.4.6.0 = Counter64: 900`,
		`.1.3.6.1.4.1.32473.1.4.7.0 = Counter64: 1800`,
		`.1.3.6.1.4.1.32473.1.4.8.0 = Counter64: 30`,
		`.1.3.6.1.4.1.32473.1.4.9.0 = Counter64: 60`,
		`.1.3.6.1.4.1.32473.1.4.10.0 = Counter64: 12`,
		`.1.3.6.1.4.1.32473.1.4.11.0 = Counter64: 24`,
		`.1.3.6.1.4.1.32473.1.4.12.0 = Counter64: 2`,
		`.1.3.6.1.4.1.32473.1.4.13.0 = Counter64: 4`,
		// What destinations since removed exported and lost.
		`.1.3.6.1.4.1.32473.1.4.14.0 = Counter64: 4100`,
		`.1.3.6.1.4.1.32473.1.4.15.0 = Counter64: 130`,
		`.1.3.6.1.4.1.32473.1.4.16.0 = Counter64: 77`,
		`.1.3.6.1.4.1.32473.1.4.17.0 = Counter64: 1540`,
	)
	if n := len(lines(out)); n != 58 {
		t.Errorf("flowtapExportLossTable and the unclean-stop and removed scalars: %d lines, want 58:\n%s", n, out)
	}
}
