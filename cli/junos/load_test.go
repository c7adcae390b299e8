package junos

import (
	"context"
	"os"
	"path/filepath"
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

// loadBase is the committed configuration the load tests start from.
func loadBase(t *testing.T) *fakeBackend {
	t.Helper()
	base, err := junosconf.Parse("base", []byte(`set system host-name jtap
set snmp contact noc
set forwarding-options sampling input rate 100
set forwarding-options sampling input max-packets-per-second 500
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 version 9
`))
	if err != nil {
		t.Fatal(err)
	}
	return &fakeBackend{history: []config.Config{base}, dir: t.TempDir()}
}

func script(t *testing.T, s *Session, lines string) string {
	t.Helper()
	var out strings.Builder
	if err := s.Serve(context.Background(), strings.NewReader(lines), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestLoadReplace: `load replace terminal` puts a statement tagged
// `replace:` in place of the candidate's (what the text leaves out of it
// goes: max-packets-per-second), merges the untagged ones, and changes
// the candidate only: show | compare shows it, rollback 0 drops it.
// Before, `load replace` was a syntax error.
func TestLoadReplace(t *testing.T) {
	f := loadBase(t)
	got := script(t, NewSession(f, "ops"), `configure
load replace terminal
forwarding-options {
    sampling {
        replace: input {
            rate 10;
        }
    }
}
snmp {
    location lab;
}
`+"\x04"+`
show | compare
rollback 0
show | compare
edit forwarding-options sampling
load replace terminal relative
replace: input {
    rate 7;
}
`+"\x04"+`
top
show forwarding-options sampling input
`)
	want := `Entering configuration mode

[Type ^D at a new line to end input]
load complete
[edit snmp]
+   location lab;
[edit forwarding-options sampling input]
-   rate 100;
-   max-packets-per-second 500;
+   rate 10;
load complete
[Type ^D at a new line to end input]
load complete
rate 7;
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if r := f.Running(); r.Sampling.Rate != 100 {
		t.Errorf("load replace changed the running configuration: rate %d", r.Sampling.Rate)
	}
}

// TestLoadPatch: `load patch terminal` applies what show | compare
// printed: each hunk's - statements go, its + statements are set. A
// hunk whose - statement the candidate lacks is refused, the
// candidate left as it was, and a patch read from a file applies
// alike. Before, `load patch` was a syntax error.
func TestLoadPatch(t *testing.T) {
	f := loadBase(t)
	if err := os.WriteFile(filepath.Join(f.dir, "rate.patch"), []byte("[edit forwarding-options sampling input]\n-   rate 1000;\n+   rate 2000;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := script(t, NewSession(f, "ops"), `configure
load patch terminal
[edit snmp]
-   contact noc;
[edit forwarding-options sampling input]
-   rate 100;
+   rate 1000;
[edit forwarding-options sampling family inet output]
+   flow-server 192.0.2.9 {
+       port 9995;
+       version 9;
+   }
!   inactive: flow-server 192.0.2.7 { ... }
`+"\x04"+`
show | compare
load patch terminal
[edit forwarding-options sampling input]
-   rate 100;
+   rate 5;
`+"\x04"+`
load patch terminal
[edit forwarding-options sampling input]
+   rate frob;
`+"\x04"+`
show forwarding-options sampling input
load patch rate.patch
show forwarding-options sampling input
load patch nosuch.patch
rollback 0
show | compare
`)
	want := `Entering configuration mode

[Type ^D at a new line to end input]
load complete
[edit]
-   snmp {
-       contact noc;
-   }
[edit forwarding-options sampling input]
-   rate 100;
+   rate 1000;
[edit forwarding-options sampling family inet output]
+   flow-server 192.0.2.9 {
+       port 9995;
+       version 9;
+   }
!   inactive: flow-server 192.0.2.7 { ... }
[Type ^D at a new line to end input]
[edit forwarding-options sampling input]
  'rate 100;'
    statement not found
error: load patch failed
[Type ^D at a new line to end input]
[edit forwarding-options sampling input]
  'rate frob;'
    syntax error
error: load patch failed
rate 1000;
max-packets-per-second 500;
load complete
rate 2000;
max-packets-per-second 500;
error: could not open configuration file: nosuch.patch: no such file or directory
load complete
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// TestLoadUpdate: `load update` leaves the candidate the text loaded, as
// load override does (a replace: tag ignored, as Juniper documents for
// override and merge). Before, load update was a syntax error.
func TestLoadUpdate(t *testing.T) {
	f := loadBase(t)
	got := script(t, NewSession(f, "ops"), `configure
load update terminal
system {
    host-name jtap;
}
forwarding-options {
    sampling {
        replace: input {
            rate 100;
        }
    }
}
`+"\x04"+`
show | compare
`)
	want := `Entering configuration mode

[Type ^D at a new line to end input]
load complete
[edit]
-   snmp {
-       contact noc;
-   }
[edit forwarding-options sampling input]
-   max-packets-per-second 500;
[edit forwarding-options sampling]
-   family inet {
-       output {
-           flow-server 192.0.2.7 {
-               port 2055;
-               version 9;
-           }
-       }
-   }
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}
