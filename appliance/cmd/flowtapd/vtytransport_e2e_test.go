package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestVTYTransportAndLogin: the `line vty` lines pasted from a router
// decide, with the real OpenSSH client, who gets in. `transport input
// none` and `login` (a line password, which flowtap has none of) refuse
// every SSH login; `transport input ssh` and `login local` let the
// local users in; `privilege level 15` starts a user without its own
// level at 15. What is configured survives write memory and a restart.
func TestVTYTransportAndLogin(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin secret adminpass
`)
	loginLevel := func() (bool, string) {
		out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n")
		if err != nil {
			return false, out
		}
		return true, out
	}
	for _, c := range []struct {
		lines string
		login bool
		level string // "Current privilege level is N" when logged in
	}{
		{"transport input none", false, ""},
		{"transport input ssh", true, "1"},
		{"login", false, ""},
		{"login local", true, "1"},
		{"transport input telnet ssh", true, "1"},
		{"privilege level 15", true, "15"},
	} {
		conf := "configure terminal\nline vty 0 4\n" + c.lines + "\nend\n"
		// `login` without a password is taken with IOS's notice per line.
		out := strings.ReplaceAll(d.cli(t, "ios", conf), "% Login disabled on line", "")
		if strings.Contains(out, "%") {
			t.Fatalf("%s:\n%s", conf, out)
		}
		got, out := loginLevel()
		if got != c.login {
			t.Errorf("%s: logged in %v, want %v:\n%s", c.lines, got, c.login, out)
			continue
		}
		if c.login && !strings.Contains(out, "Current privilege level is "+c.level) {
			t.Errorf("%s: want level %s:\n%s", c.lines, c.level, out)
		}
	}
	if !strings.Contains(d.log.String(), "transport input none") {
		t.Errorf("the refusal's reason is not logged:\n%s", d.log)
	}
	// telnet alone would leave no way in: refused with the reason, the
	// lines as they were.
	out := d.cli(t, "ios", "configure terminal\nline vty 0 4\ntransport input telnet\nend\n")
	if !strings.Contains(out, "% Telnet is not offered") {
		t.Errorf("transport input telnet:\n%s", out)
	}
	want := "line vty 0 4\n privilege level 15\n login local\n transport input telnet ssh\n"
	rc := d.cli(t, "ios", "show running-config\n")
	if !strings.Contains(rc, want) {
		t.Fatalf("running-config lacks\n%s\n%s", want, rc)
	}
	// `transport input none`, saved: after a restart from the
	// startup-config alone the box still refuses SSH.
	d.cli(t, "ios", "configure terminal\nline vty 0 4\ntransport input none\nend\nwrite memory\n")
	d.cmd.Process.Signal(os.Interrupt)
	d.cmd.Wait()
	os.Remove(filepath.Join(d.dir, "running-config"))
	d.crash(t)
	if rc := d.cli(t, "ios", "show running-config\n"); !strings.Contains(rc, "line vty 0 4\n privilege level 15\n login local\n transport input none\n") {
		t.Errorf("after a restart:\n%s", rc)
	}
	if ok, out := loginLevel(); ok {
		t.Errorf("after a restart, transport input none let a login in:\n%s", out)
	}
	d.cli(t, "ios", "configure terminal\nline vty 0 4\nno transport input\nend\n")
	if ok, out := loginLevel(); !ok {
		t.Errorf("no transport input: no login:\n%s", out)
	}
}
