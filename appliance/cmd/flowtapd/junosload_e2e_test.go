package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSLoadPatchReplaceOverOpenSSH: with the real OpenSSH client on
// a real flowtapd in the JunOS persona, an operator pastes a show |
// compare diff into `load patch terminal` (up to ^D), sees it in show |
// compare, drops it with rollback 0, loads a `replace:`-tagged file
// from beside the startup-config with `load replace FILE`, and commits
// it with a comment and and-quit. A patch that does not fit is refused
// and changes nothing.
func TestJunOSLoadPatchReplaceOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", "configure\nset flowtap platform cflowd\nset forwarding-options sampling input rate 100\nset forwarding-options sampling input max-packets-per-second 500\ncommit and-quit\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("persona change:\n%s", out)
	}
	replace := "forwarding-options {\n    sampling {\n        replace: input {\n            rate 10;\n        }\n    }\n}\n"
	if err := os.WriteFile(filepath.Join(d.dir, "rate10.conf"), []byte(replace), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure\r"+
		"load patch terminal\r[edit forwarding-options sampling input]\r-   rate 100;\r+   rate 1000;\r\x04"+
		"show | compare\r"+
		"load patch terminal\r[edit forwarding-options sampling input]\r-   rate 100;\r+   rate 5;\r\x04"+
		"rollback 0\rshow | compare\r"+
		"load replace rate10.conf\rshow | compare\r"+
		"commit comment \"rate 10, no pps cap\" and-quit\r"+
		"show system commit | match cap\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	want := `
admin@e2e> configure
Entering configuration mode

[edit]
admin@e2e# load patch terminal
[Type ^D at a new line to end input]
[edit forwarding-options sampling input]
-   rate 100;
+   rate 1000;
load complete

[edit]
admin@e2e# show | compare
[edit forwarding-options sampling input]
-   rate 100;
+   rate 1000;

[edit]
admin@e2e# load patch terminal
[Type ^D at a new line to end input]
[edit forwarding-options sampling input]
-   rate 100;
+   rate 5;
[edit forwarding-options sampling input]
  'rate 100;'
    statement not found
error: load patch failed

[edit]
admin@e2e# rollback 0
load complete

[edit]
admin@e2e# show | compare

[edit]
admin@e2e# load replace rate10.conf
load complete

[edit]
admin@e2e# show | compare
[edit forwarding-options sampling input]
-   rate 100;
-   max-packets-per-second 500;
+   rate 10;

[edit]
admin@e2e# commit comment "rate 10, no pps cap" and-quit
commit complete
Exiting configuration mode
admin@e2e> show system commit | match cap
    rate 10, no pps cap
admin@e2e> exit
`
	if screen != want {
		t.Fatalf("load over SSH:\n%s\nwant:\n%s", screen, want)
	}
}
