package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSLoadFactoryDefaultOverOpenSSH: over the real OpenSSH client,
// a JunOS operator starts again from the factory configuration with
// `load factory-default` (a syntax error before): the candidate is an
// empty JunOS configuration that keeps the logins, show | compare lists
// what goes, and after the commit the same user logs in again and the
// box still speaks JunOS.
func TestJunOSLoadFactoryDefaultOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", `configure
set flowtap platform cflowd
set snmp location "hall 2"
set forwarding-options sampling input rate 100
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 2055
commit and-quit
`); !strings.Contains(out, "commit complete") {
		t.Fatalf("setup:\n%s", out)
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure\r"+
		"load factory-default\rshow | compare\rcommit and-quit\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	want := `
admin@e2e> configure
Entering configuration mode

[edit]
admin@e2e# load factory-default
warning: activating factory configuration

[edit]
admin@e2e# show | compare
[edit system]
-   host-name e2e;
+   host-name flowtap;
[edit]
-   snmp {
-       location "hall 2";
-   }
-   forwarding-options {
-       sampling {
-           input {
-               rate 100;
-           }
-           family inet {
-               output {
-                   flow-server 192.0.2.9 {
-                       port 2055;
-                   }
-               }
-           }
-       }
-   }

[edit]
admin@e2e# commit and-quit
commit complete
Exiting configuration mode
admin@flowtap> exit
`
	if screen := strings.ReplaceAll(out, "\r\n", "\n"); screen != want {
		t.Fatalf("over SSH:\n%s\nwant:\n%s", screen, want)
	}
	out, err = openSSH(t, d.sshAddr, "admin", "adminpass", true, "show configuration\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt after the commit: %v\n%s", err, out)
	}
	want = `
admin@flowtap> show configuration
system {
    host-name flowtap;
    login {
        user admin {
            class super-user;
            authentication {
                encrypted-password "HASH";
            }
        }
    }
}
flowtap {
    platform cflowd;
}
admin@flowtap> exit
`
	// The secret's hash is salted afresh at each start.
	screen := regexp.MustCompile(`encrypted-password "\$8\$[^;"]+";`).ReplaceAllString(strings.ReplaceAll(out, "\r\n", "\n"), `encrypted-password "HASH";`)
	if screen != want {
		t.Fatalf("after the commit:\n%s\nwant:\n%s", screen, want)
	}
}
