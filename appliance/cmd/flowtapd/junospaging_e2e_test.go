package main

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSScreenLengthOverOpenSSH: the commands a Junos backup tool
// (Oxidized, RANCID) sends first, `set cli screen-length 0` and `set cli
// screen-width 0`, then `show configuration | display omit`, were
// "unknown command." and an error. Over the real OpenSSH client:
// screen-length N pages with Junos's ---(more)--- (space for a page,
// Return for a line, q to stop), `| no-more` and screen-length 0 do
// not page.
func TestJunOSScreenLengthOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", `configure
set flowtap platform cflowd
set snmp location "hall 2"
commit and-quit
`); !strings.Contains(out, "commit complete") {
		t.Fatalf("setup:\n%s", out)
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "set cli screen-length 4\r"+
		"show configuration | except encrypted\r \rq"+
		"show configuration | except encrypted | no-more\r"+
		"set cli screen-length 0\rset cli screen-width 0\r"+
		"show configuration | display omit | except encrypted\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	config := `system {
    host-name e2e;
    login {
        user admin {
            class super-user;
            authentication {
            }
        }
    }
}
flowtap {
    platform cflowd;
}
snmp {
    location "hall 2";
}
`
	lines := strings.SplitAfter(config, "\n")
	more := "---(more)---\r            \r"
	want := `
admin@e2e> set cli screen-length 4
Screen length set to 4
admin@e2e> show configuration | except encrypted
` + strings.Join(lines[:4], "") + more + strings.Join(lines[4:8], "") + more + lines[8] + more +
		`admin@e2e> show configuration | except encrypted | no-more
` + config + `admin@e2e> set cli screen-length 0
Screen length set to 0
admin@e2e> set cli screen-width 0
Screen width set to 0
admin@e2e> show configuration | display omit | except encrypted
` + config + `admin@e2e> exit
`
	if screen := strings.ReplaceAll(out, "\r\n", "\n"); screen != want {
		t.Fatalf("over SSH:\n%q\nwant:\n%q", screen, want)
	}
}
