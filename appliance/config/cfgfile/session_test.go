package cfgfile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

func execAll(t *testing.T, s *ios.Session, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
}

func TestSessionModes(t *testing.T) {
	s := ios.NewSession(config.Config{}, "console")
	execAll(t, s, "interface eth1")
	if s.Prompt() != "config-if" {
		t.Fatalf("prompt %q", s.Prompt())
	}
	// Not an interface command: IOS tries it in global mode and leaves
	// the interface.
	execAll(t, s, " ip flow ingress", "flow-sampler-map S", "mode random one-out-of 10")
	if s.Prompt() != "config-sampler" {
		t.Fatalf("prompt %q after flow-sampler-map", s.Prompt())
	}
	execAll(t, s, "exit", "interface eth1", "flow-sampler S", "end")
	if !s.Done() {
		t.Fatal("end did not leave configuration mode")
	}
	c := s.Config()
	if !c.Interfaces[0].Ingress || c.Interfaces[0].Sampler != "S" || c.Samplers[0].Rate != 10 {
		t.Fatalf("session result %+v %+v", c.Interfaces, c.Samplers)
	}
}

func TestSessionRefusedLineChangesNothing(t *testing.T) {
	s := ios.NewSession(config.Config{}, "console")
	execAll(t, s, "ip flow-cache timeout inactive 20")
	err := s.Exec("ip flow-cache timeout inactive 2")
	var le *config.LineError
	if !errors.As(err, &le) || le.Line != 2 || le.Word != "2" {
		t.Fatalf("want a line 2 error at \"2\": %v", err)
	}
	if got := s.Config().Cache.Inactive; got != 20*time.Second {
		t.Fatalf("inactive %v after a refused line", got)
	}
	// A sampler map in use cannot go.
	execAll(t, s, "flow-sampler-map S", " mode random one-out-of 5", "interface eth1", " flow-sampler S")
	if err := s.Exec("no flow-sampler-map S"); err == nil {
		t.Fatal("removed a sampler map an interface uses")
	}
	// A persona change must leave a valid configuration.
	if err := s.Exec("platform pfc3b"); err == nil {
		t.Fatal("switched to a PFC with router-only settings configured")
	}
}

func TestNoForms(t *testing.T) {
	c := loadExample(t, "ios-router.conf")
	c, err := ios.Apply(c, "t", []byte(`no ip flow-cache timeout active
no ip flow-cache entries 65536
no ip flow-capture ttl
no ip flow-capture ip-id
no ip flow-capture packet-length
no ip flow-export destination 192.0.2.10 2055
no ip flow-export version
no ip flow-export template refresh-rate
no ip flow-export interface-names
no ip flow-aggregation cache prefix
ip flow-top-talkers
 no match protocol
 no match destination port
no username admin ssh-key
no snmp-server community private
no snmp-server host 192.0.2.30
no snmp-server enable traps
no logging buffered
no ntp server 192.0.2.123
interface eth2
 no flow-sampler
 no flowtap verdict
 no description
no flow-sampler-map SAMPLE-100
interface eth1
 no ip flow egress
 shutdown
line vty 0 4
 no access-class
no access-list 10
no policy-map NETFLOW
no class-map SSH
no flow-sampler-map ALL
no flow-sampler-map REST
no ip access-list extended SSH-IN
no ipv6 access-list SSH6-IN
`))
	if err != nil {
		t.Fatal(err)
	}
	k := c.Cache
	switch {
	case k.Active != 0 || k.Entries != 0 || k.Inactive != 30*time.Second:
		t.Errorf("cache %+v", k)
	case c.Capture != config.CaptureVLAN:
		t.Errorf("capture %v", c.Capture)
	case len(c.Export.Destinations) != 1 || c.Export.Version != 0 || c.Export.BGPNextHop || c.Export.TemplateRefresh != 0 || c.Export.InterfaceNames:
		t.Errorf("export %+v", c.Export)
	case len(c.Aggregations) != 0 || c.TopTalkers.Match.ProtocolSet || c.TopTalkers.Match.DstPort.Set || c.TopTalkers.Top != 20:
		t.Errorf("aggregation %v, top talkers %+v", c.Aggregations, c.TopTalkers)
	case len(c.Users[0].Keys) != 0 || len(c.SNMP.Communities) != 1 || len(c.SNMP.Hosts) != 0 || c.SNMP.Traps:
		t.Errorf("users %+v snmp %+v", c.Users, c.SNMP)
	case c.Logging.Buffered != 0 || len(c.NTP.Servers) != 0 || len(c.Samplers) != 0 || c.VTY.AccessClass != "" || len(c.AccessLists) != 0 ||
		len(c.PolicyMaps) != 0 || len(c.ClassMaps) != 0:
		t.Errorf("logging %+v ntp %v samplers %v vty %v acl %v", c.Logging, c.NTP, c.Samplers, c.VTY, c.AccessLists)
	case c.Interfaces[2].Sampler != "" || c.Interfaces[2].Verdict != 0 || c.Interfaces[2].Description != "" || c.Interfaces[1].Egress || !c.Interfaces[1].Shutdown:
		t.Errorf("interfaces %+v", c.Interfaces)
	}
	c, err = ios.Apply(c, "t", []byte("no interface eth0\nno snmp-server\nno platform\nno hostname\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interfaces) != 2 || c.SNMP.Enabled() || c.Hostname != "" || c.Platform != "" {
		t.Errorf("after removals: %+v", c)
	}
}

func TestJunOSDelete(t *testing.T) {
	c := loadExample(t, "junos.set")
	c, err := junos.Apply(c, "t", []byte(`delete forwarding-options sampling input
delete forwarding-options sampling family inet output flow-server 2001:db8::10
delete forwarding-options sampling family inet output flow-server 192.0.2.10 source-address
delete snmp community public
delete interfaces eth1 description
delete system host-name
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sampling.Mode != platform.SamplingOff || len(c.Export.Destinations) != 1 || c.Export.Destinations[0].SourceAddress.IsValid() ||
		len(c.SNMP.Communities) != 0 || c.Interfaces[0].Description != "" || c.Hostname != "" {
		t.Fatalf("deletes not applied: %+v", c)
	}
	c, err = junos.Apply(c, "t", []byte("delete forwarding-options sampling\ndelete interfaces\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Export.Destinations) != 0 || c.Cache.Active != 0 || len(c.Interfaces) != 0 {
		t.Fatalf("hierarchy deletes not applied: %+v", c)
	}
}

func TestJunOSCommitOrderFree(t *testing.T) {
	// rate after run-length, port after version: only the end state counts.
	s := junos.NewSession(config.Config{Platform: "cflowd"}, "cli")
	for _, l := range []string{
		"set forwarding-options sampling input run-length 3",
		"set forwarding-options sampling family inet output flow-server 192.0.2.1 version 9",
		"set forwarding-options sampling family inet output flow-server 192.0.2.1 port 2055",
		"set forwarding-options sampling input rate 100",
	} {
		if err := s.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if c.Sampling.Rate != 100 || c.Sampling.RunLength != 3 || c.Export.Destinations[0].Addr.Port() != 2055 {
		t.Fatalf("%+v %+v", c.Sampling, c.Export.Destinations)
	}
}

func TestPersonaRounding(t *testing.T) {
	// PFC2 rounds aging to 8 s steps; cflowd rounds the active timeout
	// up to a minute. The model keeps what the platform applies.
	c, err := ios.Parse("t", []byte("platform pfc2\nmls aging normal 65\n"))
	if err != nil || c.Cache.Inactive != 64*time.Second {
		t.Fatalf("pfc2 65 s: %v %v", err, c.Cache.Inactive)
	}
	j, err := junos.Parse("t", []byte("set forwarding-options sampling family inet output flow-active-timeout 90"))
	if err != nil || j.Cache.Active != 120*time.Second {
		t.Fatalf("cflowd 90 s: %v %v", err, j.Cache.Active)
	}
	// Defaults typed out are defaults: IOS does not show them.
	d, err := ios.Parse("t", []byte("ip flow-cache timeout inactive 15\nip flow-cache timeout active 30\nhostname flowtap\n"))
	if err != nil || !config.Equal(d, config.Config{}) {
		t.Fatalf("typed defaults kept: %v %+v", err, d)
	}
}

// TestSamplerMapDeterministic: IOS's `mode deterministic one-out-of N`
// is kept and rendered back as written (daemon's
// TestSamplerMapDeterministicDatapath: it reaches the datapath as exact
// 1-in-N; `random` stays random).
func TestSamplerMapDeterministic(t *testing.T) {
	src := "flow-sampler-map D\n mode deterministic one-out-of 7\n!\nflow-sampler-map R\n mode random one-out-of 9\n!\ninterface eth1\n flow-sampler D\n!\ninterface eth2\n flow-sampler R\n"
	c, err := ios.Parse("t.cfg", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := ios.Render(c)
	for _, want := range []string{"flow-sampler-map D\n mode deterministic one-out-of 7\n", "flow-sampler-map R\n mode random one-out-of 9\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered config lacks %q:\n%s", want, out)
		}
	}
	again, err := ios.Parse("t.cfg", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if again.Samplers[0] != c.Samplers[0] || again.Samplers[1] != c.Samplers[1] {
		t.Errorf("round trip: %+v, want %+v", again.Samplers, c.Samplers)
	}
}

// TestInputFilterGrammar: `ip flow ingress input-filter ACL` names a
// list that exists and matches by prefixes; `no ... input-filter` keeps
// metering, `no ip flow ingress` drops both.
func TestInputFilterGrammar(t *testing.T) {
	s := ios.NewSession(config.Config{}, "console")
	execAll(t, s, "access-list 101 permit tcp any any eq 22", "access-list 5 permit 10.0.0.0 0.0.255.0",
		"interface eth1", "ip flow ingress input-filter 101")
	if it := s.Config().Interfaces[0]; !it.Ingress || it.InputFilter != "101" {
		t.Fatalf("interface %+v", it)
	}
	if out := ios.Render(s.Config()); !strings.Contains(out, "interface eth1\n ip flow ingress\n ip flow ingress input-filter 101\n") {
		t.Errorf("rendered:\n%s", out)
	}
	for _, bad := range []string{"ip flow ingress input-filter 102", "ip flow ingress input-filter 5"} {
		if err := s.Exec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else {
			t.Logf("%s: %v", bad, err)
		}
	}
	execAll(t, s, "no ip flow ingress input-filter")
	if it := s.Config().Interfaces[0]; !it.Ingress || it.InputFilter != "" {
		t.Fatalf("after no input-filter: %+v", it)
	}
	execAll(t, s, "ip flow ingress input-filter 101", "no ip flow ingress")
	if it := s.Config().Interfaces[0]; it.Ingress || it.InputFilter != "" {
		t.Fatalf("after no ip flow ingress: %+v", it)
	}
}
