package daemon

import (
	"strings"
	"testing"

	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
)

// TestNoMLSNetflowStopsMetering: `no mls netflow` on a PFC leaves the
// ports attached and meters none of them; `mls netflow` (the default)
// meters again; the router has no mls commands.
func TestNoMLSNetflowStopsMetering(t *testing.T) {
	base := "platform pfc3b\ninterface eth1\n ip flow ingress\n!\n"
	off, err := iosconf.Parse("t", []byte(base+"no mls netflow\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := iosconf.Render(off); !strings.Contains(r, "\nno mls netflow\n") {
		t.Errorf("running-config:\n%s", r)
	}
	s, err := SettingsFrom(off)
	if err != nil || len(s.Ports) != 1 || s.Ports[0].Name != "eth1" || s.Ports[0].Meter {
		t.Errorf("no mls netflow: %v %+v", err, s.Ports)
	}
	on, err := iosconf.Apply(off, "t", []byte("mls netflow\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := SettingsFrom(on); err != nil || len(s.Ports) != 1 || !s.Ports[0].Meter || strings.Contains(iosconf.Render(on), "mls netflow") {
		t.Errorf("mls netflow: %v %+v", err, s.Ports)
	}
	if _, err := iosconf.Parse("t", []byte("no mls netflow\n")); err == nil || !strings.Contains(err.Error(), "has no mls commands") {
		t.Errorf("router persona: %v", err)
	}
}
