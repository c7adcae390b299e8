package junos

import (
	"context"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/control"
)

// TestLoadTerminal: load merge terminal takes brace text up to ^D, load
// set terminal set lines (a refused one is reported, the rest kept),
// load override terminal replaces the JunOS part, and commit puts the
// result in force.
func TestLoadTerminal(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\nset snmp location lab\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	script := `configure
load merge terminal
forwarding-options {
    sampling {
        input {
            family inet {
                rate 1;
            }
        }
        output {
            cflowd 192.0.2.10 {
                port 2055;
                version 5;
            }
        }
    }
}
` + "\x04" + `
show | display set | match sampling
load set terminal
set snmp contact noc
set forwarding-options sampling input frobnicate 3
` + "\x04" + `
show | display set | match snmp
load override terminal
set forwarding-options sampling input rate 10
set forwarding-options sampling output flow-server 192.0.2.11 port 9995
` + "\x04" + `
commit and-quit
`
	var out strings.Builder
	if err := s.Serve(context.Background(), strings.NewReader(script), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"[Type ^D at a new line to end input]\nload complete\n",
		"set forwarding-options sampling input rate 1\nset forwarding-options sampling family inet output flow-server 192.0.2.10 port 2055\nset forwarding-options sampling family inet output flow-server 192.0.2.10 version 5\n",
		"load complete (1 errors)\n",
		"set snmp location lab\nset snmp contact noc\n",
		"commit complete\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(got, "frobnicate") {
		t.Errorf("the refused statement is not shown:\n%s", got)
	}
	run := f.Running()
	if run.Sampling.Rate != 10 || len(run.Export.Destinations) != 1 || run.Export.Destinations[0].Addr.Port() != 9995 {
		t.Errorf("after override: sampling %+v, destinations %+v", run.Sampling, run.Export.Destinations)
	}
	if run.SNMP.Location != "" || run.Hostname != "" {
		t.Errorf("override kept JunOS statements it did not load: %q %q", run.SNMP.Location, run.Hostname)
	}
}

// TestLoadTerminalRelative: `load merge terminal relative` and `load set
// terminal relative` at an edit level read what is pasted as under that
// level, as Junos does; without relative it is read from the top.
func TestLoadTerminalRelative(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
	script := `configure
edit forwarding-options sampling
load merge terminal relative
input {
    rate 7;
}
` + "\x04" + `
load set terminal relative
set family inet output flow-server 192.0.2.12 port 2055
` + "\x04" + `
load set terminal
set snmp contact noc
` + "\x04" + `
top
show | display set
`
	var out strings.Builder
	if err := s.Serve(context.Background(), strings.NewReader(script), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	want := "set system host-name jtap\nset flowtap platform cflowd\nset snmp contact noc\n" +
		"set forwarding-options sampling input rate 7\nset forwarding-options sampling family inet output flow-server 192.0.2.12 port 2055\n"
	if got := out.String(); !strings.Contains(got, want) || strings.Contains(got, "error") {
		t.Errorf("screen lacks\n%s\nin:\n%s", want, got)
	}
}
