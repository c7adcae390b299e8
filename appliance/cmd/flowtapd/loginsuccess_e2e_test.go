package main

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestLoginSuccessLogOverOpenSSH: a login by the real OpenSSH client
// leaves no %SEC_LOGIN-5-LOGIN_SUCCESS until `login on-success log` is
// configured, as on IOS; with `every 2` only each second success is
// logged, and `no login on-success log` stops them again. Before, every
// success was logged and nothing turned it off.
func TestLoginSuccessLogOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
`)
	_, port, err := net.SplitHostPort(d.sshAddr)
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("%%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 127.0.0.1] [localport: %s]\n", port)
	logged := func() int {
		out := d.cli(t, "ios", "show logging | include LOGIN_SUCCESS\n")
		if n := strings.Count(out, "LOGIN_SUCCESS"); n != strings.Count(out, line) {
			t.Errorf("log lines not in IOS's form %q:\n%s", line, out)
		}
		return strings.Count(out, line)
	}
	login := func() {
		t.Helper()
		if out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n"); err != nil || out != "Current privilege level is 15\n" {
			t.Fatalf("login (%v):\n%s", err, out)
		}
	}
	login()
	if n := logged(); n != 0 {
		t.Errorf("without login on-success log: %d successes logged, want none", n)
	}
	d.cli(t, "ios", "configure terminal\nlogin on-success log\nend\n")
	login()
	if n := logged(); n != 1 {
		t.Errorf("with login on-success log: %d successes logged, want 1", n)
	}
	d.cli(t, "ios", "configure terminal\nlogin on-success log every 2\nend\n")
	if rc := d.cli(t, "ios", "show running-config | include ^login\n"); rc != "login on-success log every 2\n" {
		t.Errorf("running-config: %q", rc)
	}
	// The plane has counted two successes so far: the third is not
	// logged, the fourth is.
	login()
	if n := logged(); n != 1 {
		t.Errorf("every 2, third success: %d logged, want 1", n)
	}
	login()
	if n := logged(); n != 2 {
		t.Errorf("every 2, fourth success: %d logged, want 2", n)
	}
	d.cli(t, "ios", "configure terminal\nno login on-success log\nend\n")
	login()
	if n := logged(); n != 2 {
		t.Errorf("after no login on-success log: %d logged, want 2", n)
	}
}
