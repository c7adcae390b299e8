package cfgfile

import (
	"strings"
	"testing"
	"time"

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
set services flow-monitoring version-ipfix template T template-refresh-rate seconds 60
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
		"ip flow-export template timeout-rate 1\n", "ip flow-export template options timeout-rate 3\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("IOS rendering lacks %q:\n%s", want, text)
		}
	}
	back, err := Parse("saved", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if back.Cache.Active != 2*time.Minute || back.Cache.Inactive != 30*time.Second || back.Export.TemplateTimeout != time.Minute ||
		back.Export.OptionsTimeout != 3*time.Minute || len(back.Export.Destinations) != 1 || back.Export.Destinations[0].Version != platform.IPFIX {
		t.Errorf("read back %+v %+v", back.Cache, back.Export)
	}
	// A resend the exporter cannot hold (whole minutes, as IOS says it)
	// is refused on the template's line.
	_, err = junos.Parse("t.set", []byte(`set services flow-monitoring version-ipfix template T option-refresh-rate seconds 90
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template T
`))
	if err == nil || !strings.Contains(err.Error(), "t.set:1:") || !strings.Contains(err.Error(), "not a whole number of 1m0s") {
		t.Errorf("option-refresh-rate 90: %v", err)
	}
}
