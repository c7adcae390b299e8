package ios

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/show"
)

// fakeLines is a LineTable of one console line and one vty.
type fakeLines struct {
	user    map[int]string
	cleared []string
}

func (f *fakeLines) Users(self int) []show.UserLine {
	return []show.UserLine{
		{Number: 0, Name: "con 0", User: f.user[1], Self: self == 1},
		{Number: 1, Name: "vty 0", User: f.user[2], Location: "192.0.2.7", Self: self == 2},
	}
}

func (f *fakeLines) Clear(n int, vty bool) error {
	f.cleared = append(f.cleared, fmt.Sprintf("%d %v", n, vty))
	if n > 1 {
		return fmt.Errorf("%% No session on that line")
	}
	return nil
}

func (f *fakeLines) SetUser(id int, user string) { f.user[id] = user }

func (f *fakeLines) SSH() []show.SSHConn { return nil }
func (f *fakeLines) TTYs() []show.TTYLine {
	return []show.TTYLine{{Number: 0, Type: "CTY", Active: true, Uses: 1, Input: "none", Since: 26 * time.Hour},
		{Number: 1, Type: "VTY", Active: f.user[2] != "", AccessIn: "10", Uses: 3, IdleExec: 10 * time.Minute, Input: "ssh", Since: 83 * time.Second},
		{Number: 2, Type: "VTY", Input: "none"}}
}

// TestShowUsersConsoleLogin: the console's login names its user on its
// line for `show users` (and its logout takes the name off); `clear line`
// asks [confirm] and clears by absolute or vty number.
func TestShowUsersConsoleLogin(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	lines := &fakeLines{user: map[int]string{2: "admin"}}
	login := func(u, p string) (int, bool) { return 15, u == "oper" && p == "operpass" }
	s := NewSessionWith(f, Options{Line: LineConsole, Login: login, FailDelay: time.Millisecond, Lines: lines, LineID: 1})
	keys := "oper\roperpass\r" + "show users\r" + "clear line vty 0\r\r" + "clear line 5\ry" + "clear line 1\rn" + "exit\r"
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	screen := strings.ReplaceAll(out.String(), "\r\n", "\n")
	want := "tap1#show users\n" +
		"    Line       User       Host(s)              Idle       Location\n" +
		"*  0 con 0     oper       idle                 00:00:00\n" +
		"   1 vty 0     admin      idle                 00:00:00 192.0.2.7\n\n" +
		"  Interface    User               Mode         Idle     Peer Address\n\n" +
		"tap1#clear line vty 0\n[confirm]\n [OK]\n" +
		"tap1#clear line 5\n[confirm]\n% No session on that line\n" +
		"tap1#clear line 1\n[confirm]\n" +
		"tap1#exit\n"
	if !strings.Contains(screen, want) {
		t.Errorf("screen:\n%s\nwant within it:\n%s", screen, want)
	}
	if got := strings.Join(lines.cleared, ","); got != "0 true,5 false" {
		t.Errorf("cleared %q (a refused [confirm] clears nothing)", got)
	}
	if lines.user[1] != "" {
		t.Errorf("after exit the console's line still names %q", lines.user[1])
	}
}

// TestVTYNamedInLogs: an SSH session's commands are logged with its own
// vty and client address (the archive's user@line, the "Configured from
// console by admin on vty1 (192.0.2.7)" of %SYS-5-CONFIG_I and a
// reload's requester), so two administrators' changes can be told
// apart. Before, every SSH session was "vty0", with no address.
func TestVTYNamedInLogs(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	f.cfg.Archive.Enabled = true
	a := NewSessionWith(f, Options{User: "admin", Privilege: 15, Line: LineVTY, VTY: "vty0", From: "192.0.2.7", FailDelay: time.Millisecond})
	b := NewSessionWith(f, Options{User: "oper", Privilege: 15, Line: LineVTY, VTY: "vty1", From: "2001:db8::9", FailDelay: time.Millisecond})
	transcript(a, "clear ip flow stats")
	transcript(b, "clear ip flow stats")
	got := transcript(a, "show archive log config all")
	for _, w := range []string{"admin@vty0  |clear ip flow stats", "oper@vty1  |clear ip flow stats"} {
		if !strings.Contains(got, w) {
			t.Errorf("archive log lacks %q:\n%s", w, got)
		}
	}
	if got, want := b.by(), "oper on vty1 (2001:db8::9)"; got != want {
		t.Errorf("by() = %q, want %q", got, want)
	}
	if got, want := NewSessionWith(f, Options{User: "x", Line: LineVTY}).by(), "x on vty0"; got != want {
		t.Errorf("without a line name: by() = %q, want %q", got, want)
	}
}

// TestSessionEndLeavesConfigMode: a script that ends in configuration
// mode, or a terminal whose connection drops there, leaves it as `end`
// does, so the backend logs %SYS-5-CONFIG_I with who made the change.
// Before, nothing was logged for such a session's changes but the lines
// themselves, and a SIEM watching CONFIG_I missed them.
func TestSessionEndLeavesConfigMode(t *testing.T) {
	for _, tty := range []bool{false, true} {
		f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
		s := NewSessionWith(f, Options{User: "admin", Privilege: 15, Line: LineVTY, FailDelay: time.Millisecond})
		in := "configure terminal\nhostname tap2\n"
		if tty {
			in = "configure terminal\rhostname tap2\r"
		}
		var out bytes.Buffer
		if err := s.Serve(context.Background(), strings.NewReader(in), &out, control.Terminal{Interactive: tty}); err != nil {
			t.Fatal(err)
		}
		if f.ends != 1 {
			t.Errorf("terminal %v: configuration mode ended %d times, want 1:\n%q", tty, f.ends, out.String())
		}
	}
	// A session that said `end` itself is not ended twice.
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSessionWith(f, Options{User: "admin", Privilege: 15, Line: LineVTY})
	s.Serve(context.Background(), strings.NewReader("configure terminal\nhostname tap2\nend\n"), &bytes.Buffer{}, control.Terminal{})
	if f.ends != 1 {
		t.Errorf("with end: ended %d times", f.ends)
	}
}

// TestEnableLoggedWithLine: enable's PRIV_AUTH_FAIL and PRIV_AUTH_PASS
// name the vty and the client's address with the user, as IOS does, so
// that a guessed enable secret can be traced to its session.
func TestEnableLoggedWithLine(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	var log bytes.Buffer
	s := NewSessionWith(f, Options{User: "oper", Privilege: 1, Line: LineVTY, VTY: "vty2", From: "192.0.2.7",
		Log: slog.New(slog.NewTextHandler(&log, nil)), FailDelay: time.Millisecond})
	transcript(s, "enable\nwrong\nenable\ns3cret")
	for _, w := range []string{
		"%SYS-5-PRIV_AUTH_FAIL: Authentication to privilege level 15 failed by oper on vty2 (192.0.2.7)",
		"%SYS-5-PRIV_AUTH_PASS: Privilege level set to 15 by oper on vty2 (192.0.2.7)",
	} {
		if !strings.Contains(log.String(), w) {
			t.Errorf("log lacks %q:\n%s", w, log.String())
		}
	}
}

// TestConsoleLoginNameQuoted: a name typed at the console's Username:
// that could forge a log field ("] [Source: ...") is quoted in
// %SEC_LOGIN-4-LOGIN_FAILED, as SSH's are.
func TestConsoleLoginNameQuoted(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	var log bytes.Buffer
	login := func(u, p string) (int, bool) { return 1, false }
	s := NewSessionWith(f, Options{Line: LineConsole, Login: login, FailDelay: time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&log, nil))})
	s.Serve(context.Background(), strings.NewReader("x] [Source: 10.0.0.1\rpw\r"), &bytes.Buffer{}, control.Terminal{Interactive: true})
	want := `Login failed [user: \"x] [Source: 10.0.0.1\"] on console`
	if !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, log.String())
	}
}

// TestConsoleLoginFailureLog: the console logs a failed login only when
// `login on-failure log` says so (LogFailure), every Nth with every N.
func TestConsoleLoginFailureLog(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	var log bytes.Buffer
	n := 0
	everySecond := func() bool { n++; return n%2 == 0 }
	s := NewSessionWith(f, Options{Line: LineConsole, Login: func(u, p string) (int, bool) { return 1, false }, FailDelay: time.Millisecond,
		LogFailure: everySecond, Log: slog.New(slog.NewTextHandler(&log, nil))})
	s.Serve(context.Background(), strings.NewReader("one\rpw\rtwo\rpw\rthree\rpw\r"), &bytes.Buffer{}, control.Terminal{Interactive: true})
	if got := strings.Count(log.String(), "LOGIN_FAILED"); got != 1 || !strings.Contains(log.String(), "[user: two] on console") {
		t.Errorf("%d failures logged, want the second only:\n%s", got, log.String())
	}
}

// TestConsoleLoginSuccessLog: the console logs a successful login, by
// user name or by the line's password, only when `login on-success log`
// says so (LogSuccess), every Nth with every N.
func TestConsoleLoginSuccessLog(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	for _, tc := range []struct {
		name string
		opt  Options
		keys string
		want []string
	}{
		{"login local", Options{Login: func(u, p string) (int, bool) { return 1, p == "pw" }},
			"one\rpw\rexit\rtwo\rpw\rexit\rthree\rpw\rexit\r", []string{"[user: two] on console"}},
		{"line password", Options{LinePassword: func(p string) (int, bool) { return 1, p == "pw" }},
			"pw\rexit\rpw\rexit\rpw\rexit\r", []string{"[user: ] on console"}},
	} {
		var log bytes.Buffer
		n := 0
		o := tc.opt
		o.Line, o.FailDelay, o.Log = LineConsole, time.Millisecond, slog.New(slog.NewTextHandler(&log, nil))
		o.LogSuccess = func() bool { n++; return n%2 == 0 }
		s := NewSessionWith(f, o)
		s.Serve(context.Background(), strings.NewReader(tc.keys), &bytes.Buffer{}, control.Terminal{Interactive: true})
		var got []string
		for _, l := range strings.Split(log.String(), "\n") {
			if _, m, ok := strings.Cut(l, "LOGIN_SUCCESS: Login Success "); ok {
				got = append(got, strings.TrimSuffix(m, `"`))
			}
		}
		if n != 3 || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %d successes asked, logged %q, want 3 and %q:\n%s", tc.name, n, got, tc.want, log.String())
		}
	}
}

// TestShowLine: `show line` lists the console and each vty with IOS's
// columns: "*" on the lines a session holds, the vty's access-class in
// AccI and the sessions each line has carried.
func TestShowLine(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	lines := &fakeLines{user: map[int]string{2: "admin"}}
	s := NewSessionWith(f, Options{User: "admin", Privilege: 1, Line: LineVTY, FailDelay: time.Millisecond, Lines: lines, LineID: 2})
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader("show line\n"), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	want := "   Tty Typ     Tx/Rx    A Modem  Roty AccO AccI   Uses   Noise  Overruns   Int\n" +
		"*    0 CTY              -    -      -    -    -      1       0     0/0       -\n" +
		"*    1 VTY              -    -      -    -   10      3       0     0/0       -\n" +
		"     2 VTY              -    -      -    -    -      0       0     0/0       -\n"
	if out.String() != want {
		t.Errorf("show line:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestConsoleLinePassword: a console with `login` and `password` asks for
// the password only, no username; three wrong ones get IOS's "% Bad
// passwords" and the prompt again; the right one starts at the line's
// level (# from level 2, as IOS prompts); exit asks for the password
// again.
func TestConsoleLinePassword(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	var log bytes.Buffer
	check := func(p string) (int, bool) { return 3, p == "conpass" }
	s := NewSessionWith(f, Options{Line: LineConsole, LinePassword: check, FailDelay: time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&log, nil))})
	var out bytes.Buffer
	s.Serve(context.Background(), strings.NewReader("a\rb\rc\rconpass\rshow privilege\rexit\r"), &out, control.Terminal{Interactive: true})
	want := "\r\nPassword: \r\nPassword: \r\nPassword: \r\n% Bad passwords\r\n\r\nPassword: \r\ntap1#show privilege\r\nCurrent privilege level is 3\r\ntap1#exit\r\nPassword: "
	if got := out.String(); got != want {
		t.Errorf("console:\n%q\nwant:\n%q", got, want)
	}
	if n := strings.Count(log.String(), "LOGIN_FAILED: Login failed [user: ] on console"); n != 3 || !strings.Contains(log.String(), "LOGIN_SUCCESS: Login Success [user: ] on console") {
		t.Errorf("log:\n%s", log.String())
	}
}

// TestShowOneLine: `show line N` (and `show line vty N`, `show line
// console 0`) prints the line's row and its settings in IOS's words: an
// active vty with its exec-timeout and time since activation, an idle
// one with "never"; a line that does not exist is a % line.
func TestShowOneLine(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	lines := &fakeLines{user: map[int]string{2: "admin"}}
	s := NewSessionWith(f, Options{User: "admin", Privilege: 1, Line: LineVTY, FailDelay: time.Millisecond, Lines: lines, LineID: 2})
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader("show line 1\nshow line vty 0\nshow line 2\nshow line console 0\nshow line 9\n"), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "show-line.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("show line N:\n%s\nwant (%s):\n%s", out.String(), path, want)
	}
}

// TestLoginDisabledNotice: `login` on a line that has no password yet is
// taken, and IOS says at once that no login can succeed there, once per
// line of the range (vty N is line N+1, the console line 0); a line with
// a password, `login local` and `no login` on the console say nothing.
// Before, the line was taken silently and the operator learnt it at the
// next login.
func TestLoginDisabledNotice(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSessionWith(f, Options{Line: LineControl, Privilege: 15, FailDelay: time.Millisecond})
	var out bytes.Buffer
	script := "configure terminal\n" +
		"line vty 0 2\nlogin\n" +
		"line vty 3 4\npassword 0 vtypass\nlogin\n" +
		"line vty 0 4\nlogin local\n" +
		"line con 0\nlogin\nno login\nlogin local\npassword 0 conpass\nlogin\n" +
		"end\n"
	if err := s.Serve(context.Background(), strings.NewReader(script), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	want := "Enter configuration commands, one per line.  End with CNTL/Z.\n" +
		"% Login disabled on line 1, until 'password' is set\n" +
		"% Login disabled on line 2, until 'password' is set\n" +
		"% Login disabled on line 3, until 'password' is set\n" +
		"% Login disabled on line 0, until 'password' is set\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if c := f.cfg.Console; !c.LoginLine || !c.Password.IsSet() {
		t.Errorf("console not left with login and its password: %+v", c)
	}
}
