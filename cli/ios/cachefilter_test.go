package ios

import (
	"net/netip"
	"os"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/cli/show"
)

// manyFlows is a backend whose cache holds flows on three ports (one
// named without a unit number) and in three networks.
type manyFlows struct{ fakeBackend }

func (m *manyFlows) CacheView() show.CacheView {
	v := m.fakeBackend.CacheView()
	mk := func(src, dst string, in, out uint32, pkts uint64) flow.Record {
		return flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr(dst),
			Proto: 17, SrcPort: 5000, DstPort: 53, InputIf: in}, OutputIf: out, Packets: pkts, Bytes: pkts * 80}
	}
	v.Flows = []flow.Record{
		mk("10.0.0.1", "192.0.2.9", 3, 0, 11),
		mk("10.1.2.3", "198.51.100.7", 4, 0, 22),
		mk("172.16.0.5", "10.1.9.9", 3, 4, 33),
		mk("172.16.0.6", "203.0.113.1", 4, 0, 44),
		mk("192.0.2.50", "10.0.0.9", 1, 0, 55),
	}
	v.IfName = func(i uint32) string { return map[uint32]string{1: "lo", 3: "eth1", 4: "eth2"}[i] }
	return v
}

// Interfaces adds the loopback, whose name, as many Linux ports' (a veth,
// a renamed port), has no unit number.
func (m *manyFlows) Interfaces() ([]show.Interface, error) {
	ifs, err := m.fakeBackend.Interfaces()
	return append(ifs, show.Interface{Name: "lo", AdminUp: true, Carrier: true, ProtocolUp: true}), err
}

// TestShowIPCacheFilters: `show ip cache [PREFIX MASK] [INTERFACE]
// [verbose] flow` lists only the flows from or to the prefix and in or
// out of the interface, under the whole cache's header; `?` offers the
// filters, and a bad mask or an interface the box lacks gets the caret.
func TestShowIPCacheFilters(t *testing.T) {
	s := NewSession(&manyFlows{fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, true)
	got := transcript(s, `
show ip cache ?
show ip cache 10.0.0.0 ?
show ip cache 10.0.0.0 255.0.0.0 ?
show ip cache 10.0.0.0 255.0.0.0 flow
show ip cache 10.1.0.0 255.255.0.0 eth2 flow
show ip cache eth2 verbose flow
show ip cache 172.16.0.0 255.240.0.0 eth1 flow | include 172
show ip cache 10.0.0.0 255.0.255.0 flow
show ip cache eth9 flow
show ip cache lo flow
show ip cache 10.0.0.0 255.0.0.0 lo verbose flow
show ip cache 10.0.0.0 flow
show ip cache flwo`)
	path := "testdata/cache-filter.golden"
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs; got:\n%s", got)
	}
}
