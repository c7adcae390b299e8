package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestLinePasswordOverOpenSSH: with no local user at all, `line vty 0 4`
// / `password` / `login` logs the real OpenSSH client in with the line's
// password whatever user name it sends, at the line's `privilege level`
// (IOS's 1 without it), with no user in show users; a wrong password is
// refused. The passwords show as IOS shows them, in clear or as type 7.
// `login local` on the line turns the line password off; with
// `login` and no password every login is refused (IOS's "Password
// required, but none set"). The console with `login` asks for its own
// password only. `show line N` shows the session's line. Before, a line
// password was refused with the reason and logged nobody in, and there
// was no show line N.
func TestLinePasswordOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
line con 0
 password 0 conpass
 login
line vty 0 4
 privilege level 5
 password 7 0822455D0A16
 login
`)
	// The passwords show as IOS shows them: the clear one in clear, the
	// type 7 one as given; with service password-encryption the clear one
	// too is type 7, and the type 7 logins below still work.
	if rc := d.cli(t, "ios", "show running-config | section ^line\n"); rc != "line con 0\n password conpass\n login\nline vty 0 4\n privilege level 5\n password 7 0822455D0A16\n login\n" {
		t.Errorf("running-config:\n%s", rc)
	}
	d.cli(t, "ios", "configure terminal\nservice password-encryption\nend\n")
	if rc := d.cli(t, "ios", "show running-config | include password\n"); rc != "service password-encryption\n password 7 070C2E425E080A16\n password 7 0822455D0A16\n" {
		t.Errorf("with service password-encryption:\n%s", rc)
	}
	for _, user := range []string{"anyone", "root"} {
		out, err := openSSH(t, d.sshAddr, user, "cisco", false, "show privilege\nshow users\n")
		if err != nil || !strings.HasPrefix(out, "Current privilege level is 5\n") || !strings.Contains(out, "*  1 vty 0                idle") {
			t.Fatalf("%s with the line password (%v):\n%s", user, err, out)
		}
	}
	if out, err := openSSH(t, d.sshAddr, "anyone", "wrong", false, "show privilege\n"); err == nil {
		t.Fatalf("a wrong line password logged in:\n%s", out)
	}
	// show line N: the session's own line, active, with its exec-timeout
	// and transport; an idle one beside it.
	out, err := openSSH(t, d.sshAddr, "anyone", "cisco", false, "show line 1\nshow line vty 1\n")
	for _, w := range []string{"*    1 VTY              -    -      -    -    -      3       0     0/0       -\n\nLine 1, Location: \"\", Type: \"\"\n",
		"Status: Ready, Active, No Exit Banner\n", "               00:10:00        never                        none     not set\n",
		"Allowed input transports are ssh.\n",
		"     2 VTY              -    -      -    -    -      0       0     0/0       -\n\nLine 2,", "Status: No Exit Banner\n", "Time since activation: never\n"} {
		if err != nil || !strings.Contains(out, w) {
			t.Fatalf("show line 1 and show line vty 1 (%v) lack %q:\n%s", err, w, out)
		}
	}
	// Without privilege level the login starts at 1.
	d.cli(t, "ios", "configure terminal\nline vty 0 4\nno privilege level\nend\n")
	if out, err := openSSH(t, d.sshAddr, "anyone", "cisco", false, "show privilege\n"); err != nil || out != "Current privilege level is 1\n" {
		t.Fatalf("without privilege level (%v):\n%s", err, out)
	}
	// login local: local users only (there are none here), not the line's.
	d.cli(t, "ios", "configure terminal\nusername admin privilege 15 secret adminpass\nline vty 0 4\nlogin local\nend\n")
	if out, err := openSSH(t, d.sshAddr, "anyone", "cisco", false, "show privilege\n"); err == nil {
		t.Fatalf("login local took the line password:\n%s", out)
	}
	if out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n"); err != nil || out != "Current privilege level is 15\n" {
		t.Fatalf("admin with login local (%v):\n%s", err, out)
	}
	// login and no password: refused, users and all.
	d.cli(t, "ios", "configure terminal\nline vty 0 4\nlogin\nno password\nend\n")
	if out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n"); err == nil {
		t.Fatalf("login without a password let a user in:\n%s", out)
	}

	// The console asks for its password, no username, and starts at 1.
	conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "ios", Interactive: true, Console: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "wrong\rconpass\rshow privilege\rexit\r")
	conn.CloseWrite()
	b, _ := io.ReadAll(conn)
	conn.Close()
	got := stripMessages(strings.ReplaceAll(string(b), "\r\n", "\n"))
	want := "\nPassword: \nPassword: \ne2e>show privilege\nCurrent privilege level is 1\ne2e>exit\nPassword: "
	if got != want {
		t.Fatalf("console login screen %q\nwant %q", got, want)
	}
	// enable password (no enable secret): kept as IOS keeps it, type 7
	// here, and what `enable` checks.
	d.cli(t, "ios", "configure terminal\nenable password en-pass\nline vty 0 4\npassword cisco\nend\n")
	if rc := d.cli(t, "ios", "show running-config | include ^enable\n"); rc != "enable password 7 070A2F015E080A16\n" {
		t.Errorf("enable password:\n%s", rc)
	}
	if out, err := openSSH(t, d.sshAddr, "anyone", "cisco", false, "enable\nen-pass\nshow privilege\n"); err != nil || !strings.HasSuffix(out, "Current privilege level is 15\n") {
		t.Errorf("enable with the enable password (%v):\n%s", err, out)
	}
	// The change log masks a reversible password as it masks a secret.
	if lg := d.cli(t, "ios", "show logging\n"); strings.Contains(lg, "conpass") || strings.Contains(lg, "en-pass") || strings.Contains(lg, "070C2E425E080A16") || !strings.Contains(lg, "line con 0: password ***** -> password *****") {
		t.Errorf("show logging shows a password:\n%s", lg)
	}
}
