package cfgfile

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

// seedJunOS reads the JunOS 8.x cflowd configuration as the NANOG39
// seed describes it (interfaces, forwarding-options sampling input
// family inet at rate 1, a cflowd v5 server and the services PIC sourcing
// the export, and a catch-all firewall filter that samples everything),
// the file flowtapd's end-to-end test loads too, with its placeholders
// filled in: the Ethernet port a Linux one, the collector 192.0.2.10:2055.
func seedJunOS(t *testing.T) []byte {
	t.Helper()
	text, err := os.ReadFile("../../../testdata/configs/seed-junos.conf")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("PORT", "eth1", "COLLECTOR", "192.0.2.10", "CPORT", "2055").Replace(string(text)))
}

// TestSeedJunOSLoads: the seed's configuration loads with no error into
// what it says: rate 1 with a 5000 pps cap, one v5 collector with origin
// AS, the services PIC's address as the export source; its IOS and JunOS
// renderings read back to the same model.
func TestSeedJunOSLoads(t *testing.T) {
	c, err := junos.Parse("seed", seedJunOS(t))
	if err != nil {
		t.Fatal(err)
	}
	want := platform.Sampling{Mode: platform.SamplingJuniper, Rate: 1, MaxPacketsPerSecond: 5000}
	if c.Sampling != want {
		t.Errorf("sampling %+v, want %+v", c.Sampling, want)
	}
	if len(c.Interfaces) != 1 || c.Interfaces[0].Name != "eth1" || c.Interfaces[0].FilterInput4 != "catch_all" || !c.Interfaces[0].Metered() {
		t.Errorf("interfaces %+v", c.Interfaces)
	}
	if len(c.Firewall) != 1 || c.Firewall[0].Name != "catch_all" || len(c.Firewall[0].Terms) != 1 {
		t.Errorf("firewall %+v", c.Firewall)
	}
	d := c.Export.Destinations
	if len(d) != 1 || d[0].Addr != netip.MustParseAddrPort("192.0.2.10:2055") || d[0].Version != platform.V5 || c.DestinationAS(d[0]) != platform.ASOrigin {
		t.Errorf("destinations %+v", d)
	}
	if c.Export.ServicesIf != "sp-0/0/0" || c.Export.ServicesSource != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("services interface %q %s", c.Export.ServicesIf, c.Export.ServicesSource)
	}
	iosText := ios.RunningConfig(c)
	if !strings.Contains(iosText, "flowtap services-interface sp-0/0/0 source-address 192.0.2.1\n") {
		t.Errorf("IOS rendering:\n%s", iosText)
	}
	for what, text := range map[string]string{"ios": iosText, "junos set": junos.RenderSet(c), "junos braces": junos.Render(c)} {
		var back config.Config
		if what == "ios" {
			back, err = ios.Parse(what, []byte(text))
		} else {
			back, err = junos.Parse(what, []byte(text))
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", what, err, text)
		}
		var diff []config.Change
		for _, ch := range config.Diff(c, back) {
			// IOS has no firewall filters: that part is JunOS's alone.
			if what == "ios" && (strings.HasPrefix(ch.Path, "firewall") || strings.HasSuffix(ch.Path, ".filter-input4")) {
				continue
			}
			diff = append(diff, ch)
		}
		if len(diff) != 0 {
			t.Errorf("%s round trip: %v\n%s", what, diff, text)
		}
	}
	// The JunOS 8 set-line forms load too.
	set := "set forwarding-options sampling input family inet rate 1\n" +
		"set forwarding-options sampling output cflowd 192.0.2.10 port 2055\n" +
		"set forwarding-options sampling output interface sp-0/0/0 source-address 192.0.2.1\n"
	s, err := junos.Parse("set", []byte(set))
	if err != nil {
		t.Fatal(err)
	}
	if s.Sampling.Rate != 1 || len(s.Export.Destinations) != 1 || s.Export.ServicesSource != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("set form: %+v %+v", s.Sampling, s.Export)
	}
	if _, err := junos.Parse("bad", []byte("set forwarding-options sampling output interface eth1 source-address 192.0.2.1\n")); err == nil {
		t.Error("a Linux port was taken as the services interface")
	}
}
