package ios

import (
	"fmt"
	"strings"
	"testing"
	"time"

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
// a router's lines) adds the lines with IOS's defaults and gives them
// settings of their own: `transport input none` there leaves lines 0-4
// taking SSH, and the running-config lists both ranges as typed.
func TestVTYSpareRange(t *testing.T) {
	src := "line vty 0 4\n login local\n transport input ssh\nline vty 5 15\n login local\n transport input none\n"
	c, err := Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.VTY.Lines() != 16 || c.VTY.RefusesSSH() != "" || c.VTY.SSHLines() != 5 || c.VTY.Line(4).TransportInput != "ssh" || c.VTY.Line(5).TransportInput != "none" {
		t.Errorf("vty %+v", c.VTY)
	}
	if rc := RunningConfig(c); !strings.Contains(rc, "\n!\n"+src+"!\n") {
		t.Errorf("running-config:\n%s", rc)
	}
	c, err = Parse("t", []byte("line vty 0 4\n login local\n transport input ssh\nline vty 5 15\n login local\n transport input ssh\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.VTY.Lines() != 16 || c.VTY.TransportInput != "ssh" || len(c.VTY.Ranges) != 0 || !strings.Contains(RunningConfig(c), "\nline vty 0 15\n login local\n transport input ssh\n") {
		t.Errorf("alike ranges: vty %+v\n%s", c.VTY, RunningConfig(c))
	}
}

// TestVTYRanges: each line keeps its own settings through commands on
// overlapping ranges, as on IOS: a command on a range changes what it
// names on those lines only, lines added later get the defaults (not
// line 0's), `no line vty` drops the removed lines' settings, and the
// running-config (runs of alike lines) reads back to the same model.
func TestVTYRanges(t *testing.T) {
	c, err := Parse("t", []byte(`access-list 10 permit 192.0.2.0 0.0.0.255
access-list 20 permit host 192.0.2.9
line vty 0 4
 access-class 10 in
 exec-timeout 5 0
line vty 5 15
 transport input none
line vty 4
 access-class 20 in
line vty 0 15
 privilege level 15
line vty 6 7
 transport input ssh
 login
`))
	if err != nil {
		t.Fatal(err)
	}
	want := `line vty 0 3
 access-class 10 in
 exec-timeout 5 0
 privilege level 15
line vty 4
 access-class 20 in
 exec-timeout 5 0
 privilege level 15
line vty 5
 privilege level 15
 transport input none
line vty 6 7
 privilege level 15
 login
 transport input ssh
line vty 8 15
 privilege level 15
 transport input none
`
	rc := RunningConfig(c)
	if !strings.Contains(rc, "\n!\n"+want+"!\n") {
		t.Errorf("running-config:\n%s\nwant the lines:\n%s", rc, want)
	}
	back, err := Parse("back", []byte(rc))
	if err != nil || !config.Equal(back, c) {
		t.Errorf("read back: %v %v", err, config.Diff(c, back))
	}
	if l := c.VTY.Line(4); l.AccessClass != "20" || l.IdleLimit() != 5*time.Minute || l.Privilege != 15 {
		t.Errorf("vty 4: %+v", l)
	}
	// The line an SSH connection gets: the lowest free one that takes SSH.
	busy := map[int]bool{0: true, 1: true, 2: true, 3: true}
	if n, ok, _ := c.VTY.SSHLine(func(n int) bool { return busy[n] }); !ok || n != 4 {
		t.Errorf("with 0-3 busy the next SSH line is %d %v, want 4", n, ok)
	}
	busy[4] = true
	if n, ok, _ := c.VTY.SSHLine(func(n int) bool { return busy[n] }); !ok || n != 6 {
		t.Errorf("with 0-4 busy the next SSH line is %d %v, want 6 (5 takes no SSH)", n, ok)
	}
	busy[6], busy[7] = true, true
	if _, ok, any := c.VTY.SSHLine(func(n int) bool { return busy[n] }); ok || !any {
		t.Errorf("with every SSH line busy: ok %v any %v", ok, any)
	}
	// Removing lines 8-15 drops them; adding them again gives defaults.
	c, err = Parse("t", []byte(strings.TrimSuffix(rc, "end\n")+"no line vty 8 15\nline vty 0 12\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.VTY.Lines() != 13 || c.VTY.Line(12) != (config.VTYLine{}) || c.VTY.Line(7).Privilege != 15 {
		t.Errorf("after no line vty 8 15 / line vty 0 12: %+v", c.VTY)
	}
	if !strings.Contains(RunningConfig(c), "\nline vty 8 12\n!\n") {
		t.Errorf("the added lines are not shown with the defaults:\n%s", RunningConfig(c))
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

// TestPastedRouterLinesSayWhy: lines of a router's running-config that
// flowtap does not carry out are refused with the reason (not the bare
// marker), and those that mean nothing on a tap box are taken quietly.
func TestPastedRouterLinesSayWhy(t *testing.T) {
	for _, tc := range []struct{ src, why string }{
		{"interface eth1\n ip flow monitor FNF-MON input\n", "flow monitor FNF-MON is not configured"},
		{"interface eth1\n vrf forwarding Mgmt-intf\n", "no VRFs"},
		{"flow record FNF-REC\n match datalink mac source address input\n", "flowtap flow mask keys on layer 2 fields"},
		{"ntp peer 192.0.2.1\n", "client only"},
		{"no logging console\n", "console shows every message"},
		{"line con 0\n login authentication default\n", "AAA method lists"},
		{"line con 0\n exec-timeout 5 0\n", "does not time out"},
		{"logging source-interface GigabitEthernet0/0\n", "not a Linux interface name"},
		{"banner slip-ppp ^C\nhostname not-a-command\n^C\n", "no SLIP or PPP lines"},
	} {
		_, err := Parse("t", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.why) || strings.Count(err.Error(), "t:") != 1 {
			t.Errorf("%q: %v; want one refusal saying %q", tc.src, err, tc.why)
		}
	}
	for _, src := range []string{
		"service pad\nno service pad\nplatform qfp utilization monitor load 80\nlicense udi pid ISR4431/K9 sn FOC1\n",
		"no aaa new-model\nno ip http server\nno cdp run\n",
		"interface eth1\n no ip address\n no cdp enable\n",
		"line con 0\n exec-timeout 0 0\n stopbits 1\n logging synchronous\n transport input none\n",
		"line vty 0 4\n logging synchronous\n length 0\n",
		"snmp-server view cutdown iso included\nsnmp-server view cutdown at excluded\n",
		"banner motd ^C\nAuthorised access only.\n  Indented line.\n^C\nbanner login #Branch: authorised use only#\n",
	} {
		c, err := Parse("t", []byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if back, err := Parse("back", []byte(RunningConfig(c))); err != nil || !config.Equal(back, c) {
			t.Errorf("%q does not read back: %v", src, err)
		}
	}
}

// TestRemarkSharesSequence: IOS-XE's running-config numbers a named
// list's remark with the number of the rule under it, and a remark typed
// without a number is followed by numbered rules; both are taken (before,
// "% Duplicate sequence number"), the remark staying above its rule and
// reading back the same. Two rules (or two remarks) on one number are
// still refused.
func TestRemarkSharesSequence(t *testing.T) {
	for _, src := range []string{
		"ip access-list extended MGMT-IN\n 10 remark allow ssh\n 10 permit tcp 192.0.2.0 0.0.0.255 any eq 22\n 20 deny ip any any\n",
		"ip access-list extended MGMT-IN\n remark allow ssh\n 10 permit tcp 192.0.2.0 0.0.0.255 any eq 22\n",
		"ip access-list extended MGMT-IN\n 10 permit tcp 192.0.2.0 0.0.0.255 any eq 22\n 10 remark allow ssh\n",
	} {
		c, err := Parse("t", []byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		rc := RunningConfig(c)
		if !strings.Contains(rc, "\n 10 remark allow ssh\n 10 permit tcp 192.0.2.0 0.0.0.255 any eq 22\n") {
			t.Errorf("%q: running-config:\n%s", src, rc)
		}
		if back, err := Parse("back", []byte(rc)); err != nil || !config.Equal(back, c) {
			t.Errorf("%q does not read back: %v", src, err)
		}
	}
	for _, src := range []string{
		"ip access-list extended X\n 10 permit ip any any\n 10 deny ip any any\n",
		"ip access-list extended X\n 10 remark a\n 10 remark b\n",
	} {
		if _, err := Parse("t", []byte(src)); err == nil || !strings.Contains(err.Error(), "Duplicate sequence number") {
			t.Errorf("%q: %v; want Duplicate sequence number", src, err)
		}
	}
}

// TestBanners: banners typed at the CLI as IOS takes them, with any
// delimiter, on one line or many (IOS's prompt for the text, a command
// inside the text kept as text), the type left out meaning motd; `no
// banner`; show running-config prints them between ^C and reads back;
// a refused banner's text is still skipped, not taken for commands.
func TestBanners(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	var errs []string
	exec := func(l string) {
		if err := s.Exec(l); err != nil {
			errs = append(errs, l+": "+err.Error())
		}
	}
	exec("banner =first=")
	if m := s.Config().Banners.MOTD; m != "first" {
		t.Errorf("banner without a type: motd %q", m)
	}
	exec("banner motd %")
	if n := s.Notes(); len(n) != 1 || n[0] != "Enter TEXT message.  End with the character '%'." {
		t.Errorf("notes %q", n)
	}
	for _, l := range []string{"Authorised access only.", "hostname would-be-text", "last line % ignored after the delimiter", "hostname pasted"} {
		exec(l)
	}
	exec("banner login #Branch: authorised use only#")
	exec("banner exec ^C")
	exec("Welcome to $(hostname) on line $(line)")
	exec("^C")
	exec("banner incoming XinX")
	exec("banner slip-ppp ^C")
	exec("hostname not-a-command")
	exec("^C")
	if len(errs) != 1 || !strings.Contains(errs[0], "SLIP") {
		t.Errorf("errors %q; want banner slip-ppp's alone", errs)
	}
	c := s.Config()
	want := config.Banners{
		MOTD:     "\nAuthorised access only.\nhostname would-be-text\nlast line ",
		Login:    "Branch: authorised use only",
		Exec:     "\nWelcome to $(hostname) on line $(line)\n",
		Incoming: "in",
	}
	if c.Banners != want || c.Hostname != "pasted" {
		t.Errorf("banners %+v hostname %q; want %+v, pasted", c.Banners, c.Hostname, want)
	}
	rc := RunningConfig(c)
	const shown = "!\nbanner exec ^C\nWelcome to $(hostname) on line $(line)\n^C\nbanner incoming ^Cin^C\n" +
		"banner login ^CBranch: authorised use only^C\nbanner motd ^C\nAuthorised access only.\nhostname would-be-text\nlast line ^C\n!\n"
	if !strings.Contains(rc, shown) {
		t.Errorf("running-config:\n%s\nwant it to hold\n%s", rc, shown)
	}
	back, err := Parse("back", []byte(rc))
	if err != nil || back.Banners != want {
		t.Errorf("read back: %+v, %v", back.Banners, err)
	}
	for _, l := range []string{"no banner motd", "default banner exec ^C", "no banner incoming"} {
		exec(l)
	}
	if b := s.Config().Banners; b != (config.Banners{Login: want.Login}) {
		t.Errorf("after no banner: %+v", b)
	}
	// A text holding ^C would not read back: refused, the banner kept.
	errs = nil
	for _, l := range []string{"banner login #a^Cb#", "banner login %", "line ^C", "%", "hostname after"} {
		exec(l)
	}
	if len(errs) != 2 || !strings.Contains(errs[0], "cannot hold ^C") || !strings.Contains(errs[1], "cannot hold ^C") {
		t.Errorf("errors %q; want two refusals of ^C", errs)
	}
	if c := s.Config(); c.Banners.Login != want.Login || c.Hostname != "after" {
		t.Errorf("after refused texts: %+v %q", c.Banners, c.Hostname)
	}
}
