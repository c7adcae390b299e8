package ios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestAccessLines: the privilege, console login and login block lines
// parse into the model, render back in IOS form, and `no` removes them.
func TestAccessLines(t *testing.T) {
	c, err := Parse("t", []byte(`username oper privilege 1 secret 0 operpass
privilege exec level 1 show  Running-Config
privilege exec level 5 clear ip flow stats
login block-for 30 attempts 5 within 60
line con 0
 login local
!
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.ExecLevel{{Command: "show running-config", Level: 1}, {Command: "clear ip flow stats", Level: 5}}
	if len(c.ExecLevels) != 2 || c.ExecLevels[0] != want[0] || c.ExecLevels[1] != want[1] {
		t.Errorf("exec levels %+v", c.ExecLevels)
	}
	if !c.Console.LoginLocal || c.LoginBlock != (config.LoginBlock{BlockFor: 30 * time.Second, Attempts: 5, Within: 60 * time.Second}) {
		t.Errorf("console %+v block %+v", c.Console, c.LoginBlock)
	}
	r := Render(c)
	for _, l := range []string{"privilege exec level 1 show running-config\nprivilege exec level 5 clear ip flow stats\n",
		"login block-for 30 attempts 5 within 60\n", "line con 0\n login local\n"} {
		if !strings.Contains(r, l) {
			t.Errorf("rendering lacks %q:\n%s", l, r)
		}
	}
	s := NewSession(c, "console")
	for _, l := range []string{"no privilege exec level 1 show running-config", "privilege exec reset clear ip flow stats",
		"no login block-for", "line con 0", "no login", "exit"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	n := s.Config()
	if len(n.ExecLevels) != 0 || n.Console.LoginLocal || n.LoginBlock != (config.LoginBlock{}) {
		t.Errorf("after no: %+v %+v %+v", n.ExecLevels, n.Console, n.LoginBlock)
	}
	for _, bad := range []string{"privilege exec level 16 show", "login block-for 0 attempts 3 within 10", "line con 1"} {
		if err := s.Exec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestLoginOnFailureLog: `login on-failure log [every N]` parses, renders
// back as IOS writes it (every 1 is the plain form), and `no` removes it;
// without it no failure is logged, with every N each Nth is.
func TestLoginOnFailureLog(t *testing.T) {
	for _, tc := range []struct {
		line, render string
		want         config.LoginLog
		logged       []uint64 // of failures 1..6
	}{
		{"", "", config.LoginLog{}, nil},
		{"login on-failure log", "login on-failure log\n", config.LoginLog{On: true}, []uint64{1, 2, 3, 4, 5, 6}},
		{"login on-failure log every 1", "login on-failure log\n", config.LoginLog{On: true}, []uint64{1, 2, 3, 4, 5, 6}},
		{"login on-failure log every 3", "login on-failure log every 3\n", config.LoginLog{On: true, Every: 3}, []uint64{3, 6}},
	} {
		c, err := Parse("t", []byte(tc.line+"\n"))
		if err != nil {
			t.Fatalf("%q: %v", tc.line, err)
		}
		if c.LoginFailureLog != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.line, c.LoginFailureLog, tc.want)
		}
		r := Render(c)
		if got := strings.Count(r, "login on-failure"); tc.render == "" && got != 0 || tc.render != "" && !strings.Contains(r, "\n"+tc.render) {
			t.Errorf("%q renders:\n%s", tc.line, r)
		}
		var logged []uint64
		for n := uint64(1); n <= 6; n++ {
			if c.LoginFailureLog.Logs(n) {
				logged = append(logged, n)
			}
		}
		if fmt.Sprint(logged) != fmt.Sprint(tc.logged) {
			t.Errorf("%q logs failures %v, want %v", tc.line, logged, tc.logged)
		}
		s := NewSession(c, "console")
		if err := s.Exec("no login on-failure"); err != nil || s.Config().LoginFailureLog != (config.LoginLog{}) {
			t.Errorf("%q then no login on-failure: %v %+v", tc.line, err, s.Config().LoginFailureLog)
		}
	}
	s := NewSession(config.Config{}, "console")
	for _, bad := range []string{"login on-failure log every 0", "login on-failure log every 65536", "login on-failure", "login on-failure log every"} {
		if err := s.Exec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	want := "Router(config)#login on-failure log ?\n  every  Log every N failed logins\n  <cr>\n"
	got := "Router(config)#login on-failure log ?\n" + strings.Join(s.Help("login on-failure log "), "\n") + "\n"
	if got != want {
		t.Errorf("help:\n%s\nwant:\n%s", got, want)
	}
}

// TestLoginOnSuccessLog: `login on-success log [every N]` parses,
// renders back as IOS writes it beside on-failure, and `no` removes it;
// without it no success is logged, with every N each Nth is.
func TestLoginOnSuccessLog(t *testing.T) {
	for _, tc := range []struct {
		line, render string
		want         config.LoginLog
		logged       []uint64 // of successes 1..6
	}{
		{"", "", config.LoginLog{}, nil},
		{"login on-success log", "login on-success log\n", config.LoginLog{On: true}, []uint64{1, 2, 3, 4, 5, 6}},
		{"login on-success log every 1", "login on-success log\n", config.LoginLog{On: true}, []uint64{1, 2, 3, 4, 5, 6}},
		{"login on-success log every 2", "login on-success log every 2\n", config.LoginLog{On: true, Every: 2}, []uint64{2, 4, 6}},
	} {
		c, err := Parse("t", []byte("login on-failure log\n"+tc.line+"\n"))
		if err != nil {
			t.Fatalf("%q: %v", tc.line, err)
		}
		if c.LoginSuccessLog != tc.want || c.LoginFailureLog != (config.LoginLog{On: true}) {
			t.Errorf("%q: success %+v failure %+v, want %+v and on", tc.line, c.LoginSuccessLog, c.LoginFailureLog, tc.want)
		}
		if r := Render(c); !strings.Contains(r, "\nlogin on-failure log\n"+tc.render+"!") {
			t.Errorf("%q renders:\n%s", tc.line, r)
		}
		var logged []uint64
		for n := uint64(1); n <= 6; n++ {
			if c.LoginSuccessLog.Logs(n) {
				logged = append(logged, n)
			}
		}
		if fmt.Sprint(logged) != fmt.Sprint(tc.logged) {
			t.Errorf("%q logs successes %v, want %v", tc.line, logged, tc.logged)
		}
		s := NewSession(c, "console")
		if err := s.Exec("no login on-success"); err != nil || s.Config().LoginSuccessLog != (config.LoginLog{}) || !s.Config().LoginFailureLog.On {
			t.Errorf("%q then no login on-success: %v %+v", tc.line, err, s.Config())
		}
	}
	s := NewSession(config.Config{}, "console")
	for _, bad := range []string{"login on-success log every 0", "login on-success log every 65536", "login on-success", "login on-success log x"} {
		if err := s.Exec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	want := "Router(config)#login ?\n" +
		"  block-for   Set quiet-mode active time period\n" +
		"  on-failure  Set options for failed login attempt\n" +
		"  on-success  Set options for successful login attempt\n" +
		"Router(config)#login on-success log ?\n  every  Log every N successful logins\n  <cr>\n" +
		"Router(config)#login on-success log every ?\n  <1-65535>  Number of successful logins between syslogs\n"
	got := "Router(config)#login ?\n" + strings.Join(s.Help("login "), "\n") + "\n" +
		"Router(config)#login on-success log ?\n" + strings.Join(s.Help("login on-success log "), "\n") + "\n" +
		"Router(config)#login on-success log every ?\n" + strings.Join(s.Help("login on-success log every "), "\n") + "\n"
	if got != want {
		t.Errorf("help:\n%s\nwant:\n%s", got, want)
	}
}

// TestLinePasswords: a line's `password` is kept as IOS keeps it and
// shown in a form IOS prints and reads back: in clear as typed (`password
// 0 X` shows as `password X`), type 7 as given; `service
// password-encryption` shows every one as type 7 from then on, the enable
// password too, and `no service password-encryption` decrypts none of
// them (IOS's way), while a password set after it shows in clear. An
// older flowtap's `password 8 HASH` still loads and logs in. The console
// takes `login`, `password` and `privilege level` too.
func TestLinePasswords(t *testing.T) {
	c, err := Parse("t", []byte(`line con 0
 privilege level 3
 password 0 conpass
 login
line vty 0 4
 privilege level 5
 password 7 0822455D0A16
 login
`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Console.LoginLine || c.Console.LoginLocal || c.Console.Privilege != 3 || !c.Console.Password.Verify("conpass") || !c.Console.AsksLinePassword() {
		t.Errorf("console %+v", c.Console)
	}
	if c.VTY.Login != config.VTYLoginLine || c.VTY.Privilege != 5 || !c.VTY.Password.Verify("cisco") || c.VTY.RefusesSSH() != "" || !c.VTY.LinePasswords() {
		t.Errorf("vty %+v (refuses %q)", c.VTY.VTYLine, c.VTY.RefusesSSH())
	}
	r := Render(c)
	want := "line con 0\n privilege level 3\n password conpass\n login\nline vty 0 4\n privilege level 5\n password 7 0822455D0A16\n login\n"
	if !strings.Contains(r, want) {
		t.Errorf("rendering lacks\n%s\nin:\n%s", want, r)
	}
	back, err := Parse("t", []byte(r))
	if err != nil || !config.Equal(back, c) {
		t.Errorf("the rendering reads back otherwise (%v):\n%s", err, Render(back))
	}
	// service password-encryption, on and off, with the enable password.
	e := NewSession(c, "console")
	var lines []string
	for _, l := range []string{"enable password en-pass", "service password-encryption", "line vty 0 4", "password vty pass", "exit",
		"no service password-encryption", "line con 0", "password con-after", "exit"} {
		if err := e.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if l == "line vty 0 4" || l == "exit" || l == "line con 0" {
			continue
		}
		lines = append(lines, "after "+l+":")
		for _, rl := range strings.Split(Render(e.Config()), "\n") {
			if strings.HasPrefix(rl, "service p") || strings.HasPrefix(rl, "enable") || strings.HasPrefix(rl, " password") || strings.HasPrefix(rl, "line") {
				lines = append(lines, rl)
			}
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	wantSvc := `after enable password en-pass:
enable password en-pass
line con 0
 password conpass
line vty 0 4
 password 7 0822455D0A16
after service password-encryption:
service password-encryption
enable password 7 070A2F015E080A16
line con 0
 password 7 070C2E425E080A16
line vty 0 4
 password 7 0822455D0A16
after password vty pass:
service password-encryption
enable password 7 070A2F015E080A16
line con 0
 password 7 070C2E425E080A16
line vty 0 4
 password 7 10581D00450713181F
after no service password-encryption:
enable password 7 070A2F015E080A16
line con 0
 password 7 070C2E425E080A16
line vty 0 4
 password 7 10581D00450713181F
after password con-after:
enable password 7 070A2F015E080A16
line con 0
 password con-after
line vty 0 4
 password 7 10581D00450713181F
`
	if got != wantSvc {
		t.Errorf("service password-encryption; got:\n%s", got)
	}
	for _, p := range []struct {
		pw   config.LinePassword
		want string
	}{{e.Config().EnablePassword, "en-pass"}, {e.Config().VTY.Password, "vty pass"}, {e.Config().Console.Password, "con-after"}} {
		if !p.pw.Verify(p.want) || p.pw.Verify(p.want+"x") {
			t.Errorf("%v does not check %q", p.pw, p.want)
		}
	}
	back, err = Parse("t", []byte(Render(e.Config())))
	if err != nil || !config.Equal(back, e.Config()) {
		t.Errorf("the encrypted rendering reads back otherwise (%v):\n%s", err, Render(back))
	}
	// A hash an older flowtap wrote still loads, logs in and shows so.
	h8, err := config.HashSecret("legacy-pw")
	if err != nil {
		t.Fatal(err)
	}
	old, err := Parse("t", []byte("line vty 0 4\n password 8 "+h8.Hash+"\n login\n"))
	if err != nil || !old.VTY.Password.Verify("legacy-pw") || !strings.Contains(Render(old), "\n password 8 "+h8.Hash+"\n") {
		t.Errorf("a type 8 line password from an older flowtap (%v):\n%s", err, Render(old))
	}
	// login without a password: IOS's "Password required, but none set".
	s := NewSession(c, "console")
	for _, l := range []string{"line vty 0 4", "no password", "exit", "line con 0", "no password", "login local", "exit"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	if n := s.Config(); n.VTY.RefusesSSH() != "login: password required, but none set" || n.Console.AsksLinePassword() || !n.Console.LoginLocal || n.Console.LoginLine {
		t.Errorf("after no password: vty refuses %q, console %+v", n.VTY.RefusesSSH(), n.Console)
	}
	for _, bad := range []string{"line vty 0 4\n password 8 $1$abc$def", "line con 0\n privilege level 16"} {
		if _, err := Parse("t", []byte(bad+"\n")); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
