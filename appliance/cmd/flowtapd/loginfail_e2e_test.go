package main

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestLoginFailureLogOverOpenSSH: a wrong password from the real OpenSSH
// client leaves no %SEC_LOGIN-4-LOGIN_FAILED until `login on-failure log`
// is configured, as on IOS; with `every 2` only each second failure is
// logged. Before, every failure was logged and nothing turned it off.
func TestLoginFailureLogOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
`)
	failed := func() int {
		return strings.Count(d.cli(t, "ios", "show logging | include LOGIN_FAILED\n"), "%SEC_LOGIN-4-LOGIN_FAILED")
	}
	guess := func() {
		t.Helper()
		if out, err := openSSH(t, d.sshAddr, "admin", "wrong", false, "show privilege\n"); err == nil {
			t.Fatalf("a wrong password logged in:\n%s", out)
		}
	}
	guess()
	if n := failed(); n != 0 {
		t.Errorf("without login on-failure log: %d failures logged, want none", n)
	}
	d.cli(t, "ios", "configure terminal\nlogin on-failure log\nend\n")
	guess()
	if n := failed(); n != 1 {
		t.Errorf("with login on-failure log: %d failures logged, want 1", n)
	}
	d.cli(t, "ios", "configure terminal\nlogin on-failure log every 2\nend\n")
	if rc := d.cli(t, "ios", "show running-config | include ^login\n"); rc != "login on-failure log every 2\n" {
		t.Errorf("running-config: %q", rc)
	}
	// The plane has counted two failures so far: the third is not
	// logged, the fourth is.
	guess()
	if n := failed(); n != 1 {
		t.Errorf("every 2, third failure: %d logged, want 1", n)
	}
	guess()
	if n := failed(); n != 2 {
		t.Errorf("every 2, fourth failure: %d logged, want 2", n)
	}
	d.cli(t, "ios", "configure terminal\nno login on-failure log\nend\n")
	guess()
	if n := failed(); n != 2 {
		t.Errorf("after no login on-failure log: %d logged, want 2", n)
	}
}
