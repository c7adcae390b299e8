package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSLoginUIDAndFullNameOverOpenSSH: a user stanza pasted from a
// Junos router carries `uid N;` (Junos gives every user one) and often
// `full-name`; uid was a syntax error, so the paste lost the line. Over
// the real OpenSSH client both load, commit, show, and survive a
// restart from the startup-config the commit saved; the pasted user
// logs in with the pasted hash.
func TestJunOSLoginUIDAndFullNameOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := junosDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	// openssl passwd -1 -salt abc opspass
	stanza := []string{
		"system {",
		"    login {",
		"        user ops {",
		`            full-name "Ops Team";`,
		"            uid 2001;",
		"            class super-user;",
		"            authentication {",
		`                encrypted-password "$1$abc$/HBLmPhrpJgXBJRmI3kAi0"; ## SECRET-DATA`,
		"            }",
		"        }",
		"    }",
		"}",
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure\rload merge terminal\r"+strings.Join(stanza, "\r")+"\r\x04"+
		"show system login user ops\rcommit and-quit\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	want := `
admin@e2e> configure
Entering configuration mode

[edit]
admin@e2e# load merge terminal
[Type ^D at a new line to end input]
` + strings.Join(stanza, "\n") + `
load complete

[edit]
admin@e2e# show system login user ops
full-name "Ops Team";
uid 2001;
class super-user;
authentication {
    encrypted-password "$1$abc$/HBLmPhrpJgXBJRmI3kAi0";
}

[edit]
admin@e2e# commit and-quit
commit complete
Exiting configuration mode
admin@e2e> exit
`
	if screen := strings.ReplaceAll(out, "\r\n", "\n"); screen != want {
		t.Fatalf("over SSH:\n%s\nwant:\n%s", screen, want)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	if err := os.Remove(filepath.Join(d.dir, "running-config")); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	d.start(t)
	want = `set system login user ops full-name "Ops Team"
set system login user ops uid 2001
set system login user ops class super-user
set system login user ops authentication encrypted-password "$1$abc$/HBLmPhrpJgXBJRmI3kAi0"
`
	if got := d.cli(t, "junos", "show configuration system login | display set | match ops\n"); got != want {
		t.Errorf("after a restart from the startup-config:\n%s\nwant:\n%s", got, want)
	}
	out, err = openSSH(t, d.sshAddr, "ops", "opspass", true, "show system users | count\rexit\r")
	if err != nil || !strings.Contains(out, "ops@e2e> show system users | count") {
		t.Errorf("the pasted user's login: %v\n%s", err, out)
	}
}
