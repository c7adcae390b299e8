package snmp

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

// TestTemplateTableIsTheDevices: cnfTemplateTable is indexed by template
// type alone, so its counts are the device's templates (the MIB: "statistics
// of version 9 Flow and Option templates"), each once. Read here over real
// exporters: a v5 destination first (it defines none), then two v9
// destinations sending the same two data templates (IPv4, IPv6), which
// count once, then an IPFIX destination, whose templates are others.
// Before, the counts were the first destination's only: 0 here.
func TestTemplateTableIsTheDevices(t *testing.T) {
	boot := time.Now()
	dest := func(v export.Version) *export.Exporter {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		e, err := export.NewExporter(export.DestinationConfig{Collector: netip.MustParseAddrPort(c.LocalAddr().String()), MaxRate: -1,
			Encoder: export.EncoderConfig{Version: v, BootTime: boot}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}
	v5, v9a, v9b := dest(export.V5), dest(export.V9), dest(export.V9)
	one, _ := v9a.TemplateKeys()
	if len(one) == 0 {
		t.Fatal("a v9 destination defines no data template")
	}
	cases := []struct {
		name string
		exps []*export.Exporter
		data int
	}{
		{"v5 only", []*export.Exporter{v5}, 0},
		{"v5, then v9", []*export.Exporter{v5, v9a}, len(one)},
		{"v5, then two v9", []*export.Exporter{v5, v9a, v9b}, len(one)},
	}
	ipfix := dest(export.IPFIX)
	ipfixData, _ := ipfix.TemplateKeys()
	t.Logf("templates: v9 %d, IPFIX %d", len(one), len(ipfixData))
	cases = append(cases, struct {
		name string
		exps []*export.Exporter
		data int
	}{"v5, two v9 and IPFIX", []*export.Exporter{v5, v9a, v9b, ipfix}, len(one) + len(ipfixData)})

	for _, c := range cases {
		s := &FlowtapSource{Exporters: func() []*export.Exporter { return c.exps }, Version: func() uint32 { return 5 }}
		cfg := testConfig(newFakeBackend())
		cfg.Listen, cfg.Netflow, cfg.Interfaces = nil, s, staticInterfaces{}
		a, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// cnfTemplateAdded and cnfTemplateActive of template(1).
		p := decodeResponse(t, a.handle(communityRequest(t, version2c, roCommunity,
			getPDU(t, pduGet, 0, 0, "1.3.6.1.4.1.9.9.387.1.6.2.1.2.1", "1.3.6.1.4.1.9.9.387.1.6.2.1.3.1")), testFrom))
		if p.errStatus != 0 || p.vbs[0].Value.Uint != uint64(c.data) || p.vbs[1].Value.Uint != uint64(c.data) {
			t.Errorf("%s: cnfTemplateAdded/Active.template %v, want %d", c.name, p.vbs, c.data)
		}
	}
}
