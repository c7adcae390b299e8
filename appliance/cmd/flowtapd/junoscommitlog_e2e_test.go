package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSCommitLoggedAsUICommit: a Junos operator finds who committed
// with show log messages | match UI_COMMIT; flowtap logged a JunOS
// commit only as its IOS configuration change. Each commit, with its
// comment or `none`, and a commit confirmed, are there as Junos's mgd
// words them.
func TestJunOSCommitLoggedAsUICommit(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nplatform cflowd\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", `configure
set snmp location "hall 2"
commit comment "lab move"
set snmp contact noc
commit confirmed 5
commit check
set snmp location "hall 3"
commit and-quit
`); strings.Count(out, "commit complete") != 3 {
		t.Fatalf("commits:\n%s", out)
	}
	got := d.cli(t, "junos", "show log messages | match UI_COMMIT\n")
	var rest []string
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		rest = append(rest, l[min(len(l), 17):]) // after "Dec  7 06:48:37  "
	}
	pid := d.cmd.Process.Pid
	want := []string{
		fmt.Sprintf("e2e flowtapd[%d]: %%MGD-5-UI_COMMIT: User 'root' requested 'commit' operation (comment: lab move)", pid),
		fmt.Sprintf("e2e flowtapd[%d]: %%MGD-5-UI_COMMIT: User 'root' requested 'commit confirmed' operation (comment: none)", pid),
		fmt.Sprintf("e2e flowtapd[%d]: %%MGD-5-UI_COMMIT: User 'root' requested 'commit' operation (comment: none)", pid),
	}
	if strings.Join(rest, "\n") != strings.Join(want, "\n") {
		t.Fatalf("show log messages | match UI_COMMIT:\n%s\nwant, after each time:\n%s", got, strings.Join(want, "\n"))
	}
}
