package hwtest

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/hwtest/vm"
	"github.com/flowtap/flowtap/internal/collector"
)

// reloadWait bounds the guest's reboot after `reload`: QEMU runs with
// -no-reboot, so it exits.
const reloadWait = 60 * time.Second

var (
	// reloadRequested is the reload's message on the console: the CLI
	// there shows it in IOS form (the daemon's own line goes to the
	// console only while no CLI runs there).
	reloadRequested = regexp.MustCompile(`%SYS-5-RELOAD: Reload requested by |flowtapd: .*reload requested: `)
	kernelRestart   = regexp.MustCompile(`reboot: Restarting system`)
	diskConfig      = regexp.MustCompile(`flowtapinit: .* config: startup-config from /dev/vda \(ext4 "FLOWTAP"\)`)
)

// TestSSHWriteMemorySurvivesReload: an operator logs in over SSH from the
// host (QEMU's forwarded port) with the configured user, changes the
// configuration, saves it (`write memory`) and reloads. The disk holds
// the change; the appliance boots from it with the change in its
// running-config and the same SSH host key.
func TestSSHWriteMemorySurvivesReload(t *testing.T) {
	p := appliance(t)
	r, err := p.ssh(t, "show version\n", 30*time.Second)
	if err != nil {
		t.Fatalf("show version over SSH: %v\n%s", err, r.Output)
	}
	hostKey := r.HostKey
	t.Logf("show version over SSH (host key %s):\n%s", ssh.FingerprintSHA256(hostKey), r.Output)
	if !strings.Contains(r.Output, "flowtap Software") || !strings.Contains(r.Output, probeHostname+" uptime is") {
		t.Errorf("show version lacks the software line or %q's uptime:\n%s", probeHostname, r.Output)
	}
	// The box as a router's show version tells it: the image's version,
	// the kernel, flowtapd's own uptime, and QEMU's machine with its memory.
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^flowtap Software \(amd64\), Version image-[0-9a-f]{12}\r?$`),
		regexp.MustCompile(`(?m)^Kernel: Linux \d+\.\d+\.\S+\r?$`),
		regexp.MustCompile(`(?m)^flowtapd uptime is \d+ minutes?\r?$`),
		regexp.MustCompile(`(?m)^QEMU Standard PC \(i440FX \+ PIIX, 1996\) with \d{6,}K bytes of memory\.\r?$`),
	} {
		if os.Getenv(vm.EnvDaemonBin) != "" && strings.Contains(want.String(), "image-") {
			continue // a prebuilt daemon carries its own version
		}
		if !want.MatchString(r.Output) {
			t.Errorf("show version lacks %s", want)
		}
	}
	if _, err := sshScript(p.sshAddr, probeUser, "wrong-"+probePassword, "show version\n"); err == nil {
		t.Errorf("a wrong password logged in")
	}

	change := fmt.Sprintf("snmp-server location hwtest rack %d", time.Now().UnixNano()%1e6)
	out := p.cli(t, "configure terminal\n"+change+"\nend\nwrite memory\n")
	if !strings.Contains(out, "[OK]") {
		t.Fatalf("write memory did not say [OK]:\n%s", out)
	}
	if run := p.cli(t, "show running-config\n"); !hasLine(run, change) {
		t.Fatalf("running-config lacks %q after the change:\n%s", change, run)
	}

	// The flows in the cache at the reload reach the collector: reload is
	// an orderly stop that exports every flow before the machine restarts.
	// A collector of the test's own and a long inactive timeout (neither
	// saved: the reload is told not to) keep them in the cache until then.
	n := p.collectTo(t)
	p.cli(t, "configure terminal\nip flow-cache timeout inactive 600\nend\n")
	c := loadCapture(t, "zeek-wikipedia.pcap") // DNS flows too: UDP, no FIN ends them
	before := p.cache(t)
	p.feed(t, "eth1", c)
	inCache := p.waitMetered(t, before.Packets+c.Want.Total().Packets)
	if inCache.Active == 0 {
		t.Fatalf("no flows in the cache before the reload")
	}
	t.Logf("%d flows in the cache at the reload", inCache.Active)

	off := p.Console.Len()
	r, err = p.ssh(t, "reload\nno\n", 30*time.Second)
	t.Logf("reload over SSH: %v\n%s", err, r.Output) // the session may end with the machine
	p.WaitExit(reloadWait)
	if after := p.Console.Text()[off:]; !reloadRequested.MatchString(after) || !kernelRestart.MatchString(after) {
		t.Errorf("QEMU exited after reload, but the console lacks the daemon's reload request or the kernel's restart")
	}
	// The console's CLI waits through the daemon's orderly stop; ending,
	// it would leave a shell on the console (past login local).
	if after := p.Console.Text()[off:]; strings.Contains(after, "CLI exited") {
		t.Errorf("the console's CLI ended during the reload's orderly stop:\n%s", after)
	}
	got, nfcapdLog := n.Stop(t)
	checkSequence(t, nfcapdLog)
	compareTuples(t, c.Name, got, c.Want, collector.KnownDiffs(t, knownFile, c.Name))
	if len(got) == 0 {
		t.Errorf("the flows in the cache at the reload were not exported")
	}
	saved, err := vm.ReadDiskFile(p.Config.Disk, "startup-config")
	if err != nil {
		t.Fatal(err)
	}
	if !hasLine(saved, change) {
		t.Fatalf("the disk's startup-config lacks %q:\n%s", change, saved)
	}
	t.Logf("the disk's startup-config after the reload holds %q", change)

	q := appliance(t) // boots again from the same disk
	q.Expect(diskConfig, time.Second)
	r, err = q.ssh(t, "show running-config\n", 60*time.Second)
	if err != nil {
		t.Fatalf("show running-config over SSH after the reload: %v\n%s", err, r.Output)
	}
	if !hasLine(r.Output, change) {
		t.Errorf("after the reload, running-config lacks %q:\n%s", change, r.Output)
	}
	if v, err := q.ssh(t, "show version\n", 30*time.Second); err != nil || !hasLine(strings.ReplaceAll(v.Output, "\r", ""), "Last reload reason: Reload Command") {
		t.Errorf("show version after the reload does not say Reload Command (%v):\n%s", err, v.Output)
	}
	if !bytes.Equal(r.HostKey.Marshal(), hostKey.Marshal()) {
		t.Errorf("the SSH host key changed across the reload (%s, was %s): clients would refuse the appliance",
			ssh.FingerprintSHA256(r.HostKey), ssh.FingerprintSHA256(hostKey))
	}
}

// hasLine tells whether text has line as a whole line.
func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimRight(l, "\r") == line {
			return true
		}
	}
	return false
}
