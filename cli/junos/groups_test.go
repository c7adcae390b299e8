package junos

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/control"
)

// TestInactiveAnnotateTranscript: deactivate and activate any statement,
// annotate, show (braces and display set), show | compare, commit and
// rollback, as an operator types them; the golden holds every screen,
// and the model committed each time is checked for exactly the active
// statements.
func TestInactiveAnnotateTranscript(t *testing.T) {
	base, err := junosconf.Parse("base", []byte(`set system host-name jtap
set interfaces eth1 unit 0 family inet sampling input
set forwarding-options sampling input rate 100
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 version 9
set forwarding-options sampling family inet output flow-server 192.0.2.8 port 9995
set forwarding-options sampling family inet output flow-server 192.0.2.8 version 5
`))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(`
configure
deactivate forwarding-options sampling family inet output flow-server 192.0.2.8
deactivate forwarding-options sampling input rate
deactivate forwarding-options sampling family inet output flow-server 192.0.2.99
deactivate forwarding-options sampling bogus
edit forwarding-options sampling family inet output
annotate flow-server 192.0.2.7 "primary collector, NOC"
set flow-server 192.0.2.8 version 9
top
annotate interfaces eth1 "tap A"
annotate interfaces eth9 "none"
show
show | display set
show forwarding-options sampling
show | compare
commit
activate forwarding-options sampling input rate
show | compare
commit
rollback 1
show | compare
show | display set
exit
show configuration forwarding-options
exit`), "\n") {
		b.WriteString(s.Prompt() + line + "\n")
		b.WriteString(s.Exec(line))
	}
	goldenFile(t, "testdata/inactive.golden", b.String())
	// history: base, the commit with two statements inactive, the one
	// with the rate active again.
	if len(f.history) != 3 {
		t.Fatalf("%d commits, want 2", len(f.history)-1)
	}
	first, second := f.history[1], f.history[2]
	if len(first.Export.Destinations) != 1 || first.Export.Destinations[0].Addr.String() != "192.0.2.7:2055" || first.Sampling.Rate != 0 {
		t.Errorf("first commit applies %+v rate %d: want only 192.0.2.7 and no rate (both inactive)", first.Export.Destinations, first.Sampling.Rate)
	}
	if second.Sampling.Rate != 100 || len(second.Export.Destinations) != 1 {
		t.Errorf("second commit: rate %d, destinations %+v: want the rate back, the server still inactive", second.Sampling.Rate, second.Export.Destinations)
	}
	if len(second.JunOS.Notes) != 2 || len(second.JunOS.Inactive) != 1 {
		t.Errorf("the commit lost text: %+v", second.JunOS)
	}
}

// TestGroupsTranscript: a pasted Junos configuration with groups,
// wildcards, inactive statements and annotations goes in by load merge
// terminal; show, display inheritance (full, brief, terse and
// no-comments), commit and rollback show it as
// Junos does, and the committed model is what the active statements and
// groups make.
func TestGroupsTranscript(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\nset interfaces eth1\nset interfaces eth2\nset interfaces lo\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	script := `configure
load merge terminal
groups {
    jflow-ports {
        interfaces {
            <eth*> {
                unit 0 {
                    family inet {
                        sampling {
                            input;
                        }
                    }
                }
            }
        }
    }
    collectors {
        forwarding-options {
            sampling {
                family inet {
                    output {
                        flow-server 192.0.2.20 {
                            port 2055;
                            version 9;
                        }
                    }
                }
            }
        }
    }
}
apply-groups collectors;
interfaces {
    apply-groups jflow-ports;
    lo {
        apply-groups-except jflow-ports;
    }
}
forwarding-options {
    sampling {
        /* lab rate */
        input {
            rate 10;
        }
        family inet {
            output {
                inactive: flow-server 192.0.2.30 {
                    port 9995;
                }
            }
        }
    }
}
` + "\x04" + `
show
show | display inheritance
show | display set
commit
set groups collectors forwarding-options sampling input rate 500
show | compare
commit
rollback 1
show | display inheritance
commit
edit interfaces
show eth1 | display inheritance
show eth1 | display inheritance terse
top
exit
show configuration | display set
show configuration forwarding-options sampling family inet | display inheritance
show configuration forwarding-options sampling family inet | display inheritance brief
show configuration forwarding-options sampling family inet | display inheritance terse
show configuration forwarding-options sampling family inet | display inheritance no-comments
show configuration | display inheritance bogus
exit
`
	var out strings.Builder
	if err := s.Serve(context.Background(), strings.NewReader(script), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "testdata/groups.golden", out.String())
	if len(f.history) != 4 {
		t.Fatalf("%d commits, want 3", len(f.history)-1)
	}
	for i, want := range []struct {
		rate  uint32
		dests string
	}{{10, "192.0.2.20:2055"}, {10, "192.0.2.20:2055"}, {10, "192.0.2.20:2055"}} {
		c := f.history[i+1]
		var ds []string
		for _, d := range c.Export.Destinations {
			ds = append(ds, d.Addr.String())
		}
		var ifs []string
		for _, it := range c.Interfaces {
			ifs = append(ifs, fmt.Sprintf("%s:%v", it.Name, it.Ingress))
		}
		if uint32(c.Sampling.Rate) != want.rate || strings.Join(ds, ",") != want.dests || strings.Join(ifs, ",") != "eth1:true,eth2:true,lo:false" {
			t.Errorf("commit %d: rate %d, servers %v, interfaces %v; want rate %d, %s, eth1 and eth2 sampled by <eth*>, lo excepted", i+1, c.Sampling.Rate, ds, ifs, want.rate, want.dests)
		}
	}
}

func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; got:\n%s", path, got)
	}
}
