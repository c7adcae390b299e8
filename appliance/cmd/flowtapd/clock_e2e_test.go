package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestClockZoneE2E: a daemon started with `clock timezone` and `service
// timestamps log datetime msec localtime show-timezone` shows the zone in
// `show clock` and stamps its log messages on that clock with its name;
// `no service timestamps log` drops the stamp from the next message.
func TestClockZoneE2E(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
clock timezone XST 5 30
service timestamps log datetime msec localtime show-timezone
!
`)
	if got := d.cli(t, "ios", "show clock\n"); !regexp.MustCompile(`^\*?\d\d:\d\d:\d\d\.\d{3} XST \w{3} \w{3} \d{1,2} \d{4}\n$`).MatchString(got) {
		t.Fatalf("show clock: %q", got)
	}
	d.cli(t, "ios", "configure terminal\nhostname e2e-zoned\nend\n")
	logs := d.cli(t, "ios", "show logging | include CONFIG_I\n")
	if !regexp.MustCompile(`(?m)^\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3} XST: %SYS-5-CONFIG_I: Configured from console`).MatchString(logs) {
		t.Fatalf("show logging:\n%s", logs)
	}
	d.cli(t, "ios", "configure terminal\nno service timestamps log\nhostname e2e-plain\nend\n")
	logs = d.cli(t, "ios", "show logging | include CONFIG_I\n")
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "%SYS-5-CONFIG_I: ") {
		t.Fatalf("with no service timestamps log the last message is %q", last)
	}
}
