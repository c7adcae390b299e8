package main

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestNoPasswordUserOverOpenSSH: `username guest nopassword`, shown in
// the running-config, lets guest log in with the real OpenSSH client
// without its password, as on IOS, and the login is logged as a success.
// Before, guest was refused whatever it typed.
func TestNoPasswordUserOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
login on-success log
username guest nopassword
username admin privilege 15 secret adminpass
username keyed nopassword
username keyed ssh-key ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPZBDwahyKRjlVXeB5PkjoEtqkwnNfaC81g8nGIn6/LC
`)
	out, err := openSSH(t, d.sshAddr, "guest", "not-asked", false, "show privilege\n")
	if err != nil || out != "Current privilege level is 1\n" {
		t.Fatalf("nopassword login (%v):\n%s", err, out)
	}
	if out, err := openSSH(t, d.sshAddr, "admin", "wrong", false, "show privilege\n"); err == nil {
		t.Fatalf("admin got in with a wrong password:\n%s", out)
	}
	logs := d.cli(t, "ios", "show running-config | include ^username guest\nshow logging | include LOGIN_SUCCESS\n")
	if !strings.Contains(logs, "username guest nopassword\n") || !strings.Contains(logs, "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: guest] [Source: 127.0.0.1]") {
		t.Fatalf("running-config and log:\n%s", logs)
	}
	// A nopassword user with a key (how earlier builds saved key-only
	// users) stays key-only: no way in without its key, and the log says
	// so once.
	if out, err := openSSH(t, d.sshAddr, "keyed", "", false, "show privilege\n"); err == nil {
		t.Fatalf("a keyed nopassword user got in without its key:\n%s", out)
	}
	if out, err := openSSH(t, d.sshAddr, "keyed", "anything", false, "show privilege\n"); err == nil {
		t.Fatalf("a keyed nopassword user got in with a password:\n%s", out)
	}
	if n := strings.Count(d.log.String(), "username keyed nopassword has an ssh-key: it logs in over SSH with its key only"); n != 1 {
		t.Fatalf("the keyed nopassword user was noted %d times:\n%s", n, d.log)
	}
}
