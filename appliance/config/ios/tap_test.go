package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestTapLines: the tap's sub-mode, its rendering, the biflow destination,
// and what the model refuses, with the reason.
func TestTapLines(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	for _, l := range []string{"flowtap tap uplink", " fibre a eth1", " fibre b eth2", " exit",
		"flowtap tap backup", " ifindex 900", " fibre a eth3",
		"ip flow-export version ipfix", "ip flow-export destination 192.0.2.10 4739 biflow"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	if s.Prompt() != "config" {
		t.Fatalf("prompt %q", s.Prompt())
	}
	c := s.Config()
	if c.TapIfIndex(0) != 64001 || c.TapIfIndex(1) != 900 {
		t.Fatalf("ifindexes %d %d", c.TapIfIndex(0), c.TapIfIndex(1))
	}
	if i, side, ok := c.FibreOf("eth2"); !ok || i != 0 || side != "b" {
		t.Fatalf("FibreOf(eth2) = %d %q %v", i, side, ok)
	}
	want := "flowtap tap uplink\n fibre a eth1\n fibre b eth2\n!\nflowtap tap backup\n ifindex 900\n fibre a eth3\n!\n"
	text := Render(c)
	if !strings.Contains(text, want) || !strings.Contains(text, "ip flow-export destination 192.0.2.10 4739 biflow\n") {
		t.Fatalf("rendering:\n%s", text)
	}
	back, err := Parse("running", []byte(text))
	if err != nil || !config.Equal(back, c) {
		t.Fatalf("round trip: %v\n%v", err, config.Diff(c, back))
	}

	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"flowtap tap t2", " fibre a eth1"}, "eth1 is already fibre a of tap uplink"},
		{[]string{"flowtap tap t2", " ifindex 900"}, "ifindex 900 is already tap backup's"},
		{[]string{"ip flow-export destination 192.0.2.11 2055 version 9 biflow"}, "biflows are IPFIX (RFC 5103), not version 9"},
		{[]string{"interface uplink"}, "uplink is a port; the link needs a name of its own"},
	} {
		s2 := NewSession(c, "console")
		var err error
		for _, l := range tc.lines {
			if err = s2.Exec(l); err != nil {
				break
			}
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.lines, err, tc.want)
		}
	}
}
