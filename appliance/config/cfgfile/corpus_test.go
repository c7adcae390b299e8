package cfgfile

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/platform"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/pasted/*.refused")

// TestPastedCorpus boots each router configuration of testdata/pasted
// (an ISR 2900 on IOS 15, an ISR 4431 on IOS-XE 16, a Catalyst 6500 on
// 12.2SX; SOURCES.md says where each line's form comes from) as a
// startup-config. Every line it refuses is reported with its file:line
// and a reason in words (never the bare marker alone), and the refusals
// are the ones in FILE.refused; a refused block takes its body with it
// (a vrf definition its indented `!`); banners apply, multi-line ones
// with their text; the lines that
// mean nothing on a tap box (service pad, platform qfp, license udi,
// stopbits, `no ip http server`) are taken quietly; the good lines
// apply. Run with -update-corpus to rewrite the .refused files after a
// deliberate change, and read the diff.
func TestPastedCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/pasted/*.cfg")
	if err != nil || len(files) < 3 {
		t.Fatalf("corpus: %v %v", files, err)
	}
	// What each configuration must have applied: its running-config lines.
	applied := map[string][]string{
		"isr2900.cfg": {"hostname edge-2911", "snmp-server enable traps snmp authentication linkdown linkup coldstart warmstart",
			"snmp-server enable traps config", "snmp-server host 192.0.2.30 version 2c n0cRead", "ntp server 192.0.2.123 prefer",
			"logging host 192.0.2.20", "logging trap notifications", "ip domain name example.net", "ip name-server 192.0.2.53",
			"snmp-server community n0cRead RO SNMP-RO", "snmp-server location DC1 row 4 rack 12", "ip flow-export destination 192.0.2.10 2055",
			"line vty 0 4\n access-class 10 in", "banner motd ^C\nAuthorised access only.\n^C"},
		"isr4k.cfg": {"hostname isr4431-br1", "snmp-server enable traps snmp authentication linkdown linkup coldstart warmstart",
			"snmp-server enable traps config", "ip name-server 192.0.2.53\nip name-server 192.0.2.54", "logging host 192.0.2.20",
			"ip access-list extended MGMT-IN", "snmp-server community br1RO RO VTY-ACL", "banner login ^CBranch router: authorised use only^C",
			// Its Flexible NetFlow section, back as pasted (the exporter's
			// source names a router port, refused).
			"flow record FNF-REC\n match ipv4 tos\n match ipv4 protocol\n match ipv4 source address\n match ipv4 destination address\n" +
				" match transport source-port\n match transport destination-port\n match interface input\n collect interface output\n" +
				" collect counter bytes long\n collect counter packets long\n collect timestamp sys-uptime first\n collect timestamp sys-uptime last\n!",
			"flow exporter FNF-EXP\n destination 192.0.2.10\n transport udp 2055\n template data timeout 60\n!",
			"flow monitor FNF-MON\n exporter FNF-EXP\n cache timeout active 60\n record FNF-REC\n!"},
		"cat6500.cfg": {"hostname core-6509", "snmp-server enable traps snmp authentication linkdown linkup coldstart warmstart",
			"snmp-server enable traps config", "snmp-server community c0re view cutdown RO 20", "ntp server 192.0.2.123",
			"snmp-server host 192.0.2.30 version 1 c0re", "ip flow-export source Vlan10", "ip domain name example.net"},
	}
	// The 6500's NDE lines apply once the operator names its PFC (a
	// router's running-config has no platform line).
	t.Run("cat6500 as pfc3bxl", func(t *testing.T) {
		src, err := os.ReadFile("testdata/pasted/cat6500.cfg")
		if err != nil {
			t.Fatal(err)
		}
		c, skipped := Salvage("cat6500.cfg", append([]byte("platform pfc3bxl\n"), src...))
		for _, e := range skipped {
			if strings.Contains(e.Error(), "mls") {
				t.Errorf("refused under pfc3bxl: %v", e)
			}
		}
		rc := ios.RunningConfig(c)
		for _, l := range []string{"mls nde sender version 5", "mls nde interface", "mls netflow interface", "mls aging long 64"} {
			if !strings.Contains(rc, "\n"+l+"\n") {
				t.Errorf("running-config lacks %q:\n%s", l, rc)
			}
		}
	})
	// The 4431's NetFlow section exports once its WAN port is a Linux
	// link: the monitor is the main cache (active timeout 60 s) and its
	// exporter the collector (v9, FNF's default, to port 2055, sent
	// from the port, templates every 60 s).
	t.Run("isr4k with its WAN port as eth1", func(t *testing.T) {
		src, err := os.ReadFile("testdata/pasted/isr4k.cfg")
		if err != nil {
			t.Fatal(err)
		}
		c, skipped := Salvage("isr4k.cfg", []byte(strings.ReplaceAll(string(src), "GigabitEthernet0/0/0", "eth1")))
		for _, e := range skipped {
			// Lines 52-76: the flow blocks; 77 and 80 the WAN interface
			// and its monitor (its address and negotiation are refused).
			if le := (*config.LineError)(nil); errors.As(e, &le) && (le.Line >= 52 && le.Line <= 77 || le.Line == 80) {
				t.Errorf("refused: %v", e)
			}
		}
		rc := ios.RunningConfig(c)
		for _, l := range []string{"interface eth1\n description WAN\n ip flow monitor FNF-MON input\n", "flow exporter FNF-EXP\n destination 192.0.2.10\n source eth1\n"} {
			if !strings.Contains(rc, l) {
				t.Errorf("running-config lacks %q:\n%s", l, rc)
			}
		}
		e := c.Effective()
		want := []config.Destination{{Addr: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.V9}}
		if !slices.Equal(e.Export.Destinations, want) || e.Export.Source != "eth1" || e.Export.TemplateTimeout != time.Minute ||
			e.Cache.Active != time.Minute || e.Cache.Inactive != 0 {
			t.Errorf("effective export %+v cache %+v; want %v from eth1, templates every 60 s, active 60 s", e.Export, e.Cache, want)
		}
		if i := slices.IndexFunc(e.Interfaces, func(i config.Interface) bool { return i.Name == "eth1" }); i < 0 || !e.Interfaces[i].Ingress {
			t.Errorf("eth1 is not metered: %+v", e.Interfaces)
		}
	})
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, skipped := Salvage(name, src)
			lines := strings.Split(string(src), "\n")
			var got strings.Builder
			for _, e := range skipped {
				var le *config.LineError
				if !errors.As(e, &le) {
					t.Errorf("not a line error: %v", e)
					continue
				}
				if !strings.HasPrefix(e.Error(), fmt.Sprintf("%s:%d: ", name, le.Line)) {
					t.Errorf("does not name file:line: %v", e)
				}
				if le.Reason == "" || le.Reason == "invalid input" || strings.HasPrefix(le.Reason, "invalid input at") {
					t.Errorf("%s:%d %q refused without a reason: %v", name, le.Line, lines[le.Line-1], e)
				}
				fmt.Fprintf(&got, "%d: %s\n    %% %s\n", le.Line, strings.TrimSpace(lines[le.Line-1]), le.Reason)
			}
			golden := strings.TrimSuffix(f, ".cfg") + ".refused"
			if *updateCorpus {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("refused lines differ from %s:\n--- got\n%s--- want\n%s", golden, got.String(), want)
			}
			rc := ios.RunningConfig(c)
			for _, l := range applied[name] {
				if !strings.Contains(rc, "\n"+l+"\n") {
					t.Errorf("running-config lacks %q:\n%s", l, rc)
				}
			}
		})
	}
}
