package ios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestPastedVTYAndLogging: the `line vty` and `logging` lines operators
// paste from a router either apply, showing in the running-config as
// IOS prints them and reading back the same, or are refused with the
// reason (never taken and ignored).
func TestPastedVTYAndLogging(t *testing.T) {
	for _, tc := range []struct {
		block, line string
		shown       string // the running-config line; "" when refused
		refused     string // the reason's words
	}{
		{"line vty 0 4", "login local", " login local", ""},
		{"line vty 0 4", "login", " login", ""},
		{"line vty 0 4", "no login", "", "without a password"},
		{"line vty 0 4", "login authentication VTY", "", "AAA method lists"},
		{"line vty 0 4", "transport input ssh", " transport input ssh", ""},
		{"line vty 0 4", "transport input none", " transport input none", ""},
		{"line vty 0 4", "transport input all", " transport input all", ""},
		{"line vty 0 4", "transport input telnet ssh", " transport input telnet ssh", ""},
		{"line vty 0 4", "transport input ssh telnet", " transport input telnet ssh", ""},
		{"line vty 0 4", "transport input telnet", "", "telnet is not offered"},
		{"line vty 0 4", "transport output none", " transport output none", ""},
		{"line vty 0 4", "transport output ssh", "", "no client to open outgoing connections"},
		{"line vty 0 4", "privilege level 15", " privilege level 15", ""},
		{"", "logging host 192.0.2.9 transport udp port 5514", "logging host 192.0.2.9 transport udp port 5514", ""},
		{"", "logging host 192.0.2.9 transport udp port 514", "logging host 192.0.2.9", ""},
		{"", "logging 192.0.2.9", "logging host 192.0.2.9", ""},
		{"", "logging host 192.0.2.9 vrf Mgmt-intf", "", "no VRFs"},
		{"", "logging host 192.0.2.9 transport tcp port 601", "", "UDP only"},
		{"", "logging trap warnings", "logging trap warnings", ""},
		{"", "logging trap 4", "logging trap warnings", ""},
		{"", "logging facility local5", "logging facility local5", ""},
		{"", "logging source-interface Loopback0", "logging source-interface Loopback0", ""},
		{"", "logging buffered 16384 informational", "logging buffered 16384 informational", ""},
		{"", "logging buffered 16384", "logging buffered 16384", ""},
		{"", "logging buffered warnings", "logging buffered 4096 warnings", ""},
		{"", "ntp server 192.0.2.81 prefer", "ntp server 192.0.2.81 prefer", ""},
		{"", "ntp server 192.0.2.81 key 1", "", "key, version and source are not taken"},
		{"", "service timestamps log datetime msec localtime show-timezone", "service timestamps log datetime msec localtime show-timezone", ""},
	} {
		src := tc.line + "\n"
		if tc.block != "" {
			src = tc.block + "\n " + tc.line + "\n"
		}
		c, err := Parse("t", []byte(src))
		if tc.refused != "" {
			if err == nil || !strings.Contains(err.Error(), tc.refused) || !strings.Contains(err.Error(), "% ") {
				t.Errorf("%s: error %v, want a %% reason with %q", tc.line, err, tc.refused)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		rc := RunningConfig(c)
		if !strings.Contains(rc, "\n"+tc.shown+"\n") {
			t.Errorf("%s: running-config lacks %q:\n%s", tc.line, tc.shown, rc)
		}
		back, err := Parse("back", []byte(rc))
		if err != nil || !config.Equal(back, c) {
			t.Errorf("%s: read back %v: %v", tc.line, err, config.Diff(c, back))
		}
	}
}

// TestVTYRefusesSSH: the forms that refuse SSH logins say why.
func TestVTYRefusesSSH(t *testing.T) {
	for src, want := range map[string]string{
		"line vty 0 4\n transport input none\n": "transport input none",
		"line vty 0 4\n login\n":                "login: password required, but none set",
		"line vty 0 4\n login local\n":          "",
		"line vty 0 4\n transport input all\n":  "",
	} {
		c, err := Parse("t", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.VTY.RefusesSSH(); got != want {
			t.Errorf("%q: refuses %q, want %q", src, got, want)
		}
	}
}

// TestVTYSpareRange: `line vty 5 15` after `line vty 0 4` (as IOS prints
// a router's lines) adds the lines and may repeat lines 0-4's settings;
// a different one is refused with the reason, since flowtap has one
// configuration for every line and `transport input none` there would
// lock SSH out of lines 0-4 too.
func TestVTYSpareRange(t *testing.T) {
	_, err := Parse("t", []byte("line vty 0 4\n login local\n transport input ssh\nline vty 5 15\n login local\n transport input none\n"))
	if err == nil || !strings.Contains(err.Error(), "t:6:") || !strings.Contains(err.Error(), "the same configuration") {
		t.Fatalf("transport input none on 5-15: %v", err)
	}
	c, err := Parse("t", []byte("line vty 0 4\n login local\n transport input ssh\nline vty 5 15\n login local\n transport input ssh\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.VTY.Lines() != 16 || c.VTY.TransportInput != "ssh" || c.VTY.RefusesSSH() != "" {
		t.Errorf("vty %+v", c.VTY)
	}
}

// TestNTPPreferAskedFirst: `ntp server A prefer` puts A first in the
// order the client asks; `ntp server A` again makes it ordinary.
func TestNTPPreferAskedFirst(t *testing.T) {
	c, err := Parse("t", []byte("ntp server 192.0.2.80\nntp server 192.0.2.81 prefer\nntp server 192.0.2.82\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.NTP.PollOrder()); got != "[192.0.2.81 192.0.2.80 192.0.2.82]" {
		t.Errorf("poll order %s", got)
	}
	c, err = Parse("t", []byte("ntp server 192.0.2.80\nntp server 192.0.2.81 prefer\nntp server 192.0.2.81\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.NTP.PollOrder()); got != "[192.0.2.80 192.0.2.81]" || strings.Contains(RunningConfig(c), "prefer") {
		t.Errorf("poll order %s after ntp server without prefer", got)
	}
}
