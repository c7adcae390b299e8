package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSCopyInsertSaveOverOpenSSH: over the real OpenSSH client on a
// flowtapd in the JunOS persona, an operator reorders a filter's terms
// with insert, copies one under a new name, saves the filter beside the
// startup-config (never over it) and commits: the committed filter has
// the new order and the saved file the filter's brace text; `| save`
// writes a show's output beside it.
func TestJunOSCopyInsertSaveOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", `configure
set flowtap platform cflowd
set firewall family inet filter F term T1 then sample
set firewall family inet filter F term T1 then accept
set firewall family inet filter F term T2 from protocol tcp
set firewall family inet filter F term T2 then accept
commit and-quit
`); !strings.Contains(out, "commit complete") {
		t.Fatalf("setup:\n%s", out)
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure\r"+
		"edit firewall family inet filter F\r"+
		"insert term T2 before term T1\r"+
		"copy term T1 to term T9\r"+
		"save filter-f.conf\r"+
		"save startup-config\r"+
		"top\rshow | compare\r"+
		"commit and-quit\r"+
		"show configuration firewall | display set\rshow configuration firewall | display set | save fw.set\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	want := `
admin@e2e> configure
Entering configuration mode

[edit]
admin@e2e# edit firewall family inet filter F

[edit firewall family inet filter F]
admin@e2e# insert term T2 before term T1

[edit firewall family inet filter F]
admin@e2e# copy term T1 to term T9

[edit firewall family inet filter F]
admin@e2e# save filter-f.conf
Wrote 20 lines of configuration to 'filter-f.conf'

[edit firewall family inet filter F]
admin@e2e# save startup-config
error: could not write startup-config: that is the startup-config, which commit writes

[edit firewall family inet filter F]
admin@e2e# top

[edit]
admin@e2e# show | compare
[edit firewall family inet filter F]
-   term T1 {
-       then {
-           sample;
-           accept;
-       }
-   }
+   term T1 {
+       then {
+           sample;
+           accept;
+       }
+   }
+   term T9 {
+       then {
+           sample;
+           accept;
+       }
+   }

[edit]
admin@e2e# commit and-quit
commit complete
Exiting configuration mode
admin@e2e> show configuration firewall | display set
set firewall family inet filter F term T2 from protocol tcp
set firewall family inet filter F term T2 then accept
set firewall family inet filter F term T1 then sample
set firewall family inet filter F term T1 then accept
set firewall family inet filter F term T9 then sample
set firewall family inet filter F term T9 then accept
admin@e2e> show configuration firewall | display set | save fw.set
Wrote 6 lines of output to 'fw.set'
admin@e2e> exit
`
	if screen != want {
		t.Errorf("over SSH:\n%s\nwant:\n%s", screen, want)
	}
	b, err := os.ReadFile(filepath.Join(d.dir, "filter-f.conf"))
	if err != nil || !strings.HasPrefix(string(b), "term T2 {\n    from {\n        protocol tcp;\n") {
		t.Errorf("saved file: %v\n%s", err, b)
	}
	if b, err := os.ReadFile(filepath.Join(d.dir, "fw.set")); err != nil || !strings.HasPrefix(string(b), "set firewall family inet filter F term T2 from protocol tcp\n") {
		t.Errorf("| save: %v\n%s", err, b)
	}
	if b, _ := os.ReadFile(filepath.Join(d.dir, "startup-config")); !strings.Contains(string(b), "hostname e2e") {
		t.Errorf("the startup-config was overwritten:\n%s", b)
	}
}

// TestJunOSWildcardDeleteOverOpenSSH: over the real OpenSSH client,
// wildcard delete lists the filter's terms it matches, asks, and on yes
// deletes them from the candidate.
func TestJunOSWildcardDeleteOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", `configure
set flowtap platform cflowd
set firewall family inet filter F term T1 then accept
set firewall family inet filter F term T2 then accept
set firewall family inet filter F term X then accept
commit and-quit
`); !strings.Contains(out, "commit complete") {
		t.Fatalf("setup:\n%s", out)
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure\r"+
		"wildcard delete firewall family inet filter F term T[0-9]\ryes\r"+
		"show | compare | match term\rrollback 0\rexit\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	want := `
admin@e2e> configure
Entering configuration mode

[edit]
admin@e2e# wildcard delete firewall family inet filter F term T[0-9]
  matched: T1
  matched: T2
Delete 2 objects? [yes,no] (no) yes

[edit]
admin@e2e# show | compare | match term
-   term T1 {
-   term T2 {

[edit]
admin@e2e# rollback 0
load complete

[edit]
admin@e2e# exit
Exiting configuration mode
admin@e2e> exit
`
	if screen != want {
		t.Errorf("over SSH:\n%s\nwant:\n%s", screen, want)
	}
}
