package ios

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/control"
)

// vtySession is a logged-in SSH user's session whose log is kept.
func vtySession(f *fakeBackend, user string, priv int) (*Session, *bytes.Buffer) {
	var log bytes.Buffer
	h := slog.NewTextHandler(&log, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	return NewSessionWith(f, Options{User: user, Privilege: priv, Line: LineVTY, Log: slog.New(h), FailDelay: time.Millisecond}), &log
}

// TestPrivilegeLevels: a level-1 user has `>`, no configuration mode and
// no running-config; `privilege exec level` lowers a command; enable with
// the secret gives `#`; every privileged command is logged with the user,
// and no secret reaches the log.
func TestPrivilegeLevels(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1",
		Archive: config.ArchiveLog{Enabled: true, NotifySyslog: true},
		ExecLevels: []config.ExecLevel{{Command: "sh run", Level: 5}, {Command: "clear ip flow stats", Level: 1},
			{Command: "frobnicate the box", Level: 1}}, // a command the CLI does not have changes nothing
		// Below 15, show running-config shows what the level may configure.
		ModeLevels: []config.ModeLevel{{Mode: config.ModeConfigure, Command: "hostname", Level: 5}}}}
	s, log := vtySession(f, "oper", 1)
	got := transcript(s, `
configure terminal
show running-config
show startup-config
show logging
terminal monitor
write memory
clear ip flow stats
clear ?
enable 3
wrong
enable 5
s3cret
show running-config | include hostname
configure terminal
disable
enable
s3cret
configure terminal
username evil privilege 15 secret 0 evilpass
end
disable 1
show ?`)
	want := `tap1>configure terminal
     ^
% Invalid input detected at '^' marker.
tap1>show running-config
          ^
% Invalid input detected at '^' marker.
tap1>show startup-config
          ^
% Invalid input detected at '^' marker.
tap1>show logging
          ^
% Invalid input detected at '^' marker.
tap1>terminal monitor
              ^
% Invalid input detected at '^' marker.
tap1>write memory
     ^
% Invalid input detected at '^' marker.
tap1>clear ip flow stats
tap1>clear ?
  ip               IP
tap1>enable 3
Password: 
% Access denied
tap1>enable 5
Password: 
tap1#show running-config | include hostname
hostname tap1
tap1#configure terminal
     ^
% Invalid input detected at '^' marker.
tap1#disable
tap1>enable
Password: 
tap1#configure terminal
Enter configuration commands, one per line.  End with CNTL/Z.
tap1(config)#username evil privilege 15 secret 0 evilpass
tap1(config)#end
tap1#disable 1
tap1>show ?
  access-lists     List access lists
  class-map        Show QoS Class Map
  clock            Display the system clock
  debugging        State of each debugging option
  flow             Flow information
  flow-sampler     Flow sampler information
  flowtap          flowtap extensions
  history          Display the session command history
  hosts            IP domain-name, lookup style, nameservers, and host table
  interfaces       Interface status and configuration
  inventory        Show the physical inventory
  ip               IP information
  ipv6             IPv6 information
  line             TTY line information
  memory           Memory statistics
  mls              Show MultiLayer Switching information
  ntp              Network time protocol
  platform         Show platform information
  policy-map       Show QoS Policy Map
  privilege        Show current privilege level
  processes        Active process statistics
  sessions         Information about Telnet connections
  snmp             snmp statistics
  ssh              Status of SSH server connections
  users            Display information about terminal lines
  version          System hardware and software status
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
	if f.cleared != 1 || f.saved != 0 {
		t.Errorf("cleared %d saved %d", f.cleared, f.saved)
	}
	l := log.String()
	for _, w := range []string{
		`%PARSER-5-CFGLOG_LOGGEDCMD: User:oper  logged command:show running-config | include hostname`,
		`%PARSER-5-CFGLOG_LOGGEDCMD: User:oper  logged command:configure terminal`,
		`%PARSER-5-CFGLOG_LOGGEDCMD: User:oper  logged command:username evil privilege 15 secret *****`,
		`%SYS-5-PRIV_AUTH_FAIL: Authentication to privilege level 3 failed by oper`,
		`%SYS-5-PRIV_AUTH_PASS: Privilege level set to 15 by oper`,
	} {
		if !strings.Contains(l, w) {
			t.Errorf("log lacks %q:\n%s", w, l)
		}
	}
	if strings.Contains(l, "evilpass") || strings.Contains(l, "s3cret") {
		t.Errorf("a secret reached the log:\n%s", l)
	}
	if strings.Contains(l, "logged command:clear ip flow stats") {
		t.Errorf("a level-1 command was logged as privileged:\n%s", l)
	}
}

// TestEnableNoSecretOnVTY: with no enable secret, an SSH user cannot
// raise its level (IOS: "% No password set"); root's socket can.
func TestEnableNoSecretOnVTY(t *testing.T) {
	f := &noSecret{fakeBackend{cfg: config.Config{Hostname: "tap1"}}}
	s := NewSessionWith(f, Options{User: "oper", Privilege: 1, Line: LineVTY})
	if got := transcript(s, "enable"); got != "tap1>enable\n% No password set\n" {
		t.Errorf("vty: %q", got)
	}
	c := NewSession(f, false)
	if got := transcript(c, "enable\nshow running-config | include hostname"); got != "tap1>enable\ntap1#show running-config | include hostname\nhostname tap1\n" {
		t.Errorf("control socket: %q", got)
	}
}

type noSecret struct{ fakeBackend }

func (n *noSecret) Access() Access            { return Access{} }
func (n *noSecret) CheckEnable(_ string) bool { return false }

// TestEnableAtTerminal: at a terminal, enable prompts "Password: ", does
// not echo, takes three tries and then says "% Bad secrets".
func TestEnableAtTerminal(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s, _ := vtySession(f, "oper", 1)
	keys := "enable\rno?1\ralso\t2\rthree\r" + "enable\rs3cret\r" + "exit\r"
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	want := "\r\ntap1>enable\r\nPassword: \r\nPassword: \r\nPassword: \r\n% Bad secrets\r\n\r\ntap1>enable\r\nPassword: \r\ntap1#exit\r\n"
	if out.String() != want {
		t.Errorf("screen %q\nwant   %q", out.String(), want)
	}
}

// TestConsoleLogin: with `login local` the console asks Username: and
// Password:, refuses a bad pair with "% Login invalid", runs the user at
// its privilege, and `exit` or Ctrl-D returns to Username: rather than
// ending the CLI (a shell runs on the console after it).
func TestConsoleLogin(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	login := func(u, p string) (int, bool) { return 1, u == "oper" && p == "operpass" }
	s := NewSessionWith(f, Options{Line: LineConsole, Login: login, FailDelay: time.Millisecond})
	keys := "show version\rnope\r" + "oper\roperpass\r" + "show running-config\r" + "exit\r" + "oper\roperpass\r\x04" + "show version\r"
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	want := "\r\nUsername: show version\r\nPassword: \r\n% Login invalid\r\n\r\n" +
		"Username: oper\r\nPassword: \r\ntap1>show running-config\r\n          ^\r\n% Invalid input detected at '^' marker.\r\n" +
		"tap1>exit\r\nUsername: oper\r\nPassword: \r\ntap1>\r\nUsername: show version\r\nPassword: "
	if out.String() != want {
		t.Errorf("screen %q\nwant   %q", out.String(), want)
	}
}

// TestLineTooLong: a 10 MB line is refused with a message, on a terminal
// and in a script, and the next line still runs.
func TestLineTooLong(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	huge := strings.Repeat("a", 10<<20)
	for _, tty := range []bool{false, true} {
		var out bytes.Buffer
		s := NewSession(f, true)
		in := "show " + huge + "\nshow version\n"
		if err := s.Serve(context.Background(), strings.NewReader(in), &out, control.Terminal{Interactive: tty}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "% Line too long (max 8192 characters)") || !strings.Contains(out.String(), "flowtap version test") {
			t.Errorf("terminal %v: screen lacks the refusal or the next command's output: %q...", tty, out.String()[:min(out.Len(), 300)])
		}
		if out.Len() > 3*8192 {
			t.Errorf("terminal %v: %d bytes of output for a refused line", tty, out.Len())
		}
	}
}

// TestLineTooLongErased: Ctrl-U after an over-long line erases it, and
// the line typed next runs.
func TestLineTooLongErased(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	var out bytes.Buffer
	in := strings.Repeat("a", 9000) + "\x15show version\rexit\r"
	if err := NewSession(f, true).Serve(context.Background(), strings.NewReader(in), &out, control.Terminal{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "% Line too long") || !strings.Contains(out.String(), "flowtap version test") {
		t.Errorf("screen: %q", out.String()[max(0, out.Len()-300):])
	}
}

// TestHideSecretsInTypedCommands: the commands kept for show archive log
// config and %PARSER-5-CFGLOG_LOGGEDCMD hide secrets as typed, a
// destination's Crypto-PAn key too.
func TestHideSecretsInTypedCommands(t *testing.T) {
	for in, want := range map[string]string{
		"username bob secret letmein": "username bob secret *****",
		"ena sec cisco":               "ena sec *****",
		"snmp-server user u G v3 auth sha pass priv aes 128 pass2":    "snmp-server user u G v3 auth *****",
		"ip flow-export destination 192.0.2.1 2055 cry K3Y ver ipfix": "ip flow-export destination 192.0.2.1 2055 cry ***** ver ipfix",
		"show ip cache flow": "show ip cache flow",
	} {
		if got := hideSecrets(in); got != want {
			t.Errorf("hideSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConsoleBannersAtEachLogin: a console login that ends (exit, or
// Ctrl-D) brings back the motd and login banners above the next
// Username:, as IOS shows them at each new login on the line; a failed
// login's Username: has none above it, and the exec banner follows each
// login.
func TestConsoleBannersAtEachLogin(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	login := func(u, p string) (int, bool) { return 1, u == "oper" && p == "operpass" }
	banners := map[string]string{"motd": "Motd of tap1", "login": "Authorised use only\n", "exec": "Exec banner"}
	s := NewSessionWith(f, Options{Line: LineConsole, Login: login, FailDelay: time.Millisecond,
		Banner: func(kind string) string { return banners[kind] }})
	keys := "oper\roperpass\r" + "exit\r" + "oper\rwrong\r" + "oper\roperpass\r\x04" + "oper\roperpass\r"
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	head := "Motd of tap1\r\nAuthorised use only\r\n\r\nUsername: "
	want := head + "oper\r\nPassword: \r\nExec banner\r\ntap1>exit\r\n" +
		head + "oper\r\nPassword: \r\n% Login invalid\r\n\r\n" +
		"Username: oper\r\nPassword: \r\nExec banner\r\ntap1>\r\n" +
		head + "oper\r\nPassword: \r\nExec banner\r\ntap1>"
	if out.String() != want {
		t.Errorf("screen %q\nwant   %q", out.String(), want)
	}

	// `login` with the line's password: the banners head each
	// Password: of a new login the same way.
	s = NewSessionWith(f, Options{Line: LineConsole, LinePassword: func(p string) (int, bool) { return 1, p == "linepass" },
		FailDelay: time.Millisecond, Banner: func(kind string) string { return banners[kind] }})
	out.Reset()
	if err := s.Serve(context.Background(), strings.NewReader("linepassexitlinepass"), &out, control.Terminal{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	head = "Motd of tap1\r\nAuthorised use only\r\n\r\nPassword: "
	if want := head + "\r\nExec banner\r\ntap1>exit\r\n" + head + "\r\nExec banner\r\ntap1>"; out.String() != want {
		t.Errorf("line password screen %q\nwant   %q", out.String(), want)
	}
}
