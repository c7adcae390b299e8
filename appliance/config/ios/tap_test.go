package ios

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
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
		// The side the port has, not the one the line gives it.
		{[]string{"flowtap tap uplink", " fibre a eth2"}, "eth2 is already fibre b of tap uplink"},
		{[]string{"flowtap tap backup", " fibre a eth2"}, "eth2 is already fibre b of tap uplink"},
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

	// A port named in letters alone keeps its case: the reason starts
	// with "port", which takes IOS's capital (it said "% Wan is ...").
	s3 := NewSession(c, "console")
	s3.Exec("flowtap tap wanlink")
	s3.Exec(" fibre a wan")
	err = s3.Exec(" fibre b wan")
	var le *config.LineError
	if !errors.As(err, &le) || strings.Join(le.Lines(), "\n") != " fibre b wan\n% Port wan is already fibre a of tap wanlink" {
		t.Errorf("fibre b wan: %v", err)
	}
}

// TestTapJunOS: the JunOS form of a tap gives the IOS one's model, and
// renders back (set lines and braces) to it.
func TestTapJunOS(t *testing.T) {
	want, err := Parse("ios", []byte("flowtap tap uplink\n fibre a eth1\n fibre b eth2\n!\nflowtap tap spare\n ifindex 900\n!\n"))
	if err != nil {
		t.Fatal(err)
	}
	set := "set flowtap tap uplink fibre-a eth1\nset flowtap tap uplink fibre-b eth2\nset flowtap tap spare ifindex 900\n"
	got, err := junos.Apply(config.Config{}, "set", []byte(set))
	if err != nil {
		t.Fatal(err)
	}
	if d := config.Diff(want, got); len(d) != 0 {
		t.Errorf("JunOS set lines differ from IOS: %v", d)
	}
	if rs := junos.RenderSet(got); !strings.Contains(rs, set) {
		t.Errorf("display set:\n%s", rs)
	}
	braces := junos.Render(got)
	back, err := junos.Apply(config.Config{}, "braces", []byte(braces))
	if err != nil || len(config.Diff(want, back)) != 0 {
		t.Errorf("brace round trip: %v %v\n%s", err, config.Diff(want, back), braces)
	}
	bare, err := junos.Apply(config.Config{}, "set", []byte("set flowtap tap lonely\n"))
	if err != nil || len(bare.Taps) != 1 || !strings.Contains(junos.RenderSet(bare), "set flowtap tap lonely\n") {
		t.Errorf("a bare tap: %v %+v\n%s", err, bare.Taps, junos.RenderSet(bare))
	}
	del, err := junos.Apply(got, "del", []byte("delete flowtap tap uplink fibre-b\ndelete flowtap tap spare\n"))
	if err != nil || len(del.Taps) != 1 || del.Taps[0].FibreB != "" || del.Taps[0].FibreA != "eth1" {
		t.Errorf("after delete: %v %+v", err, del.Taps)
	}
}

// TestSubinterfaceLines: `interface P.N` is VLAN N on P unless
// `encapsulation dot1Q` says otherwise; what cannot be a subinterface is
// refused with the reason.
func TestSubinterfaceLines(t *testing.T) {
	c, err := Parse("t", []byte("interface eth1.190\n ip flow ingress\n!\ninterface eth1.v200\n encapsulation dot1Q 200\n ip flow ingress\n!\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p, v, ok := c.Interfaces[0].Subinterface(); !ok || p != "eth1" || v != 190 {
		t.Errorf("eth1.190: %q %d %v", p, v, ok)
	}
	if p, v, ok := c.Interfaces[1].Subinterface(); !ok || p != "eth1" || v != 200 {
		t.Errorf("eth1.v200: %q %d %v", p, v, ok)
	}
	if c.SubifIfIndex("eth1.190") != 63001 || c.SubifIfIndex("eth1.v200") != 63002 {
		t.Errorf("ifindexes %d %d", c.SubifIfIndex("eth1.190"), c.SubifIfIndex("eth1.v200"))
	}
	if text := Render(c); !strings.Contains(text, "interface eth1.v200\n encapsulation dot1Q 200\n ip flow ingress\n") {
		t.Errorf("rendering:\n%s", text)
	}
	for _, tc := range []struct{ text, want string }{
		{"interface eth1\n encapsulation dot1Q 5\n", "encapsulation dot1Q is for a subinterface: name it eth1.5"},
		{"interface eth1.x\n ip flow ingress\n", "eth1.x needs encapsulation dot1Q VLAN"},
		{"interface eth1.5\n!\ninterface eth1.b\n encapsulation dot1Q 5\n", "VLAN 5 on eth1 is already eth1.5"},
		{"flowtap tap up\n fibre a eth1\n!\ninterface eth1.5\n", "eth1 is fibre a of tap up: a tap's fibres carry one link, not subinterfaces"},
	} {
		if _, err := Parse("t", []byte(tc.text)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.text, err, tc.want)
		}
	}
}

// TestTapBootLinesBlamed: at boot each refused tap line is reported with
// its own file:line and skipped, and the tap's good lines still apply: an
// ifindex another tap has is the ifindex line's fault, not the tap's
// (which with it lost its good fibre).
func TestTapBootLinesBlamed(t *testing.T) {
	text := "flowtap tap uplink\n fibre a eth1\n fibre b eth1\n!\nflowtap tap t2\n ifindex 64001\n fibre a eth1\n fibre b eth2\n!\n"
	c, skipped := SalvageWith("startup-config", text, nil)
	var got []string
	for _, e := range skipped {
		got = append(got, strings.SplitN(e.Error(), "\n", 2)[0])
	}
	slices.Sort(got)
	want := []string{
		`startup-config:3: "eth1": port eth1 is already fibre a of tap uplink`,
		`startup-config:6: "64001": ifindex 64001 is already tap uplink's`,
		`startup-config:7: "eth1": port eth1 is already fibre a of tap uplink`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if wantText := "flowtap tap uplink\n fibre a eth1\n!\nflowtap tap t2\n fibre b eth2\n!\n"; !strings.Contains(Render(c), wantText) {
		t.Errorf("applied:\n%s\nwant:\n%s", Render(c), wantText)
	}
}
