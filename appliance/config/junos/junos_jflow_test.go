package junos

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// inlineJflow is an MX's inline IPFIX configuration as operators write it.
const inlineJflow = `set chassis fpc 0 sampling-instance SI
set services flow-monitoring version-ipfix template IPV4 flow-active-timeout 120
set services flow-monitoring version-ipfix template IPV4 flow-inactive-timeout 15
set services flow-monitoring version-ipfix template IPV4 template-refresh-rate seconds 60
set services flow-monitoring version-ipfix template IPV4 option-refresh-rate seconds 120
set services flow-monitoring version-ipfix template IPV4 ipv4-template
set services flow-monitoring version9 template V9 ipv4-template
set interfaces eth0 unit 0 family inet sampling input
set forwarding-options sampling instance SI input rate 10
set forwarding-options sampling instance SI family inet output flow-server 192.0.2.9 port 4739
set forwarding-options sampling instance SI family inet output flow-server 192.0.2.9 version-ipfix template IPV4
set forwarding-options sampling instance SI family inet output inline-jflow source-address 192.0.2.1
`

func TestFlowMonitoringMapsOntoTheModel(t *testing.T) {
	c, err := Parse("t.set", []byte(inlineJflow))
	if err != nil {
		t.Fatal(err)
	}
	if c.Cache.Active != 120*time.Second || c.Cache.Inactive != 15*time.Second {
		t.Errorf("cache timeouts %v/%v, want 2m0s/15s", c.Cache.Active, c.Cache.Inactive)
	}
	if r := c.Resend(); r.TemplateEvery != 60*time.Second || r.OptionEvery != 120*time.Second {
		t.Errorf("template/options refresh %v/%v, want 1m0s/2m0s", r.TemplateEvery, r.OptionEvery)
	}
	if len(c.Export.Destinations) != 1 {
		t.Fatalf("destinations %+v", c.Export.Destinations)
	}
	d := c.Export.Destinations[0]
	if d.Addr.String() != "192.0.2.9:4739" || d.Version != platform.IPFIX || d.Template != "IPV4" {
		t.Errorf("destination %+v", d)
	}
	if c.Export.ServicesSource.String() != "192.0.2.1" || !c.JFlow.Inline {
		t.Errorf("source %v inline %v", c.Export.ServicesSource, c.JFlow.Inline)
	}
	if c.Sampling.Mode != platform.SamplingJuniper || c.Sampling.Rate != 10 || c.JFlow.Instance != "SI" {
		t.Errorf("sampling %+v instance %q", c.Sampling, c.JFlow.Instance)
	}
	if len(c.Interfaces) != 1 || !c.Interfaces[0].Ingress {
		t.Errorf("interfaces %+v", c.Interfaces)
	}
}

func TestFlowMonitoringRoundTrip(t *testing.T) {
	c, err := Parse("t.set", []byte(inlineJflow))
	if err != nil {
		t.Fatal(err)
	}
	set := RenderSet(c)
	for _, want := range []string{
		"set chassis fpc 0 sampling-instance SI\n",
		"set services flow-monitoring version-ipfix template IPV4 flow-active-timeout 120\n",
		"set services flow-monitoring version-ipfix template IPV4 template-refresh-rate seconds 60\n",
		"set services flow-monitoring version-ipfix template IPV4 option-refresh-rate seconds 120\n",
		"set services flow-monitoring version9 template V9 ipv4-template\n",
		"set forwarding-options sampling instance SI input rate 10\n",
		"set forwarding-options sampling instance SI family inet output inline-jflow source-address 192.0.2.1\n",
		"set forwarding-options sampling instance SI family inet output flow-server 192.0.2.9 version-ipfix template IPV4\n",
	} {
		if !strings.Contains(set, want) {
			t.Errorf("display set lacks %q:\n%s", want, set)
		}
	}
	// The folded timeouts are the template's to say, not the output's.
	if strings.Contains(set, "output flow-active-timeout") {
		t.Errorf("display set repeats the template's timeout under output:\n%s", set)
	}
	braces := Render(c)
	for _, want := range []string{"flow-monitoring {", "version-ipfix {", "template IPV4 {", "template-refresh-rate {", "inline-jflow {", "instance SI {"} {
		if !strings.Contains(braces, want) {
			t.Errorf("braces lack %q:\n%s", want, braces)
		}
	}
	for name, text := range map[string]string{"set": set, "braces": braces} {
		back, err := Parse("back", []byte(text))
		if err != nil {
			t.Fatalf("%s form does not parse back: %v\n%s", name, err, text)
		}
		if ch := config.Diff(c, back); len(ch) != 0 {
			t.Errorf("%s form round trip changed %v", name, ch)
		}
	}
	if u := Unmapped(c); len(u) != 0 {
		t.Errorf("Unmapped = %v", u)
	}
}

func TestFlowMonitoringRefusals(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"conflicting timeouts", `set services flow-monitoring version-ipfix template A flow-active-timeout 60
set services flow-monitoring version-ipfix template B flow-active-timeout 120
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template A
set forwarding-options sampling family inet output flow-server 192.0.2.10 port 4739 version-ipfix template B
`, "error: templates A and B are used at once with flow-active-timeout 60 and 120"},
		{"undefined template", `set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template NONE
`, "template NONE is not defined under services flow-monitoring"},
		{"wrong version", `set services flow-monitoring version9 template A ipv4-template
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template A
`, "template A is a version9 template, not version-ipfix"},
		{"unbound fpc", `set chassis fpc 0 sampling-instance X
`, "fpc 0: sampling instance X is not configured"},
		{"two instances", `set forwarding-options sampling instance A input rate 10
set forwarding-options sampling instance B input rate 10
`, "sampling instance A is configured already"},
		{"persona range blamed on the template", `set services flow-monitoring version-ipfix template A flow-active-timeout 30
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template A
`, "t.set:1: \"30\": value 30 is not within range (60..1800)"},
		{"timeout range", `set services flow-monitoring version-ipfix template A flow-active-timeout 5
`, "value 5 is not within range (10..600)"},
	} {
		_, err := Parse("t.set", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	// Two templates used at once that agree are fine.
	if _, err := Parse("t.set", []byte(`set services flow-monitoring version-ipfix template A flow-active-timeout 60
set services flow-monitoring version9 template B flow-active-timeout 60
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template A
set forwarding-options sampling family inet output flow-server 192.0.2.10 port 2055 version9 template B
`)); err != nil {
		t.Errorf("agreeing templates refused: %v", err)
	}
}

func TestFlowMonitoringDelete(t *testing.T) {
	s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
	for _, l := range strings.Split(strings.TrimSpace(inlineJflow), "\n") {
		if err := s.Exec(l); err != nil {
			t.Fatal(l, err)
		}
	}
	for _, l := range []string{
		"delete forwarding-options sampling instance SI family inet output flow-server 192.0.2.9 version-ipfix",
		"delete services flow-monitoring version-ipfix template IPV4 option-refresh-rate",
		"delete services flow-monitoring version9",
		"delete chassis fpc 0",
	} {
		if err := s.Exec(l); err != nil {
			t.Fatal(l, err)
		}
	}
	c, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Export.Destinations[0]; d.Template != "" || d.Version != 0 {
		t.Errorf("destination %+v still has its template", d)
	}
	if len(c.JFlow.Templates) != 1 || c.JFlow.Templates[0].OptionRefresh != 0 || len(c.JFlow.FPCs) != 0 {
		t.Errorf("jflow %+v", c.JFlow)
	}
}

func TestDeleteSamplingInstance(t *testing.T) {
	s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
	for _, l := range strings.Split(strings.TrimSpace(inlineJflow), "\n") {
		if err := s.Exec(l); err != nil {
			t.Fatal(l, err)
		}
	}
	for _, l := range []string{"delete forwarding-options sampling instance SI", "delete chassis"} {
		if err := s.Exec(l); err != nil {
			t.Fatal(l, err)
		}
	}
	c, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if c.JFlow.Instance != "" || c.JFlow.Inline || c.Sampling.Mode != 0 || len(c.Export.Destinations) != 0 || c.Export.ServicesSource.IsValid() {
		t.Errorf("after deleting the instance: %+v %+v %+v", c.JFlow, c.Sampling, c.Export)
	}
	if set := RenderSet(c); strings.Contains(set, "instance") || !strings.Contains(set, "template IPV4") {
		t.Errorf("display set:\n%s", set)
	}
}

// TestTemplateGovernsAcrossCommits: deleting a template's timeout in a
// later commit gives the default back, not the value the earlier commit
// folded into the cache.
func TestTemplateGovernsAcrossCommits(t *testing.T) {
	c, err := Parse("t.set", []byte(inlineJflow))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(c, "terminal")
	if err := s.Exec("delete services flow-monitoring version-ipfix template IPV4 flow-active-timeout"); err != nil {
		t.Fatal(err)
	}
	c, err = s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if c.Cache.Active != 0 || c.Cache.Inactive != 15*time.Second {
		t.Errorf("cache timeouts %v/%v, want the default and 15s", c.Cache.Active, c.Cache.Inactive)
	}
	if set := RenderSet(c); strings.Contains(set, "flow-active-timeout") {
		t.Errorf("display set:\n%s", set)
	}
}

// TestInstanceServersKeepTheirPaths: under a sampling instance each
// flow-server's statements name that server (the statement makers share
// path prefixes, and a server's path once took the next one's name).
func TestInstanceServersKeepTheirPaths(t *testing.T) {
	src := inlineJflow + "set forwarding-options sampling instance SI family inet output flow-server 192.0.2.10 port 4739\n" +
		"set forwarding-options sampling instance SI family inet output flow-server 192.0.2.10 version-ipfix template IPV4\n"
	c, err := Parse("t.set", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	set := RenderSet(c)
	for _, want := range []string{
		"set forwarding-options sampling instance SI family inet output flow-server 192.0.2.9 port 4739\n",
		"set forwarding-options sampling instance SI family inet output flow-server 192.0.2.10 port 4739\n",
	} {
		if !strings.Contains(set, want) {
			t.Errorf("display set lacks %q:\n%s", want, set)
		}
	}
}
