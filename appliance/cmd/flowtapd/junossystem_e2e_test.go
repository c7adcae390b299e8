package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/mgmt/hostres"
)

// TestJunOSSystemScreensOverOpenSSH: on the JunOS persona an operator
// logged in with the real OpenSSH client finds the box's own screens:
// `show system users` lists that login (vty0, from the client's
// address) among the box's lines with the control socket's, `show
// system uptime` counts them as users and names the commit that made
// the persona, `show version` the host name and the persona's model;
// `show system processes summary` heads flowtapd's row with top's lines.
func TestJunOSSystemScreensOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", "configure\nset flowtap platform cflowd\ncommit\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	screen := strings.ReplaceAll(sshWithAskpass(t, d.sshAddr, "admin", "adminpass", "show system users\rshow system uptime\rshow version\rexit\r"), "\r\n", "\n")
	for _, want := range []string{
		"admin@e2e> show system users\n",
		"USER     TTY      FROM                              LOGIN@  IDLE WHAT\n",
		fmt.Sprintf("admin    vty0     %-32s ", "127.0.0.1"),
		"admin@e2e> show system uptime\nCurrent time: ",
		"\nSystem booted: ", "\nProtocols started: ", "\nLast configured: ", " by root\n",
		", 1 user, load averages: ",
		"admin@e2e> show version\nHostname: e2e\nModel: flowtap-cflowd\nflowtap: ",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("the JunOS session's screen lacks %q:\n%s", want, screen)
		}
	}
	// show system processes summary: top's header, and flowtapd's row
	// under its own pid with its thread count. The states line names only
	// the states some process is in, as top does: a moment with none
	// running reads "98 processes: 98 sleeping".
	top := d.cli(t, "junos", "show system processes summary\n")
	for _, re := range []string{`^last pid: +\d+;  load averages: +\d+\.\d\d, +\d+\.\d\d, +\d+\.\d\d  up \d+\+\d\d:\d\d:\d\d    \d\d:\d\d:\d\d\n\d+ processes: \d+ \w+(, \d+ \w+)*\n`,
		`\nCPU: +\d+\.\d% user, +\d+\.\d% nice, +\d+\.\d% system, +\d+\.\d% interrupt, +\d+\.\d% idle\nMem: \d+[KM] Active, `,
		fmt.Sprintf(`\n  PID USERNAME  THR PRI NICE   SIZE    RES STATE    TIME   WCPU COMMAND\n *%d root +[1-9]\d* +-?\d+ +-?\d+ +\d+[KM] +\d+[KM] \w+ +[\d:.H]+ +\d+\.\d\d%% flowtapd\n$`, d.cmd.Process.Pid)} {
		if !regexp.MustCompile(re).MatchString(top) {
			t.Errorf("show system processes summary does not match %s:\n%s", re, top)
		}
	}
	// show system memory: the machine's total, as /proc/meminfo says.
	mem, err := hostres.ReadMemory()
	if err != nil {
		t.Fatal(err)
	}
	if sm, want := d.cli(t, "junos", "show system memory\n"), fmt.Sprintf("System memory usage distribution:\n       Total memory: %8d Kbytes (100%%)\n", mem.Total); !strings.HasPrefix(sm, want) || strings.Count(sm, "\n") != 7 {
		t.Errorf("show system memory:\n%s\nwant it to start:\n%s", sm, want)
	}
	// show system users over the control socket: root on ctl0 too.
	out := d.cli(t, "junos", "show system users\n")
	if !strings.Contains(out, ", 1 user, ") || !strings.Contains(out, "\nroot     ctl0     -  ") {
		t.Errorf("show system users on the control socket:\n%s", out)
	}
}
