package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSShowLogMessages: `show log messages` (a syntax error before)
// is how a Junos operator reads the system log: a JunOS startup-config's
// bad line is there with its file and line, in a messages file's layout
// (time, host, process[PID]), and the pipes work on it.
func TestJunOSShowLogMessages(t *testing.T) {
	testnet.Enter(t)
	before := time.Now().UTC().Truncate(time.Second)
	d := startDaemon(t, `system {
    host-name jlog;
    login {
        user admin {
            class super-user;
            authentication {
                encrypted-password "$1$abc$wGCvpWeHF1.nWR9IW9/Ld.";
            }
        }
    }
}
flowtap {
    platform cflowd;
}
snmp {
    bogus-thing 7;
}
`)
	after := time.Now().UTC()
	out := d.cli(t, "junos", "show log messages | match skipped\n")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	cfg := d.argValue(t, "--config")
	want := []string{
		fmt.Sprintf("jlog flowtapd[%d]: %%FLOWTAP-3-ERROR: startup-config line skipped: at %s:16, line set snmp bogus-thing 7, reason invalid input at \"bogus-thing\"", d.cmd.Process.Pid, cfg),
		fmt.Sprintf("jlog flowtapd[%d]: %%FLOWTAP-3-ERROR: startup-config applied without its bad lines: file %s, skipped 1", d.cmd.Process.Pid, cfg),
	}
	if len(lines) != len(want) {
		t.Fatalf("show log messages | match skipped:\n%s\nwant %d lines ending:\n%s", out, len(want), strings.Join(want, "\n"))
	}
	for i, l := range lines {
		// The stamp is 15 wide ("Dec  7 06:48:37"), the day padded.
		stamp, rest := l[:min(len(l), 15)], strings.TrimPrefix(l[min(len(l), 15):], "  ")
		at, err := time.Parse("Jan _2 15:04:05", stamp)
		at = at.AddDate(before.Year(), 0, 0)
		if err != nil || at.Before(before) || at.After(after) || l != stamp+"  "+want[i] || rest != want[i] {
			t.Errorf("line %d: %q\nwant a time in %v..%v, two spaces, then %q", i, l, before, after, want[i])
		}
	}
}
