package cfgfile

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

// TestJunOSFlowMonitoringThroughIOS: what the flow-monitoring template
// means (timeouts, template and options resend, IPFIX) is said by the IOS
// rendering that write memory saves, and reads back the same.
func TestJunOSFlowMonitoringThroughIOS(t *testing.T) {
	c, err := junos.Parse("t.set", []byte(`set services flow-monitoring version-ipfix template T flow-active-timeout 120
set services flow-monitoring version-ipfix template T flow-inactive-timeout 30
set services flow-monitoring version-ipfix template T template-refresh-rate seconds 120
set services flow-monitoring version-ipfix template T option-refresh-rate seconds 180
set forwarding-options sampling instance S input rate 100
set forwarding-options sampling instance S family inet output flow-server 192.0.2.9 port 4739 version-ipfix template T
`))
	if err != nil {
		t.Fatal(err)
	}
	text := ios.Render(c)
	for _, want := range []string{
		"ip flow-cache timeout inactive 30\n", "ip flow-cache timeout active 2\n",
		"ip flow-export template timeout-rate 2\n", "ip flow-export template options timeout-rate 3\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("IOS rendering lacks %q:\n%s", want, text)
		}
	}
	back, err := Parse("saved", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if back.Cache.Active != 2*time.Minute || back.Cache.Inactive != 30*time.Second || back.Export.TemplateTimeout != 2*time.Minute ||
		back.Export.OptionsTimeout != 3*time.Minute || len(back.Export.Destinations) != 1 || back.Export.Destinations[0].Version != platform.IPFIX {
		t.Errorf("read back %+v %+v", back.Cache, back.Export)
	}
	// Juniper's own inline J-Flow example resends templates and options
	// every 1000 packets or 10 seconds: more packets and sooner than IOS
	// can say. The model holds them, the saved file keeps them in the
	// template's lines and reads back the same (the file said 10 s was
	// "not a whole number of 1m0s" and packets was a syntax error).
	c, err = junos.Parse("t.set", []byte(`set services flow-monitoring version-ipfix template T template-refresh-rate packets 1000 seconds 10
set services flow-monitoring version-ipfix template T option-refresh-rate packets 4800
set services flow-monitoring version-ipfix template T option-refresh-rate seconds 90
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template T
`))
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Resend(); r != (platform.Resend{TemplatePackets: 1000, TemplateEvery: 10 * time.Second, OptionPackets: 4800, OptionEvery: 90 * time.Second}) {
		t.Errorf("folded %+v", r)
	}
	saved := SaveText(c)
	if strings.Contains(saved, "ip flow-export template") {
		t.Errorf("IOS lines for values IOS cannot say:\n%s", saved)
	}
	for _, want := range []string{
		"flowtap junos set services flow-monitoring version-ipfix template T template-refresh-rate packets 1000\n",
		"flowtap junos set services flow-monitoring version-ipfix template T template-refresh-rate seconds 10\n",
		"flowtap junos set services flow-monitoring version-ipfix template T option-refresh-rate packets 4800\n",
		"flowtap junos set services flow-monitoring version-ipfix template T option-refresh-rate seconds 90\n",
	} {
		if !strings.Contains(saved, want) {
			t.Errorf("saved file lacks %q:\n%s", want, saved)
		}
	}
	if back, err := Parse("saved", []byte(saved)); err != nil {
		t.Fatalf("%v\n%s", err, saved)
	} else if back.Resend() != c.Resend() {
		t.Errorf("read back %+v, want %+v", back.Resend(), c.Resend())
	}
}

// TestJunOSDualStackServerSaved: a flow-server's family inet6 template
// (Junos's dual-stack form) survives write memory and a restart.
func TestJunOSDualStackServerSaved(t *testing.T) {
	c, err := junos.Parse("t.set", []byte(`set flowtap platform cflowd
set services flow-monitoring version-ipfix template v4 ipv4-template
set services flow-monitoring version-ipfix template v6 ipv6-template
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template v4
set forwarding-options sampling family inet6 output flow-server 192.0.2.9 port 4739 version-ipfix template v6
`))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Export.Destinations; len(d) != 1 || d[0].Template != "v4" || d[0].Template6 != "v6" || d[0].Version != platform.IPFIX {
		t.Fatalf("destinations %+v", d)
	}
	saved := SaveText(c)
	back, err := Parse("saved", []byte(saved))
	if err != nil {
		t.Fatalf("%v\n%s", err, saved)
	}
	if ch := config.Diff(c, back); len(ch) != 0 {
		t.Errorf("read back differs: %v\n%s", ch, saved)
	}
}
