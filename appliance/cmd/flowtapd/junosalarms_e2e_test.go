package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestJunOSShowSystemAlarms: `show system alarms`, a syntax error on the
// JunOS CLI before, says what a Junos operator looks there for: nothing
// while the sampled port is up; a major "Link Down" alarm, stamped when
// the link went, once its far end goes down; and a sampled port that is
// not there at all. The alarm clears when the link comes back.
func TestJunOSShowSystemAlarms(t *testing.T) {
	v := testnet.Enter(t)
	d := junosDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", fmt.Sprintf("configure\nset interfaces %s unit 0 family inet sampling input\ncommit and-quit\n", v.Mon)); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	d.waitMetering(t, v.Mon)
	if got := d.cli(t, "junos", "show system alarms\n"); got != "No alarms currently active\n" {
		t.Errorf("with the port up:\n%s", got)
	}
	link := func(state string) {
		t.Helper()
		if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "link", "set", v.Src, state)); err != nil {
			t.Fatalf("ip link set %s %s: %v\n%s", v.Src, state, err, out)
		}
	}
	down := time.Now().UTC().Truncate(time.Second)
	link("down")
	t.Cleanup(func() { link("up") })
	stamp := `(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC  `
	one := regexp.MustCompile(`^1 alarms currently active\nAlarm time               Class  Description\n` + stamp + `Major  ` + v.Mon + `: Link Down\n$`)
	var got string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got = d.cli(t, "junos", "show system alarms\n"); one.MatchString(got) || time.Now().After(deadline) {
			break
		}
	}
	m := one.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("with the far end down:\n%s\nwant one Link Down alarm for %s", got, v.Mon)
	}
	if at, err := time.Parse(time.DateTime, m[1]); err != nil || at.Before(down) || at.After(time.Now()) {
		t.Errorf("alarm time %s (%v): want when the link went down, %s or just after", m[1], err, down.Format(time.DateTime))
	}
	if out := d.cli(t, "junos", "configure\nset interfaces nosuch9 unit 0 family inet sampling input\ncommit and-quit\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	two := regexp.MustCompile(`^2 alarms currently active\nAlarm time               Class  Description\n` + stamp + `Major  nosuch9: Interface not present\n` + stamp + `Major  ` + v.Mon + `: Link Down\n$`)
	if got := d.cli(t, "junos", "show system alarms\n"); !two.MatchString(got) {
		t.Errorf("with a port not there too:\n%s", got)
	}
	link("up")
	want := regexp.MustCompile(`^1 alarms currently active\nAlarm time               Class  Description\n` + stamp + `Major  nosuch9: Interface not present\n$`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got = d.cli(t, "junos", "show system alarms\n"); want.MatchString(got) || time.Now().After(deadline) {
			break
		}
	}
	if !want.MatchString(got) {
		t.Errorf("with the link back up:\n%s\nwant only the missing port's alarm", got)
	}
}
