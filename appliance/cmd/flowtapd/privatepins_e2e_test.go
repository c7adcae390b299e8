package main

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestKeepMeteringPinsInOwnMountNamespace: a flowtapd started in a mount
// namespace of its own (as `ip netns exec` starts one) where nothing is
// mounted on the pins' parent mounts a bpffs there, which goes away with
// the namespace. A stop with --keep-metering would leave the table and
// links pinned there and lose every flow in the table, uncounted (the
// operator's upgrade run in docs/architecture.md lost 3,000 frames so);
// instead it warns at the start and exports every flow at the stop.
func TestKeepMeteringPinsInOwnMountNamespace(t *testing.T) {
	unshare := collector.RequireTool(t, "unshare", "util-linux")
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	bin := buildDaemon(t)
	d := &runningDaemon{dir: t.TempDir(), sshAddr: freeTCP(t), snmpAddr: freeUDP(t), log: &bytes.Buffer{}, bin: bin}
	cfg := filepath.Join(d.dir, "startup-config")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`hostname privpins
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port())), 0o600); err != nil {
		t.Fatal(err)
	}
	// Not bpffs: flowtapd mounts one of its own in its private namespace.
	pin := filepath.Join(d.dir, "bpf", "flowtap")
	d.args = []string{"--config", cfg, "--running", filepath.Join(d.dir, "running-config"), "--state", filepath.Join(d.dir, "state"),
		"--pin-dir", pin, "--control", filepath.Join(d.dir, "control.sock"), "--ssh-listen", d.sshAddr, "--snmp-listen", d.snmpAddr,
		"--dhcp-lease", filepath.Join(d.dir, "dhcp-eth0.lease"), "--keep-metering"}
	d.cmd = exec.Command(unshare, append([]string{"--mount", "--propagation", "private", bin}, d.args...)...)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := testproc.Start(d.cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		d.cmd.Wait()
		t.Logf("flowtapd log:\n%s", d.log)
	})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("unix", filepath.Join(d.dir, "control.sock")); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("flowtapd did not come up; log:\n%s", d.log)
		}
	}
	d.waitMetering(t, v.Mon)
	const n = 25
	v.Send(t, udpFrames([4]byte{10, 0, 0, 7}, 4000, n))
	line := fmt.Sprintf("        %d packets counted in flows\n", n)
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include counted in flows\n", line); got != line {
		t.Fatalf("show ip flow datapath: %q, want %q", got, line)
	}
	d.stop(t, syscall.SIGTERM)
	exp := collector.Tuples{}
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.7"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, n, n*38)
	expectCollected(t, capd, exp)
	for _, want := range []string{"a mount namespace of its own", "despite --keep-metering"} {
		if !strings.Contains(d.log.String(), want) {
			t.Errorf("the log does not say %q", want)
		}
	}
}
