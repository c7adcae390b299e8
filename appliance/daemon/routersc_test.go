package daemon

import (
	"net/netip"
	"os/exec"
	"testing"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestPFCRouterSC: a PFC persona's v7 records name the router being
// shortcut (bytes 48-51, router_sc) as the appliance's `ip flow-export
// source` address, the address its NDE packets come from; without a
// source, and on the router, the field stays 0. Before, nothing set it,
// so every v7 record carried 0 there.
func TestPFCRouterSC(t *testing.T) {
	v := testnet.Enter(t)
	if out, err := testproc.CombinedOutput(exec.Command("ip", "addr", "add", "10.77.0.1/24", "dev", v.Mon)); err != nil {
		t.Fatalf("ip addr add: %v: %s", err, out)
	}
	src := "ip flow-export source " + v.Mon + "\n"
	for _, c := range []struct {
		name, src string
		want      netip.Addr
	}{
		{"pfc3bxl v7", "platform pfc3bxl\nmls nde sender version 7\n" + src + "ip flow-export destination 127.0.0.1 9995\n", netip.MustParseAddr("10.77.0.1")},
		{"pfc2 v7", "platform pfc2\nmls nde sender version 7\n" + src + "ip flow-export destination 127.0.0.1 9995\n", netip.MustParseAddr("10.77.0.1")},
		{"pfc3bxl no source", "platform pfc3bxl\nmls nde sender version 7\nip flow-export destination 127.0.0.1 9995\n", netip.Addr{}},
		{"router v5", "ip flow-export version 5\n" + src + "ip flow-export destination 127.0.0.1 9995\n", netip.Addr{}},
	} {
		cfg, err := cfgfile.Parse("t.cfg", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s, err := SettingsFrom(cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(s.Exports) != 1 {
			t.Fatalf("%s: %d destinations, want 1", c.name, len(s.Exports))
		}
		if got := s.Exports[0].Encoder.RouterSC; got != c.want {
			t.Errorf("%s: router_sc %v, want %v", c.name, got, c.want)
		}
	}
}
