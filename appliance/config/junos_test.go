package config

import (
	"strings"
	"testing"

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
	c, err := ParseJunOS("braces", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Hostname != "jflow" || len(c.Interfaces) != 2 || c.Interfaces[0].Name != "eth0" ||
		c.Interfaces[1].Description != "tap A; uplink {1}" || !c.Interfaces[1].Ingress ||
		c.Sampling.Rate != 100 || c.Export.Destinations[0].Version != platform.IPFIX {
		t.Fatalf("%+v", c)
	}
	if !DetectJunOS([]byte(src)) || !DetectJunOS([]byte("# x\nset system host-name a")) || DetectJunOS([]byte("! x\nhostname a\n")) {
		t.Fatal("DetectJunOS")
	}
}

func TestJunOSBraceErrors(t *testing.T) {
	for _, src := range []string{"system {", "system { host-name a; }}", "{ x; }", "system { host-name \"a; }", "/* open"} {
		if _, err := ParseJunOS("b", []byte(src)); err == nil {
			t.Errorf("accepted %q", src)
		}
	}
}

func TestJunOSRendering(t *testing.T) {
	c := loadExample(t, "junos.set")
	set := RenderJunOSSet(c)
	if !strings.HasPrefix(set, "set system host-name jflow-probe\nset flowtap platform cflowd\n") ||
		!strings.Contains(set, "set interfaces eth1 description \"tap A (uplink)\"\n") {
		t.Fatalf("display set:\n%s", set)
	}
	braces := RenderJunOS(c)
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
	u := strings.Join(JunOSUnmapped(c), " ")
	for _, p := range []string{"top-talkers", "aggregations[prefix]", "access-lists[10]", "interfaces[eth2].sampler"} {
		if !strings.Contains(u, p) {
			t.Errorf("unmapped %q misses %s", u, p)
		}
	}
	if strings.Contains(u, "hostname") || strings.Contains(u, "interfaces[eth1].ingress") {
		t.Errorf("unmapped lists what JunOS says: %s", u)
	}
}
