package hwtest

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/hwtest/vm"
	"github.com/flowtap/flowtap/internal/collector"
)

// powerCutConfig is a first boot's startup-config: the operator's
// settings with one line the daemon does not know (line 12).
const powerCutConfig = `hostname pc-probe
username ` + probeUser + ` privilege 15 secret ` + probePassword + `
snmp-server community public RO
!
interface eth1
 ip flow ingress
!
ip flow-cache timeout inactive 10
ip flow-cache timeout active 1
ip flow-export version 9
ip flow-export destination 10.0.2.2 29055
this is not a command
snmp-server location rack 5
!
end
`

var sshOnConsole = regexp.MustCompile(`%FLOWTAP-6-INFO: ssh listening: addr `)

var powerCutPrompt = regexp.MustCompile(`pc-probe(\([a-z-]+\))?#`)

// TestPowerCutKeepsConfigAndHostKey: the box's first boot from a disk
// that holds only a startup-config, with a bad line: the line is reported
// with file:line on the console and in show logging, the other lines
// apply. The operator changes a setting, saves it and pulls the power
// (QEMU killed) within seconds. At the next boot the running-config is
// exactly the one saved, and SSH comes up with the same host key as
// before: the key the first boot generated reached the disk (it once
// stayed an empty file, which kept SSH down at every later boot). The
// flows exported before the cut reach the collector once: the next boot
// sends none of them again.
func TestPowerCutKeepsConfigAndHostKey(t *testing.T) {
	dir := t.TempDir()
	c := vm.Image(t)
	c.Eth1Socket, c.Eth2Socket = vm.SocketsIn(vm.SocketDir(t))
	var err error
	if c.Disk, err = vm.MakeConfigDisk(dir, map[string]string{"startup-config": powerCutConfig}); err != nil {
		t.Fatal(err)
	}
	if c.SSHPort, err = hostPort(t, "tcp", sshHostPort); err != nil {
		t.Fatal(err)
	}
	sshAddr := fmt.Sprintf("127.0.0.1:%d", c.SSHPort)

	first := vm.Start(t, c)
	first.WaitReady(bootWait)
	powerCutRun(t, first, "terminal length 0")
	if w := first.Lines(regexp.MustCompile(`default password`)); len(w) > 0 {
		t.Errorf("a warning of a default password for a config with the operator's own: %q", w)
	}
	badLine := regexp.MustCompile(`%FLOWTAP-3-ERROR: startup-config line skipped: at /var/flowtap/startup-config:12, line this is not a command`)
	if len(first.Lines(badLine)) == 0 {
		t.Errorf("the console does not report the bad line with file:line (%s)", badLine)
	}
	if log := powerCutRun(t, first, "show logging"); !badLine.MatchString(log) {
		t.Errorf("show logging does not report the bad line:\n%s", log)
	}
	r, err := powerCutSSH(sshAddr)
	if err != nil {
		t.Fatalf("SSH on the first boot: %v\n%s", err, r.Output)
	}
	hostKey := r.HostKey
	// Logged as the console's CLI started: on the console all the same,
	// from the supervisor or from the CLI (the hand-over once lost it).
	if _, _, err := first.Console.Expect(sshOnConsole, 0, 10*time.Second); err != nil {
		t.Errorf("the console never showed SSH listening: %v", err)
	}
	// Flows exported before the power cut: the collector keeps running
	// across it, and the next boot (its destination saved) must not send
	// them again.
	p := &probe{VM: first, sshAddr: sshAddr}
	n := p.collectTo(t)
	fed := loadCapture(t, "zeek-wikipedia.pcap")
	start := p.cache(t)
	p.feed(t, "eth1", fed)
	p.waitMetered(t, start.Packets+fed.Want.Total().Packets)
	p.cli(t, "clear mls netflow\n")
	time.Sleep(deliveryWait)
	powerCutRun(t, first, "configure terminal")
	powerCutRun(t, first, "snmp-server contact power cut test")
	powerCutRun(t, first, "end")
	if out := powerCutRun(t, first, "write memory"); !strings.Contains(out, "[OK]") {
		t.Fatalf("write memory:\n%s", out)
	}
	saved := powerCutRun(t, first, "show running-config")
	for _, want := range []string{"snmp-server location rack 5", "snmp-server contact power cut test", fmt.Sprintf("ip flow-export destination %s %d", collectorAddr, n.Addr.Port())} {
		if !hasLine(saved, want) {
			t.Errorf("running-config before the power cut lacks %q:\n%s", want, saved)
		}
	}
	first.Stop() // the power cut: no sync, no orderly stop
	t.Logf("power cut %.1fs after QEMU started", time.Since(first.Started).Seconds())

	second := vm.Start(t, c)
	second.WaitReady(bootWait)
	powerCutRun(t, second, "terminal length 0")
	r, err = powerCutSSH(sshAddr)
	if err != nil {
		t.Errorf("SSH after the power cut: %v\n%s\nshow logging:\n%s", err, r.Output, powerCutRun(t, second, "show logging"))
	}
	if bad := second.Lines(regexp.MustCompile(`ssh server|host key`)); len(bad) > 0 {
		t.Errorf("SSH after the power cut: %q", bad)
	}
	// IOS's show version says why the box last started: not a reload.
	if v := powerCutRun(t, second, "show version"); !hasLine(v, "Last reload reason: power-on") {
		t.Errorf("show version after the power cut does not say power-on:\n%s", v)
	}
	if after := powerCutRun(t, second, "show running-config"); after != saved {
		t.Errorf("running-config after the power cut differs from the one saved before it:\n--- before\n%s\n--- after\n%s", saved, after)
	}
	if err == nil && !bytes.Equal(r.HostKey.Marshal(), hostKey.Marshal()) {
		t.Errorf("the SSH host key changed across the power cut (%s, was %s)", ssh.FingerprintSHA256(r.HostKey), ssh.FingerprintSHA256(hostKey))
	}
	// Time for anything the new daemon would send again (a spool replay
	// runs as the daemon starts) to reach the collector.
	time.Sleep(5 * time.Second)
	second.Stop()
	got, nfcapdLog := n.Stop(t)
	checkSequence(t, nfcapdLog)
	compareTuples(t, fed.Name, got, fed.Want, collector.KnownDiffs(t, knownFile, fed.Name))
	if g, w := got.Total(), fed.Want.Total(); g != w {
		t.Errorf("exported %d packets, %d bytes across the power cut; fed %d packets, %d bytes: lost or sent twice", g.Packets, g.Bytes, w.Packets, w.Bytes)
	}
	if left, err := vm.ReadDiskFile(c.Disk, "ssh_host_ed25519_key.bad"); err == nil && left != "" {
		t.Errorf("the host key was replaced at the second boot (a .bad file is on the disk)")
	}
}

// powerCutRun types a line on the console's CLI and returns what it
// printed before the next prompt, without the echoed line.
func powerCutRun(t *testing.T, v *vm.VM, line string) string {
	t.Helper()
	off := v.Console.Len()
	v.Type(line + "\r")
	_, end := v.ExpectFrom(regexp.MustCompile(regexp.QuoteMeta(line)+`\r?\n`), off, consoleWait)
	m, stop := v.ExpectFrom(powerCutPrompt, end, consoleWait)
	return strings.ReplaceAll(v.Console.Text()[end:stop-len(m[0])], "\r", "")
}

// powerCutSSH logs in over SSH, trying again for a while: the SSH server
// starts with the daemon, after the console is ready.
func powerCutSSH(addr string) (sshResult, error) {
	deadline := time.Now().Add(45 * time.Second)
	for {
		r, err := sshScript(addr, probeUser, probePassword, "show version\n")
		if err == nil || time.Now().After(deadline) {
			return r, err
		}
		time.Sleep(time.Second)
	}
}
