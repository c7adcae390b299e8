package snmp

import (
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
)

func TestFlowtapSource(t *testing.T) {
	clock := flowcachetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	dp := flowcachetest.NewDatapath(4096)
	aging := flowcache.Aging{Inactive: 20 * time.Second, Active: 10 * time.Minute}
	eng, err := flowcache.New(flowcache.Config{Datapath: dp, Clock: clock, Aging: &aging,
		TopTalkers: flowcache.TopTalkersConfig{Top: 5, SortBy: platform.SortByBytes}})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []uint64{100, 300} {
		dp.Meter(flowcachetest.Packet{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("10.0.0.2"),
			Proto: 17, SrcPort: uint16(1000 + i), DstPort: 53}, Bytes: n, Time: clock.Now()})
	}
	s := &FlowtapSource{Engine: func() *flowcache.Engine { return eng }, Version: func() uint32 { return 9 }, MaxCollectors: 2}
	c, err := s.CacheStats()
	if err != nil || c.ActiveTimeout != 10*time.Minute || c.InactiveTimeout != 20*time.Second || !c.Enabled {
		t.Errorf("CacheStats %+v, %v", c, err)
	}
	e, err := s.ExportStats()
	if err != nil || e.Version != 9 || e.MaxCollectors != 2 || len(e.Collectors) != 0 {
		t.Errorf("ExportStats %+v, %v", e, err)
	}
	tf, err := s.TopFlows()
	if err != nil || tf.TopN != 5 || tf.SortBy != SortByBytes || len(tf.Flows) != 2 || tf.Flows[0].Bytes != 300 {
		t.Errorf("TopFlows %+v, %v", tf, err)
	}
	// The same through the MIB.
	cfg := testConfig(newFakeBackend())
	cfg.Listen, cfg.Netflow, cfg.Interfaces = nil, s, staticInterfaces{}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := decodeResponse(t, a.handle(communityRequest(t, version2c, roCommunity,
		getPDU(t, pduGet, 0, 0, "1.3.6.1.4.1.9.9.387.1.1.2.1.7.0", "1.3.6.1.4.1.9.9.387.1.7.8.1.24.1")), testFrom))
	if p.errStatus != 0 || p.vbs[0].Value.Uint != 20 || p.vbs[1].Value.Uint != 300 {
		t.Errorf("MIB over FlowtapSource: %v", p.vbs)
	}
}
