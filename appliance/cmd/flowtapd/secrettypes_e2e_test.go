package main

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPastedType5LoginOverOpenSSH: the account lines of a real router's
// configuration, pasted as they are (IOS type 5 MD5-crypt secrets, a
// type 9 scrypt one and a type 7 password), let their users log in with
// the real OpenSSH client, and `enable` takes the type 5 enable secret.
// The hashes are `openssl passwd -1 -salt SALT PASSWORD`, the type 9 one
// IOS's hash of "cisco".
func TestPastedType5LoginOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname edge
enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0
username netops privilege 15 secret 5 $1$4bNm$gKAO.6hS7JddPQWqItJys.
username noc secret 5 $1$7yQz$ie1WNWDAtYZU8Jrc2MYIl1
username newer secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM
username backup password 7 0822455D0A16
`)
	for _, l := range []struct{ user, pass, want string }{
		{"netops", "N3tOps!2009", "Current privilege level is 15\n"},
		{"noc", "noc-view", "Current privilege level is 1\n"},
		{"newer", "cisco", "Current privilege level is 1\n"},
		{"backup", "cisco", "Current privilege level is 1\n"},
	} {
		out, err := openSSH(t, d.sshAddr, l.user, l.pass, false, "show privilege\n")
		if err != nil || out != l.want {
			t.Errorf("%s with its password (%v):\n%s", l.user, err, out)
		}
		if out, err := openSSH(t, d.sshAddr, l.user, l.pass+"x", false, "show privilege\n"); err == nil {
			t.Errorf("%s got in with a wrong password:\n%s", l.user, out)
		}
	}
	// The type 5 enable secret takes a level-1 user to 15.
	out, err := openSSH(t, d.sshAddr, "noc", "noc-view", true, "enable\rcisco\rshow privilege\rexit\r")
	if screen := strings.ReplaceAll(out, "\r\n", "\n"); err != nil || !strings.Contains(screen, "edge>enable\nPassword: \nedge#show privilege\nCurrent privilege level is 15\n") {
		t.Errorf("enable with the type 5 secret (%v):\n%q", err, screen)
	}
	// The running-config keeps the router's hashes as it gave them; the
	// type 7 password, reversible, is kept only as a type 8 hash.
	rc := d.cli(t, "ios", "show running-config | include ^enable|^username\n")
	for _, want := range []string{
		"enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n",
		"username netops privilege 15 secret 5 $1$4bNm$gKAO.6hS7JddPQWqItJys.\n",
		"username newer secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM\n",
		"username backup secret 8 $8$",
	} {
		if !strings.Contains(rc, want) {
			t.Errorf("show running-config lacks %q:\n%s", want, rc)
		}
	}
}
