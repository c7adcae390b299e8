package junos

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/platform"
)

const out = "set forwarding-options sampling family inet output "

// aggregations sums up c's aggregation caches and main servers.
func aggregations(c config.Config) string {
	var b []string
	for _, a := range c.Aggregations {
		b = append(b, fmt.Sprintf("%s%v", a.Scheme, a.Destinations))
	}
	for _, d := range c.Export.Destinations {
		b = append(b, fmt.Sprintf("main %s v%d", d.Addr, d.Version))
	}
	return strings.Join(b, " ")
}

// TestAggregationServers: a version 8 flow-server with aggregations is
// the aggregation caches' server and no main-cache one, however its
// statements are ordered; its rendering loads back to the same model in
// both dialects, and delete takes it off.
func TestAggregationServers(t *testing.T) {
	want := "protocol-port[192.0.2.5:2055] prefix[192.0.2.5:2055] main 192.0.2.9:9995 v9"
	for name, src := range map[string]string{
		"set": out + "flow-server 192.0.2.9 port 9995 version 9\n" +
			out + "flow-server 192.0.2.5 port 2055 version 8\n" +
			out + "flow-server 192.0.2.5 port 2055 aggregation protocol-port\n" +
			out + "flow-server 192.0.2.5 aggregation source-destination-prefix\n",
		"braces": `forwarding-options { sampling { family inet { output {
    flow-server 192.0.2.9 { port 9995; version 9; }
    flow-server 192.0.2.5 { port 2055; version 8; aggregation { protocol-port; source-destination-prefix; } }
} } } }
`,
		"aggregation before port": `forwarding-options { sampling { family inet { output {
    flow-server 192.0.2.9 { port 9995; version 9; }
    flow-server 192.0.2.5 { aggregation { protocol-port; source-destination-prefix; } port 2055; version 8; }
} } } }
`,
	} {
		c, err := Parse(name, []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := aggregations(c); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
		for _, a := range c.Aggregations {
			if !a.Enabled || a.ExportVersionOrDefault() != platform.V8 {
				t.Errorf("%s: %+v is not an enabled version 8 cache", name, a)
			}
		}
		set := RenderSet(c)
		if !strings.Contains(set, out+"flow-server 192.0.2.5 port 2055 aggregation protocol-port\n") {
			t.Errorf("%s: display set:\n%s", name, set)
		}
		for form, text := range map[string]string{"display set": set, "braces": Render(c)} {
			back, err := Apply(config.Config{Platform: c.Platform}, form, []byte(text))
			if err != nil || !config.Equal(back, c) {
				t.Errorf("%s: %s does not load back (%v): %s\n%s", name, form, err, aggregations(back), text)
			}
		}
		if u := Unmapped(c); len(u) > 0 {
			t.Errorf("%s: unmapped %v", name, u)
		}
		viaIOS, err := ios.Parse("ios", []byte(ios.Render(c)))
		if err != nil || aggregations(viaIOS) != want {
			t.Errorf("%s: through IOS (%v): %s\n%s", name, err, aggregations(viaIOS), ios.Render(c))
		}
	}
	c, err := Parse("set", []byte(out+"flow-server 192.0.2.5 port 2055 aggregation protocol-port\n"+out+"flow-server 192.0.2.5 port 2055 aggregation source-prefix\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ line, want string }{
		{"delete" + out[3:] + "flow-server 192.0.2.5 port 2055 aggregation protocol-port", "source-prefix[192.0.2.5:2055]"},
		{"set" + out[3:] + "flow-server 192.0.2.5 port 2056 aggregation source-prefix", "source-prefix[192.0.2.5:2055 192.0.2.5:2056]"},
		{"delete" + out[3:] + "flow-server 192.0.2.5", ""},
	} {
		if c, err = Apply(c, "step", []byte(step.line)); err != nil {
			t.Fatalf("%s: %v", step.line, err)
		}
		if got := aggregations(c); got != step.want {
			t.Errorf("%s: %s, want %s", step.line, got, step.want)
		}
	}
	// An IOS cache JunOS cannot say (version 9) stays out of display set.
	c.Aggregations = []config.Aggregation{{Scheme: platform.SchemeProtocolPort, Version: platform.V9, Enabled: true, Destinations: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.7:9")}}}
	if strings.Contains(RenderSet(c), "aggregation") {
		t.Errorf("a version 9 cache in display set:\n%s", RenderSet(c))
	}
}
