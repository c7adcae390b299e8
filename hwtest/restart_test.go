package hwtest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
)

// restartWait bounds the supervisor's restart of flowtapd: its backoff
// (1 s) and the daemon's start under TCG.
const restartWait = 45 * time.Second

var (
	supervisorStarted = regexp.MustCompile(`supervisor: started /bin/flowtapd .*\(pid (\d+)\)`)
	supervisorExited  = regexp.MustCompile(`supervisor: flowtapd exited after \S+: (.*); restart \d+ in \S+`)
	// sshListening is the daemon's last start-up line: its control
	// socket is up before.
	sshListening = regexp.MustCompile(`flowtapd: .*%FLOWTAP-6-INFO: ssh listening: addr `)
)

// TestDaemonRestartKeepsFlows: flowtapd is killed (SIGKILL, from the
// console's shell) with flows in its cache; the supervisor starts it
// again and it takes over the pinned flow table and port links. Frames
// fed while it is down are metered all the same. `clear mls netflow` on
// the console then exports the cache: the host's collector gets every
// packet and byte fed, per tuple, none lost and none twice.
func TestDaemonRestartKeepsFlows(t *testing.T) {
	p := appliance(t)
	// Nothing leaves the cache by itself: wikipedia's flows have no FIN
	// or RST, and the timeouts are long. The restarted daemon runs the
	// startup-config: the settings are saved for it.
	n := p.collectTo(t)
	dest := fmt.Sprintf("ip flow-export destination %s %d", collectorAddr, n.Addr.Port())
	p.cli(t, "configure terminal\nip flow-cache timeout inactive 600\nip flow-cache timeout active 60\nend\nwrite memory\n")
	t.Cleanup(func() {
		p.cli(t, "configure terminal\nno "+dest+"\nip flow-cache timeout inactive 10\nip flow-cache timeout active 1\nend\nwrite memory\n")
	})
	before, down := loadCapture(t, "zeek-wikipedia.pcap"), loadCapture(t, "zeek-icmp_dot1q.pcap")
	start := p.cache(t)

	p.feed(t, "eth1", before)
	p.waitMetered(t, start.Packets+before.Want.Total().Packets)
	p.consoleShell(t)
	cached := p.cache(t)
	if cached.Active == 0 {
		t.Fatalf("no flow in the cache before the kill: %+v", cached)
	}
	pid, off := p.killDaemon(t)
	t.Logf("killed flowtapd (pid %s) with %d flows in its cache", pid, cached.Active)
	p.feed(t, "eth1", down)
	if supervisorStarted.MatchString(p.Console.Text()[off:]) {
		t.Logf("flowtapd was started again before the feed ended: it may have metered part of %s", down.Name)
	} else {
		t.Logf("fed %s while flowtapd was down", down.Name)
	}
	p.waitRestarted(t, pid, off)
	p.consoleCLI(t)

	after := p.waitMetered(t, start.Packets+before.Want.Total().Packets+down.Want.Total().Packets)
	t.Logf("after the restart: %d flows in the cache (%d before the kill), %d packets metered since the test began",
		after.Active, cached.Active, after.Packets-start.Packets)
	if after.Active < cached.Active {
		t.Errorf("the restarted daemon's cache holds %d flows, fewer than the %d before the kill: the flow table was not kept", after.Active, cached.Active)
	}
	p.consoleRun(t, "clear mls netflow", cliPrompt)
	time.Sleep(deliveryWait)
	got, log := n.Stop(t)
	t.Logf("nfcapd (the exporter restarted, so its sequence numbers did too):\n%s", log)

	want := collector.Tuples{}
	for _, c := range []*capture{before, down} {
		for k, v := range c.Want {
			want.Add(k, v.Packets, v.Bytes)
		}
	}
	compareTuples(t, before.Name+" and "+down.Name, got, want, nil)
	if g, w := got.Total(), want.Total(); g != w {
		t.Errorf("exported %d packets, %d bytes across the restart; fed %d packets, %d bytes (nfpcapd): lost or counted twice", g.Packets, g.Bytes, w.Packets, w.Bytes)
	}
}

// killDaemon kills flowtapd with SIGKILL from the console's shell and
// waits for the supervisor to report its death; it returns the pid and
// the console offset past that report.
func (p *probe) killDaemon(t *testing.T) (pid string, offset int) {
	t.Helper()
	pid = strings.TrimSpace(p.consoleRun(t, "pidof flowtapd", shellPrompt))
	off := p.Console.Len()
	p.Type("kill -9 " + pid + "\r")
	m, off := p.ExpectFrom(supervisorExited, off, consoleWait)
	if m[1] != "signal: killed" {
		t.Errorf("the supervisor reports flowtapd's end as %q, want signal: killed", m[1])
	}
	return pid, off
}

// waitRestarted waits, from a console offset, for the supervisor to
// start flowtapd again and for the new daemon to finish starting.
func (p *probe) waitRestarted(t *testing.T, oldPID string, offset int) {
	t.Helper()
	m, off := p.ExpectFrom(supervisorStarted, offset, restartWait)
	if m[1] == oldPID {
		t.Errorf("the supervisor reports the old pid %s as started again", m[1])
	}
	p.ExpectFrom(sshListening, off, restartWait)
	t.Logf("the supervisor started flowtapd again (pid %s)", m[1])
}
