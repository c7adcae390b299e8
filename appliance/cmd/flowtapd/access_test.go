package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// openSSH runs the real OpenSSH client (through sshpass for the password)
// against addr and feeds it input; tty asks for a terminal (-tt), as an
// operator's interactive login has. It returns what the client printed.
func openSSH(t *testing.T, addr, user, pass string, tty bool, input string) (string, error) {
	t.Helper()
	for _, tool := range []string{"ssh", "sshpass"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install Debian's openssh-client and sshpass (make deps)", tool)
		}
	}
	host, port, _ := net.SplitHostPort(addr)
	args := []string{"-p", pass, "ssh", "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1",
		"-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20"}
	if tty {
		args = append(args, "-tt")
	} else {
		args = append(args, "-T")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sshpass", append(args, user+"@"+host)...)
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := testproc.Run(cmd)
	return out.String(), err
}

// sshpassCmd is the real OpenSSH client logging in to host:port as user
// with pass (sshpass types it), host keys not checked, opts (-tt for an
// interactive session held open, -c, -m) before the destination.
func sshpassCmd(ctx context.Context, host, port, user, pass string, opts ...string) *exec.Cmd {
	args := []string{"-p", pass, "ssh", "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "PubkeyAuthentication=no", "-o", "LogLevel=ERROR"}
	return exec.CommandContext(ctx, "sshpass", append(append(args, opts...), user+"@"+host)...)
}

// TestPrivilegeOverOpenSSH: a privilege-1 user logged in with the real
// OpenSSH client gets `>`, cannot configure, read the configuration or
// create a level-15 user; `enable` asks for the enable secret and gives
// `#` with it. Every privileged command is logged with the user. The
// console with `login local` asks for a username and password.
func TestPrivilegeOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
enable secret s3cret-enable
username oper privilege 1 secret operpass
username admin privilege 15 secret adminpass
line con 0
 login local
!
archive
 log config
  logging enable
  notify syslog contenttype plaintext
  hidekeys
!
`)
	// Without a terminal (ssh host < script): every privileged line is
	// refused, nothing changes.
	out, err := openSSH(t, d.sshAddr, "oper", "operpass", false,
		"show privilege\nshow running-config\nconfigure terminal\nusername evil privilege 15 secret 0 evilpass\nend\nwrite memory\nshow version\n")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	// `end` is one word and no command at level 1: IOS takes it for a
	// host name, as for any word.
	if !strings.HasPrefix(out, "Current privilege level is 1\n") || strings.Count(out, "% Invalid input detected at '^' marker.") != 4 ||
		strings.Count(out, "% Unknown command or computer name, or unable to find computer address") != 1 ||
		!strings.Contains(out, "flowtap Software") || strings.Contains(out, "hostname e2e") {
		t.Fatalf("a level-1 script's screen:\n%s", out)
	}
	if got := d.cli(t, "ios", "show running-config | include evil\n"); got != "" {
		t.Fatalf("a privilege-1 user changed the configuration: %q", got)
	}

	// At a terminal: `>`, a hidden configuration, then enable.
	keys := "show running-config\r" + "configure terminal\r" +
		"enable\rwrong\rstill-wrong\rno\r" + // three tries: % Bad secrets
		"enable\rs3cret-enable\r" + "show privilege\r" +
		"configure terminal\rhostname e2e-changed\rend\r" + "show running-config | include hostname\r" + "exit\r"
	out, err = openSSH(t, d.sshAddr, "oper", "operpass", true, keys)
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	want := `
e2e>show running-config
         ^
% Invalid input detected at '^' marker.
e2e>configure terminal
    ^
% Invalid input detected at '^' marker.
e2e>enable
Password: 
Password: 
Password: 
% Bad secrets

e2e>enable
Password: 
e2e#show privilege
Current privilege level is 15
e2e#configure terminal
Enter configuration commands, one per line.  End with CNTL/Z.
e2e(config)#hostname e2e-changed
e2e-changed(config)#end
e2e-changed#show running-config | include hostname
hostname e2e-changed
e2e-changed#exit
`
	if screen != want {
		t.Fatalf("terminal screen:\n%q\nwant:\n%q", screen, want)
	}
	for _, w := range []string{"wrong", "s3cret-enable"} {
		if strings.Contains(screen, w) {
			t.Fatalf("the enable secret was echoed (%q):\n%s", w, screen)
		}
	}
	// The accounting log names the user, in IOS's form.
	logs := d.cli(t, "ios", "show logging | include CFGLOG|PRIV_AUTH\n")
	for _, w := range []string{
		"%SYS-5-PRIV_AUTH_FAIL: Authentication to privilege level 15 failed by oper",
		"%SYS-5-PRIV_AUTH_PASS: Privilege level set to 15 by oper",
		"%PARSER-5-CFGLOG_LOGGEDCMD: User:oper  logged command:hostname e2e-changed",
	} {
		if !strings.Contains(logs, w) {
			t.Errorf("show logging lacks %q:\n%s", w, logs)
		}
	}
	// The configuration logger keeps the same commands with the line.
	if arch := d.cli(t, "ios", "show archive log config all | include oper\n"); !strings.Contains(arch, "oper@vty0  |hostname e2e-changed\n") {
		t.Errorf("show archive log config all:\n%s", arch)
	}

	// The admin user starts at level 15.
	if out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n"); err != nil || out != "Current privilege level is 15\n" {
		t.Fatalf("admin: %v %q", err, out)
	}

	// The console line asks for a login; a bad one is refused.
	conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "ios", Interactive: true, Console: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "admin\rwrong\r"+"oper\roperpass\rshow privilege\rexit\r")
	conn.CloseWrite()
	b, _ := io.ReadAll(conn)
	conn.Close()
	// The console shows log messages as they come (logging console),
	// each followed by the line it interrupted: compare without them.
	got := stripMessages(strings.ReplaceAll(string(b), "\r\n", "\n"))
	want = "\nUsername: admin\nPassword: \n% Login invalid\n\nUsername: oper\nPassword: \ne2e-changed>show privilege\nCurrent privilege level is 1\ne2e-changed>exit\nUsername: "
	if got != want {
		t.Fatalf("console login screen %q\nwant %q", got, want)
	}
	// Without a user that has a secret the console is not locked.
	d.cli(t, "ios", "configure terminal\nno username oper\nno username admin\nend\n")
	conn, err = control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "ios", Console: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "show privilege\n")
	conn.CloseWrite()
	b, _ = io.ReadAll(conn)
	conn.Close()
	if string(b) != "Current privilege level is 15\n" {
		t.Fatalf("console with login local and no users: %q", b)
	}
	// Root's control socket (not the console) stays privileged.
	if got := d.cli(t, "ios", "show privilege\n"); got != "Current privilege level is 15\n" {
		t.Fatalf("control socket: %q", got)
	}
}

// logMessage is a log message line as the console shows it.
var logMessage = regexp.MustCompile(`\n[*.]?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: %[A-Z0-9_]+-\d-[A-Z0-9_]+: [^\n]*\n`)

// stripMessages removes the log messages from a terminal screen, with the
// redraw of the interrupted line after each (logging synchronous).
func stripMessages(screen string) string {
	for {
		loc := logMessage.FindStringIndex(screen)
		if loc == nil {
			return screen
		}
		before := screen[:loc[0]]
		line := before[strings.LastIndex(before, "\n")+1:]
		rest := strings.TrimPrefix(screen[loc[1]:], line)
		screen = before + rest
	}
}

// TestPrivilegeConfigureOverOpenSSH: `privilege configure|interface level
// 5 ...` lets a privilege-5 user, logged in with the real OpenSSH
// client, change what those lines name and nothing else; a privilege-1
// user still cannot configure.
func TestPrivilegeConfigureOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username op5 privilege 5 secret op5pass
username op1 privilege 1 secret op1pass
privilege exec level 5 configure terminal
privilege configure level 5 logging host
privilege configure level 5 interface
privilege interface level 5 description
!
`)
	out, err := openSSH(t, d.sshAddr, "op5", "op5pass", false,
		"show privilege\nconfigure terminal\nlogging host 192.0.2.55\ninterface eth9\n description e2e-desc\n ip flow ingress\nhostname evil\nusername evil privilege 15 secret 0 evilpass\nend\n")
	if err != nil {
		t.Fatalf("ssh op5: %v\n%s", err, out)
	}
	if !strings.HasPrefix(out, "Current privilege level is 5\n") || strings.Count(out, "% Invalid input detected at '^' marker.") != 3 {
		t.Fatalf("a level-5 script's screen:\n%s", out)
	}
	run := d.cli(t, "ios", "show running-config\n")
	for _, w := range []string{"\nlogging host 192.0.2.55\n", "\ninterface eth9\n description e2e-desc\n"} {
		if !strings.Contains(run, w) {
			t.Errorf("running-config lacks %q:\n%s", w, run)
		}
	}
	for _, w := range []string{"evil", "interface eth9\n description e2e-desc\n ip flow ingress"} {
		if strings.Contains(run, w) {
			t.Errorf("a level-5 user changed %q:\n%s", w, run)
		}
	}

	out, err = openSSH(t, d.sshAddr, "op1", "op1pass", false, "show privilege\nconfigure terminal\nlogging host 192.0.2.66\n")
	if err != nil {
		t.Fatalf("ssh op1: %v\n%s", err, out)
	}
	if !strings.HasPrefix(out, "Current privilege level is 1\n") || strings.Count(out, "% Invalid input detected at '^' marker.") != 2 {
		t.Fatalf("a level-1 script's screen:\n%s", out)
	}
	if run := d.cli(t, "ios", "show running-config | include 192.0.2.66\n"); run != "" {
		t.Fatalf("a level-1 user configured: %q", run)
	}
}
