package flowcache_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
)

func k4(proto uint8, sport, dport uint16) flow.Key {
	return flow.Key{
		SrcAddr: netip.MustParseAddr("198.51.100.7"), DstAddr: netip.MustParseAddr("203.0.113.9"),
		SrcPort: sport, DstPort: dport, Proto: proto,
	}
}

func TestClassify(t *testing.T) {
	v6 := k4(58, 0, 0x8000)
	v6.SrcAddr, v6.DstAddr = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	tests := []struct {
		key  flow.Key
		want flowcache.Protocol
	}{
		{k4(6, 40000, 23), flowcache.ProtoTCPTelnet},
		{k4(6, 23, 40000), flowcache.ProtoTCPTelnet},
		{k4(6, 40000, 21), flowcache.ProtoTCPFTP},
		{k4(6, 20, 40000), flowcache.ProtoTCPFTPD},
		{k4(6, 21, 20), flowcache.ProtoTCPFTPD}, // destination port first
		{k4(6, 80, 40000), flowcache.ProtoTCPWWW},
		{k4(6, 40000, 25), flowcache.ProtoTCPSMTP},
		{k4(6, 40000, 6000), flowcache.ProtoTCPX},
		{k4(6, 6063, 40000), flowcache.ProtoTCPX},
		{k4(6, 40000, 6064), flowcache.ProtoTCPOther},
		{k4(6, 179, 40000), flowcache.ProtoTCPBGP},
		{k4(6, 40000, 119), flowcache.ProtoTCPNNTP},
		{k4(6, 0, 0), flowcache.ProtoTCPFrag},
		{k4(6, 0, 443), flowcache.ProtoTCPOther},
		{k4(6, 40000, 443), flowcache.ProtoTCPOther},
		{k4(17, 40000, 53), flowcache.ProtoUDPDNS},
		{k4(17, 123, 123), flowcache.ProtoUDPNTP},
		{k4(17, 40000, 69), flowcache.ProtoUDPTFTP},
		{k4(17, 0, 0), flowcache.ProtoUDPFrag},
		{k4(17, 40000, 80), flowcache.ProtoUDPOther},
		{k4(1, 0, 0x0800), flowcache.ProtoICMP},
		{v6, flowcache.ProtoICMP},
		{k4(2, 0, 0), flowcache.ProtoIGMP},
		{k4(4, 0, 0), flowcache.ProtoIPinIP},
		{k4(41, 0, 0), flowcache.ProtoIPv6inIP},
		{k4(47, 0, 0), flowcache.ProtoGRE},
		{k4(89, 0, 0), flowcache.ProtoIPOther},
		{k4(132, 40000, 80), flowcache.ProtoIPOther},
	}
	for _, tc := range tests {
		if got := flowcache.Classify(&tc.key); got != tc.want {
			t.Errorf("Classify(proto %d %d->%d) = %v, want %v", tc.key.Proto, tc.key.SrcPort, tc.key.DstPort, got, tc.want)
		}
	}
}

func TestProtocolNamesFollowTheMIB(t *testing.T) {
	// NfProtocolTypes: tcpTelnet(1) ... ipOther(21).
	want := []string{"TCP-Telnet", "TCP-FTP", "TCP-FTPD", "TCP-WWW", "TCP-SMTP", "TCP-X", "TCP-BGP",
		"TCP-NNTP", "TCP-Frag", "TCP-other", "UDP-DNS", "UDP-NTP", "UDP-TFTP", "UDP-Frag", "UDP-other",
		"ICMP", "IGMP", "IPINIP", "IPv6INIP", "GRE", "IP-other"}
	if len(want) != flowcache.NumProtocols-1 {
		t.Fatalf("NumProtocols = %d, want %d", flowcache.NumProtocols, len(want)+1)
	}
	for i, w := range want {
		if got := flowcache.Protocol(i + 1).String(); got != w {
			t.Errorf("Protocol(%d) = %q, want %q", i+1, got, w)
		}
	}
}

type asTagger struct{}

func (asTagger) Annotate(r *flow.Record) { r.SrcAS, r.DstAS = 64500, 64501 }

func TestStatistics(t *testing.T) {
	second := &flowcachetest.Recorder{}
	h := newHarness(t, 64, func(c *flowcache.Config) {
		c.Sinks = append(c.Sinks, second)
		c.Annotator = asTagger{}
	})
	telnet, www, dns := k4(6, 40000, 23), k4(6, 80, 40001), k4(17, 40002, 53)
	www2 := k4(6, 80, 40003)
	h.meter(telnet, 10, 60, 0)
	h.meter(www, 4, 1500, 0)
	h.meter(www2, 1, 40, 0)
	h.meter(dns, 1, 70, 0)
	h.step(5 * time.Second)
	h.meter(telnet, 2, 60, 0)
	h.meter(www, 1, 1500, 0)
	h.step(16 * time.Second) // t0+21: everything is idle for more than 15 s

	st := h.eng.Stats()
	want := map[flowcache.Protocol]flowcache.ProtocolStats{
		flowcache.ProtoTCPTelnet: {Flows: 1, Packets: 12, Bytes: 720, ActiveMillis: 5000, IdleMillis: 16000},
		flowcache.ProtoTCPWWW:    {Flows: 2, Packets: 6, Bytes: 7540, ActiveMillis: 5000, IdleMillis: 16000 + 21000},
		flowcache.ProtoUDPDNS:    {Flows: 1, Packets: 1, Bytes: 70, ActiveMillis: 0, IdleMillis: 21000},
	}
	for p := flowcache.Protocol(1); int(p) < flowcache.NumProtocols; p++ {
		if got := st.Protocols[p]; got != want[p] {
			t.Errorf("%v: %+v, want %+v", p, got, want[p])
		}
	}
	total := flowcache.ProtocolStats{Flows: 4, Packets: 19, Bytes: 8330, ActiveMillis: 10000, IdleMillis: 74000}
	if got := st.Total(); got != total {
		t.Errorf("total %+v, want %+v", got, total)
	}
	if st.Added != 4 || st.Expired[flow.EndIdle] != 4 || st.AgerPolls != 2 || !st.LastCleared.IsZero() || !st.Since.Equal(t0) {
		t.Errorf("added %d, idle %d, polls %d, cleared %v, since %v; want 4, 4, 2, never, %v",
			st.Added, st.Expired[flow.EndIdle], st.AgerPolls, st.LastCleared, st.Since, t0)
	}
	for _, r := range second.Records() {
		if r.SrcAS != 64500 || r.DstAS != 64501 {
			t.Errorf("second sink got %v without the annotator's AS numbers", r.Key)
		}
	}
	if a, b := h.rec.Totals(), second.Totals(); a != b || a.Packets != 19 {
		t.Errorf("sinks got %+v and %+v, want 19 packets each", a, b)
	}

	h.meter(key(1), 1, 100, 0)
	h.meter(key(2), 1, 100, 0)
	h.step(time.Second)
	if st := h.eng.Stats(); st.Added != 6 || st.Active != 2 {
		t.Errorf("before clear: added %d, active %d; want 6, 2", st.Added, st.Active)
	}
	h.eng.Clear()
	clearedAt := h.clk.Now()
	h.meter(key(3), 1, 100, 0)
	h.step(time.Second)
	st = h.eng.Stats()
	if st.Added != 1 || st.Active != 3 || st.ExpiredTotal() != 0 || st.Total() != (flowcache.ProtocolStats{}) ||
		st.AgerPolls != 1 || !st.LastCleared.Equal(clearedAt) || !st.Since.Equal(clearedAt) {
		t.Errorf("after clear: %+v", st)
	}
}

// TestStatsNowCountsTheFlowsActiveNow: the screens show the flows active
// now; the flows added must be counted with the same occupancy, or a flow
// created since the ager's last pass is active but not added. A daemon
// restarted over a pinned table meets the case at once: every flow of
// the table is active before its engine's first pass. A clear between
// passes starts Added from the flows active at the clear, not at the
// last pass.
func TestStatsNowCountsTheFlowsActiveNow(t *testing.T) {
	h := newHarness(t, 64, nil)
	// Flows metered before the first pass (a restart over a pinned
	// table, flows created while no daemon ran).
	for i := range 6 {
		h.meter(key(i), 1, 100, 0)
	}
	if st := h.eng.StatsNow(); st.Active != 6 || st.Added != 6 || st.Capacity != 64 {
		t.Errorf("before the first pass: active %d, added %d, capacity %d; want 6, 6, 64", st.Active, st.Added, st.Capacity)
	}
	h.step(time.Second)
	h.meter(key(6), 1, 100, 0)
	h.meter(key(7), 1, 100, 0)
	if st := h.eng.StatsNow(); st.Active != 8 || st.Added != 8 {
		t.Errorf("two flows after the pass: active %d, added %d; want 8, 8", st.Active, st.Added)
	}
	// Stats stays as of the last pass, itself consistent.
	if st := h.eng.Stats(); st.Active != 6 || st.Added != 6 {
		t.Errorf("Stats: active %d, added %d; want 6, 6 (the last pass)", st.Active, st.Added)
	}
	// Cleared with 8 active (the last pass saw 6): after 8 flows expire
	// and one is created, 1 flow was added since the clear.
	h.eng.Clear()
	h.step(16 * time.Second) // all 8 idle past 15 s
	h.meter(key(8), 1, 100, 0)
	st := h.eng.StatsNow()
	if st.Active != 1 || st.ExpiredTotal() != 8 || st.Added != 1 {
		t.Errorf("after the clear: active %d, expired %d, added %d; want 1, 8, 1", st.Active, st.ExpiredTotal(), st.Added)
	}
}

// TestSaveRestoreGoesOn: an engine restored from another's saved
// statistics counts on from them: the expired flows and their protocol
// rows, the clear and the flows active at it, with the flows the new
// table holds as active and added.
func TestSaveRestoreGoesOn(t *testing.T) {
	h := newHarness(t, 64, nil)
	for i := range 4 {
		h.meter(key(i), 1, 100, 0)
	}
	h.step(time.Second)
	h.eng.Clear()
	h.step(16 * time.Second) // the 4 expire
	h.meter(key(4), 1, 100, 0)
	h.step(time.Second)
	saved := h.eng.Save()
	before := h.eng.StatsNow()

	// The next daemon's engine over the same table (the 1 flow in it,
	// 1 more created while no daemon ran).
	h2 := newHarness(t, 64, nil)
	h2.meter(key(4), 1, 100, 0)
	h2.meter(key(5), 1, 100, 0)
	h2.eng.Restore(saved)
	st := h2.eng.StatsNow()
	if before.Added != 1 || st.Active != 2 || st.ExpiredTotal() != 4 || st.Added != 2 || st.Total() != before.Total() ||
		!st.LastCleared.Equal(before.LastCleared) || !st.Since.Equal(before.Since) {
		t.Errorf("before: added %d; restored: active %d, expired %d, added %d, total %+v (was %+v), cleared %v (was %v); want 1; 2, 4, 2",
			before.Added, st.Active, st.ExpiredTotal(), st.Added, st.Total(), before.Total(), st.LastCleared, before.LastCleared)
	}
}

// TestSaveRestoreKeepsFamilies: the IPv6 flows' share of the expired
// flows and of the protocol rows (show ipv6 flow cache's table), and
// each family's flows held at the last clear (an IPv4 and an IPv6 flow
// monitor's statistics) go on in the next daemon's engine.
func TestSaveRestoreKeepsFamilies(t *testing.T) {
	h := newHarness(t, 64, nil)
	k6 := key(1)
	k6.SrcAddr, k6.DstAddr = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	h.meter(key(0), 1, 100, 0)
	h.meter(key(2), 1, 100, 0)
	h.meter(k6, 1, 100, 0)
	h.step(time.Second)
	h.eng.Clear()
	h.step(16 * time.Second) // the 3 expire
	saved := h.eng.Save()
	before := h.eng.StatsNow()
	if before.AtClear != [2]int{2, 1} || before.Expired6[flow.EndIdle] != 1 || before.Expired[flow.EndIdle] != 3 {
		t.Fatalf("before: at the clear %v, expired %v, IPv6 %v; want [2 1], 3 idle, 1 IPv6", before.AtClear, before.Expired, before.Expired6)
	}
	row, row6 := flowcache.Classify(&k6), flowcache.ProtocolStats{}
	for _, p := range before.Protocols6 {
		row6.Flows += p.Flows
	}
	if p := before.Protocols6[row]; p.Flows != 1 || p.Packets != 1 || p.Bytes != 100 || row6.Flows != 1 || before.Total().Flows != 3 {
		t.Fatalf("before: IPv6 protocol rows %+v (all %+v), total %+v; want 1 flow of 1 packet, 100 bytes, of 3", p, row6, before.Total())
	}
	h2 := newHarness(t, 64, nil)
	h2.eng.Restore(saved)
	if st := h2.eng.StatsNow(); st.AtClear != before.AtClear || st.Expired6 != before.Expired6 || st.Protocols6 != before.Protocols6 {
		t.Errorf("restored: at the clear %v, IPv6 expired %v, rows %+v; want %v, %v, %+v", st.AtClear, st.Expired6, st.Protocols6,
			before.AtClear, before.Expired6, before.Protocols6)
	}
}
