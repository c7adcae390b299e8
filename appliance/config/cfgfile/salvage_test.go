package cfgfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestSalvageIOS: a startup-config with bad lines applies every good
// line; each bad one is reported with its line, a refused block with its
// body.
func TestSalvageIOS(t *testing.T) {
	src := `hostname probe
ip flow-cache timeout inactive 5
interface eth1
 ip flow ingress
!
interface eth2
 ip flow ingresx
 description half good
!
ip flow-export version 9
ip flow-export destinaton 192.0.2.1 2055
ip flow-export destination 192.0.2.10 2055
username admin secret letmein
bogus line here
`
	c, skipped := Salvage("startup-config", []byte(src))
	var got []string
	for _, e := range skipped {
		var le *config.LineError
		if !errors.As(e, &le) {
			t.Fatalf("not a line error: %v", e)
		}
		got = append(got, le.Text)
		if !strings.HasPrefix(e.Error(), "startup-config:") {
			t.Errorf("error does not name file:line: %v", e)
		}
	}
	want := []string{"ip flow-cache timeout inactive 5", " ip flow ingresx", "ip flow-export destinaton 192.0.2.1 2055", "bogus line here"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("skipped %q, want %q", got, want)
	}
	r := ios.RunningConfig(c)
	for _, l := range []string{"hostname probe", "interface eth1\n ip flow ingress", " description half good", "ip flow-export version 9",
		"ip flow-export destination 192.0.2.10 2055", "username admin secret"} {
		if !strings.Contains(r, l) {
			t.Errorf("running config lacks %q:\n%s", l, r)
		}
	}
}

// TestSalvageBlock: a refused block opener takes its body with it; the
// lines after the block apply in global mode.
func TestSalvageBlock(t *testing.T) {
	src := "interface eth1 extra\n ip flow ingress\n description x\nhostname after\n"
	c, skipped := Salvage("f", []byte(src))
	if len(skipped) != 1 {
		t.Fatalf("skipped %v", skipped)
	}
	if r := ios.RunningConfig(c); !strings.Contains(r, "hostname after") || strings.Contains(r, "interface eth1") {
		t.Fatalf("running config:\n%s", r)
	}
}

// TestSalvageJunOS: the same for JunOS set lines.
func TestSalvageJunOS(t *testing.T) {
	src := `set system host-name probe
set forwarding-options sampling input rate 0
set forwarding-options sampling family inet output flow-server 192.0.2.10 port 2055
set bogus thing
`
	c, skipped := Salvage("junos.conf", []byte(src))
	if len(skipped) != 2 {
		t.Fatalf("skipped %v", skipped)
	}
	if c.Hostname != "probe" || len(c.Export.Destinations) != 1 {
		t.Fatalf("hostname %q, destinations %v", c.Hostname, c.Export.Destinations)
	}
}
