package cfgfile

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

func TestJunOSBraceText(t *testing.T) {
	src := `/* a probe
   on two taps */
system {
    host-name "jflow";   # quoted or not, the same
}
interfaces {
    eth0;
    eth1 {
        description "tap A; uplink {1}";
        unit 0 {
            family inet6 {
                sampling { input; }
            }
        }
    }
}
forwarding-options {
    sampling {
        input { rate 100; }
        family inet {
            output {
                flow-server 192.0.2.1 { port 2055; version ipfix; }
            }
        }
    }
}
`
	c, err := junos.Parse("braces", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Hostname != "jflow" || len(c.Interfaces) != 2 || c.Interfaces[0].Name != "eth0" ||
		c.Interfaces[1].Description != "tap A; uplink {1}" || !c.Interfaces[1].Ingress ||
		c.Sampling.Rate != 100 || c.Export.Destinations[0].Version != platform.IPFIX {
		t.Fatalf("%+v", c)
	}
	if !junos.Detect([]byte(src)) || !junos.Detect([]byte("# x\nset system host-name a")) || junos.Detect([]byte("! x\nhostname a\n")) {
		t.Fatal("DetectJunOS")
	}
}

func TestJunOSBraceErrors(t *testing.T) {
	for _, src := range []string{"system {", "system { host-name a; }}", "{ x; }", "system { host-name \"a; }", "/* open"} {
		if _, err := junos.Parse("b", []byte(src)); err == nil {
			t.Errorf("accepted %q", src)
		}
	}
}

func TestJunOSRendering(t *testing.T) {
	c := loadExample(t, "junos.set")
	set := junos.RenderSet(c)
	if !strings.HasPrefix(set, "set system host-name jflow-probe\nset flowtap platform cflowd\n") ||
		!strings.Contains(set, "set interfaces eth1 description \"tap A (uplink)\"\n") {
		t.Fatalf("display set:\n%s", set)
	}
	braces := junos.Render(c)
	want := `forwarding-options {
    sampling {
        input {
            rate 1000;
            run-length 2;
            max-packets-per-second 5000;
        }
`
	if !strings.Contains(braces, want) {
		t.Fatalf("brace text lacks\n%s\nin\n%s", want, braces)
	}
}

func TestJunOSUnmapped(t *testing.T) {
	c := loadExample(t, "ios-router.conf")
	u := strings.Join(junos.Unmapped(c), " ")
	for _, p := range []string{"top-talkers", "aggregations[prefix]", "access-lists[10]", "interfaces[eth2].sampler"} {
		if !strings.Contains(u, p) {
			t.Errorf("unmapped %q misses %s", u, p)
		}
	}
	if strings.Contains(u, "hostname") || strings.Contains(u, "interfaces[eth1].ingress") {
		t.Errorf("unmapped lists what JunOS says: %s", u)
	}
}

// TestJunOSServersOnOneAddress: three collectors on one address, each
// with its own options, survive `show configuration | display set` and
// the brace text loaded back; autonomous-system-type set on one server
// stays on that server.
func TestJunOSServersOnOneAddress(t *testing.T) {
	src := `set system host-name jflow
set forwarding-options sampling family inet output flow-server 192.0.2.10 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.10 version 5
set forwarding-options sampling family inet output flow-server 192.0.2.10 port 9995 version 9
set forwarding-options sampling family inet output flow-server 192.0.2.10 port 9996
set forwarding-options sampling family inet output flow-server 192.0.2.10 port 9996 autonomous-system-type peer
set forwarding-options sampling family inet output flow-server 192.0.2.20 port 2055
`
	c, err := junos.Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type server struct {
		addr    string
		version platform.ExportVersion
		as      platform.ASMode
	}
	var got []server
	for _, d := range c.Export.Destinations {
		got = append(got, server{d.Addr.String(), d.Version, c.DestinationAS(d)})
	}
	want := []server{{"192.0.2.10:2055", platform.V5, platform.ASNone}, {"192.0.2.10:9995", platform.V9, platform.ASNone},
		{"192.0.2.10:9996", 0, platform.ASPeer}, {"192.0.2.20:2055", 0, platform.ASNone}}
	if !slices.Equal(got, want) {
		t.Fatalf("servers %+v, want %+v", got, want)
	}
	set := junos.RenderSet(c)
	reparse(t, "display set", junos.Parse, set, c)
	reparse(t, "brace text", junos.Parse, junos.Render(c), c)
	if !strings.Contains(set, "flow-server 192.0.2.10 port 9996 autonomous-system-type peer\n") {
		t.Fatalf("display set does not name the server of a per-server option:\n%s", set)
	}

	// A line without a port is ambiguous once the address has several.
	if _, err := junos.Apply(c, "t", []byte("set forwarding-options sampling family inet output flow-server 192.0.2.10 version 9\n")); err == nil ||
		!strings.Contains(err.Error(), "has 3 ports") {
		t.Fatalf("an unqualified line on a shared address: %v", err)
	}
	// Deleting one server leaves the others.
	d, err := junos.Apply(c, "t", []byte("delete forwarding-options sampling family inet output flow-server 192.0.2.10 port 9995\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Export.Destinations) != 3 || slices.ContainsFunc(d.Export.Destinations, func(x config.Destination) bool { return x.Addr.Port() == 9995 }) {
		t.Fatalf("after deleting port 9995: %v", d.Export.Destinations)
	}
}

// TestJunOSPerServerASFromIOS: an IOS export-wide origin-as shows on every
// server; deleting it on one leaves it on the others.
func TestJunOSPerServerASFromIOS(t *testing.T) {
	c, err := ios.Parse("t", []byte("ip flow-export version 9 origin-as\nip flow-export destination 192.0.2.1 2055\nip flow-export destination 192.0.2.2 2055\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := junos.Apply(c, "t", []byte("delete forwarding-options sampling family inet output flow-server 192.0.2.1 autonomous-system-type\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := d.DestinationAS(d.Export.Destinations[0]), d.DestinationAS(d.Export.Destinations[1]); a != platform.ASNone || b != platform.ASOrigin {
		t.Fatalf("after deleting the first server's AS type: %v, %v", a, b)
	}
	reparse(t, "running-config", ios.Parse, ios.RunningConfig(d), d)
}

// TestJunOSExampleRoundTripsFromScratch: the JunOS example, shown as
// `display set` and as brace text, loads back into an empty
// configuration as the same model: nothing of it is lost.
func TestJunOSExampleRoundTripsFromScratch(t *testing.T) {
	c := loadExample(t, "junos.set")
	reparse(t, "display set", junos.Parse, junos.RenderSet(c), c)
	reparse(t, "brace text", junos.Parse, junos.Render(c), c)
}

// TestJunOSSyslogHostLevelsSurviveSave: hosts with levels of their own
// (JunOS `any LEVEL`) survive write memory and a restart: the saved IOS
// file says them as flowtap's own `flowtap logging host A level L` (IOS
// has one level for every host), and needs no JunOS lines.
func TestJunOSSyslogHostLevelsSurviveSave(t *testing.T) {
	c, err := junos.Parse("t", []byte("set system syslog host 192.0.2.9 any warning\nset system syslog host 192.0.2.10 any error\nset system syslog host 192.0.2.11 any info\n"))
	if err != nil {
		t.Fatal(err)
	}
	saved := SaveText(c)
	back, err := Parse("startup-config", []byte(saved))
	if err != nil || len(config.Diff(c, back)) != 0 {
		t.Fatalf("saved and read back: %v %v\n%s", err, config.Diff(c, back), saved)
	}
	want := "\nlogging trap warnings\nlogging host 192.0.2.9\nlogging host 192.0.2.10\nlogging host 192.0.2.11\n" +
		"flowtap logging host 192.0.2.10 level errors\nflowtap logging host 192.0.2.11 level informational\n"
	if !strings.Contains(saved, want) || strings.Contains(saved, "flowtap junos") {
		t.Errorf("the saved file lacks %q, or carries JunOS lines:\n%s", want, saved)
	}
}
