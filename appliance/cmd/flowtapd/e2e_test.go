package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// runningDaemon is a flowtapd process started for a test.
type runningDaemon struct {
	dir      string
	sshAddr  string
	snmpAddr string
	log      *bytes.Buffer
	cmd      *exec.Cmd
	bin      string
	args     []string
}

// crash kills the daemon (SIGKILL: no clean shutdown) and starts another
// with the same arguments, as the image's supervisor does.
func (d *runningDaemon) crash(t *testing.T) {
	t.Helper()
	d.cmd.Process.Kill()
	d.cmd.Wait()
	cmd := exec.Command(d.bin, d.args...)
	cmd.Stdout, cmd.Stderr = d.log, d.log
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	d.cmd = cmd
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.Dial("unix", filepath.Join(d.dir, "control.sock")); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("restarted flowtapd did not come up; log:\n%s", d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *runningDaemon) signal(t *testing.T, s os.Signal) {
	if err := d.cmd.Process.Signal(s); err != nil {
		t.Fatal(err)
	}
}

// stop sends sig (an orderly stop: every flow in the cache is exported)
// and waits, generously, for the daemon to exit.
func (d *runningDaemon) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	d.signal(t, sig)
	exited := make(chan error, 1)
	go func() { exited <- d.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("flowtapd did not stop; log:\n%s", d.log)
	}
}

// cli runs a script through the control socket in a dialect.
func (d *runningDaemon) cli(t *testing.T, dialect, script string) string {
	t.Helper()
	conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: dialect})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, script)
	conn.CloseWrite()
	b, _ := io.ReadAll(conn)
	return string(b)
}

func freeUDP(t *testing.T) string {
	t.Helper()
	return testnet.FreeAddr(t, "udp")
}

func buildDaemon(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "flowtapd")
	if out, err := testproc.CombinedOutput(exec.Command("go", "build", "-o", bin, ".")); err != nil {
		t.Fatalf("build flowtapd: %v\n%s", err, out)
	}
	return bin
}

func freeTCP(t *testing.T) string {
	t.Helper()
	return testnet.FreeAddr(t, "tcp")
}

// startDaemon runs flowtapd with startup as its startup-config.
func startDaemon(t *testing.T, startup string) *runningDaemon {
	t.Helper()
	return startDaemonArgs(t, startup)
}

// startDaemonArgs is startDaemon with more flowtapd flags.
func startDaemonArgs(t *testing.T, startup string, extra ...string) *runningDaemon {
	t.Helper()
	bin := buildDaemon(t)
	d := &runningDaemon{dir: t.TempDir(), sshAddr: freeTCP(t), snmpAddr: freeUDP(t), log: &bytes.Buffer{}}
	cfg := filepath.Join(d.dir, "startup-config")
	if err := os.WriteFile(cfg, []byte(startup), 0o600); err != nil {
		t.Fatal(err)
	}
	pin := fmt.Sprintf("/sys/fs/bpf/flowtap-e2e-%d", os.Getpid())
	d.args = []string{"--config", cfg, "--running", filepath.Join(d.dir, "running-config"), "--state", filepath.Join(d.dir, "state"), "--pin-dir", pin,
		"--control", filepath.Join(d.dir, "control.sock"), "--ssh-listen", d.sshAddr, "--snmp-listen", d.snmpAddr,
		"--dhcp-lease", filepath.Join(d.dir, "dhcp-eth0.lease")}
	d.args = append(d.args, extra...)
	d.bin = bin
	cmd := exec.Command(bin, d.args...)
	cmd.Stdout, cmd.Stderr = d.log, d.log
	d.cmd = cmd
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Logf("started %v", cmd.Args)
	t.Cleanup(func() {
		cmd := d.cmd
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		os.RemoveAll(pin)
		t.Logf("flowtapd log:\n%s", d.log)
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", d.sshAddr)
		if err == nil {
			c.Close()
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("flowtapd did not open SSH on %s; log:\n%s", d.sshAddr, d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sshRun logs in and feeds script to a shell session without a terminal,
// as `ssh host < script` does; it returns the screen.
func sshRun(t *testing.T, addr, user, pass, script string) (string, error) {
	t.Helper()
	c, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(pass)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		return "", err
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	var out, errOut bytes.Buffer // two streams, copied concurrently: never one buffer
	s.Stdout, s.Stderr = &out, &errOut
	s.Stdin = strings.NewReader(script)
	if err := s.Shell(); err != nil {
		return "", err
	}
	err = s.Wait()
	return out.String() + errOut.String(), err
}

func udpFrame(src [4]byte, sport uint16, payload int) []byte {
	b := make([]byte, 14+20+8+payload)
	copy(b[0:], []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00})
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(28+payload))
	ip[8], ip[9] = 64, 17
	copy(ip[12:], src[:])
	copy(ip[16:], []byte{192, 0, 2, 9})
	binary.BigEndian.PutUint16(ip[20:], sport)
	binary.BigEndian.PutUint16(ip[22:], 53)
	return b
}

// TestSSHConfiguresExport: an operator logs in over SSH, configures an
// export destination, and the exporter starts sending the flows the
// datapath meters on the monitored port to it.
func TestSSHConfiguresExport(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret letmein
interface `+v.Mon+`
 ip flow ingress
!
`)
	if on, err := netcfg.Promiscuous(v.Mon); err != nil || !on {
		t.Fatalf("the monitored port is not promiscuous (%v): the NIC would drop other hosts' frames", err)
	}
	if _, err := sshRun(t, d.sshAddr, "admin", "wrong", "show version\n"); err == nil {
		t.Fatal("a wrong password logged in")
	}
	script := fmt.Sprintf("configure terminal\nip flow-export version 9\nip flow-export destination %s %d\nip flow-export destinaton 1.2.3.4 5\nend\nwrite memory\nshow running-config | include flow-export\n",
		capd.Addr.Addr(), capd.Addr.Port())
	out, err := sshRun(t, d.sshAddr, "admin", "letmein", script)
	if err != nil {
		t.Fatalf("ssh session: %v\n%s", err, out)
	}
	want := fmt.Sprintf("ip flow-export destination %s %d", capd.Addr.Addr(), capd.Addr.Port())
	if !strings.Contains(out, want) || !strings.Contains(out, "% Invalid input detected at '^' marker.") || !strings.Contains(out, "[OK]") {
		t.Fatalf("session screen (err %v) lacks the destination, the error for the typo or write memory's [OK]:\n%q", err, out)
	}
	saved, _ := os.ReadFile(filepath.Join(d.dir, "startup-config"))
	if !strings.Contains(string(saved), want) {
		t.Fatalf("write memory did not save the destination:\n%s", saved)
	}

	// Both dialects edit the one model: a JunOS commit shows in IOS.
	ctl := func(dialect, script string) string { return d.cli(t, dialect, script) }
	jout := ctl("junos", "configure\nset forwarding-options sampling family inet output flow-server 127.0.0.44 port 9000\ncommit and-quit\n")
	if !strings.Contains(jout, "commit complete") {
		t.Fatalf("JunOS commit:\n%s", jout)
	}
	if iout := ctl("ios", "show running-config | include 127.0.0.44\n"); iout != "ip flow-export destination 127.0.0.44 9000 family ipv4\n" {
		t.Fatalf("IOS running-config after the JunOS commit: %q", iout)
	}

	var frames [][]byte
	for i := 0; i < 5; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, 1}, 4000, 10))
	}
	for i := 0; i < 3; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, 2}, 5000, 100))
	}
	v.Send(t, frames)
	time.Sleep(300 * time.Millisecond)
	if out, err := sshRun(t, d.sshAddr, "admin", "letmein", "clear mls netflow\n"); err != nil {
		t.Fatalf("clear mls netflow: %v\n%s", err, out)
	}
	time.Sleep(300 * time.Millisecond)
	got, _ := capd.Stop(t)
	want2 := collector.Tuples{}
	want2.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 5, 5*38)
	want2.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.2"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 5000, DstPort: 53}, 3, 3*128)
	for _, x := range collector.Compare(got, want2) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
}

// snmp runs a net-snmp tool against the daemon and returns its output.
func snmpTool(t *testing.T, tool string, args ...string) string {
	t.Helper()
	bin := collector.RequireTool(t, tool, "snmp")
	out, err := testproc.CombinedOutput(exec.Command(bin, args...))
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestSNMPAgreesWithCLI: an SNMP Set is the same change as the CLI line,
// and the agent reports what the CLI shows at the same moment.
func TestSNMPAgreesWithCLI(t *testing.T) {
	v := testnet.Enter(t)
	// A collector that listens: records sent to a closed port are lost
	// (ICMP port unreachable), not exported.
	coll, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	collPort := coll.LocalAddr().(*net.UDPAddr).Port
	d := startDaemon(t, `hostname snmptap
username admin secret letmein
snmp-server community public RO
snmp-server community private RW
snmp-server contact noc@example.net
interface `+v.Mon+`
 description tap A
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 `+fmt.Sprint(collPort)+`
`)
	agent := "udp:" + d.snmpAddr
	// Wait for the agent: it starts when the config is applied.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if out, err := testproc.CombinedOutput(exec.Command("snmpget", "-v2c", "-cpublic", "-t1", "-r0", agent, "1.3.6.1.2.1.1.5.0")); err == nil && strings.Contains(string(out), "snmptap") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("snmp agent does not answer: %v %s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// cnfCIInactiveTimeOut.main (seconds) set over SNMP is the CLI line.
	snmpTool(t, "snmpset", "-v2c", "-cprivate", agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.7.0", "u", "45")
	if got := d.cli(t, "ios", "show running-config | include inactive\n"); got != "ip flow-cache timeout inactive 45\n" {
		t.Fatalf("after snmpset of the inactive timeout, running-config says %q", got)
	}
	// A read-only community cannot set; a wrong value changes nothing.
	if out, err := testproc.CombinedOutput(exec.Command("snmpset", "-v2c", "-cpublic", "-t1", "-r0", agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.7.0", "u", "50")); err == nil {
		t.Fatalf("a read-only community set a value: %s", out)
	}
	if out, err := testproc.CombinedOutput(exec.Command("snmpset", "-v2c", "-cprivate", agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.7.0", "u", "5")); err == nil {
		t.Fatalf("an out-of-range inactive timeout was accepted: %s", out)
	}
	if got := d.cli(t, "ios", "show running-config | include inactive\n"); got != "ip flow-cache timeout inactive 45\n" {
		t.Fatalf("a refused set changed the config: %q", got)
	}

	// Traffic, then the same figures from both sides.
	var frames [][]byte
	for i := 0; i < 4; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, byte(i + 1)}, 4000, 10))
	}
	v.Send(t, frames)
	time.Sleep(1500 * time.Millisecond) // an ager pass records the active count
	active := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.4.0")
	cache := d.cli(t, "ios", "show ip cache flow | include active,\n")
	if !strings.HasPrefix(strings.TrimSpace(cache), active+" active,") {
		t.Fatalf("cnfCIActiveFlows %s, show ip cache flow %q", active, cache)
	}
	if active != "4" {
		t.Fatalf("cnfCIActiveFlows %s, want 4 flows", active)
	}
	// Purge to the collector, then compare the export counters once the
	// packet counts as exported (no ICMP error for it: export.ConfirmAfter).
	d.cli(t, "ios", "clear mls netflow\n")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if strings.HasPrefix(d.cli(t, "ios", "show ip flow export | include exported\n"), "  4 flows") {
			break
		}
	}
	entries := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.3.0")
	records := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.4.1.9.9.387.1.4.3.0")
	packets := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.4.1.9.9.387.1.4.4.0")
	exp := d.cli(t, "ios", "show ip flow export | include exported\n")
	if want := fmt.Sprintf("  %s flows exported in %s udp datagrams\n", records, packets); exp != want || records != "4" {
		t.Fatalf("cnfESRecordsExported %s, cnfESPktsExported %s; show ip flow export %q", records, packets, exp)
	}
	if entries != "4096" {
		t.Fatalf("cnfCICacheEntries %s, want the IOS default 4096", entries)
	}
	// ifAlias is the interface description; sysContact the config's.
	walk := snmpTool(t, "snmpwalk", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.2.1.31.1.1.1.18")
	if !strings.Contains(walk, "tap A") {
		t.Fatalf("ifAlias walk lacks the description: %q", walk)
	}
	if got := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.2.1.1.4.0"); !strings.Contains(got, "noc@example.net") {
		t.Fatalf("sysContact %q", got)
	}
}

// TestBadConfigKeepsRunning: a startup-config that fails to parse, loaded
// with SIGHUP, leaves the running config as it was.
func TestBadConfigKeepsRunning(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname before\nusername admin secret letmein\n")
	before := d.cli(t, "ios", "show running-config\n")
	os.WriteFile(filepath.Join(d.dir, "startup-config"), []byte("hostname after\nip flow-cache timeout inactive 5\n"), 0o600)
	d.signal(t, syscall.SIGHUP)
	// The SIGHUP is handled once the log names the file and line.
	d.waitLog(t, "startup-config:2")
	if after := d.cli(t, "ios", "show running-config\n"); after != before {
		t.Fatalf("a bad startup-config changed the running config:\n%s", after)
	}
	// A good one applies.
	os.WriteFile(filepath.Join(d.dir, "startup-config"), []byte("hostname after\nusername admin secret letmein\n"), 0o600)
	d.signal(t, syscall.SIGHUP)
	d.waitLog(t, "startup-config applied (SIGHUP)")
	if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != "hostname after\n" {
		t.Fatalf("a good startup-config did not apply: %q", got)
	}
}

// TestCrashKeepsRunningConfig: a daemon killed and restarted (as the
// image's supervisor does) comes back with the configuration it ran,
// unsaved changes included.
func TestCrashKeepsRunningConfig(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname before\nusername admin secret letmein\n")
	d.cli(t, "ios", "configure terminal\nhostname unsaved\nip flow-cache timeout inactive 20\nend\n")
	d.crash(t)
	got := d.cli(t, "ios", "show running-config | include hostname|inactive\n")
	if got != "hostname unsaved\nip flow-cache timeout inactive 20\n" {
		t.Fatalf("after a crash the running config is %q", got)
	}
	if saved, _ := os.ReadFile(filepath.Join(d.dir, "startup-config")); !strings.Contains(string(saved), "hostname before") {
		t.Fatalf("the startup-config changed without write memory:\n%s", saved)
	}
}

// TestMissingPortIsRetried: a configured port that does not exist does not
// keep the daemon from coming up; it is metered once it appears.
func TestMissingPortIsRetried(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname late\nusername admin secret letmein\ninterface vlate\n ip flow ingress\n!\n")
	if got := d.cli(t, "ios", "show running-config | include vlate\n"); got != "interface vlate\n" {
		t.Fatalf("daemon without its port: %q", got)
	}
	if out, err := testproc.CombinedOutput(exec.Command("ip", "link", "add", "vlate", "type", "veth", "peer", "name", "vlate-peer")); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(d.log.String(), `msg="metering port" port=vlate`) {
		if time.Now().After(deadline) {
			t.Fatalf("the port was not attached after it appeared; log:\n%s", d.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitMetering waits until the daemon says it meters port (the XDP
// program attached), so that frames sent next are counted.
func (d *runningDaemon) waitMetering(t *testing.T, port string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(d.log.String(), `msg="metering port" port=`+port); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not metered; log:\n%s", port, d.log)
		}
	}
}

// collectorSocket is a UDP socket on loopback standing for a collector
// whose packets a test reads byte for byte, and its port; closed when
// the test ends.
func collectorSocket(t *testing.T) (*net.UDPConn, int) {
	t.Helper()
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	return sink, sink.LocalAddr().(*net.UDPAddr).Port
}

// nfdumpRows reads every record in a collector's files with nfdump's
// format fields (such as "%sa|%in|%pkt"), one row per record with its
// fields joined by "|" and nfdump's padding dropped, in the files' order.
func nfdumpRows(t *testing.T, files []string, fields string) []string {
	t.Helper()
	nfdump := collector.RequireTool(t, "nfdump", "nfdump")
	var rows []string
	for _, f := range files {
		out, err := testproc.Output(exec.Command(nfdump, "-r", f, "-q", "-N", "-o", "fmt:"+fields))
		if err != nil {
			t.Fatalf("nfdump -r %s: %v", f, err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				rows = append(rows, strings.Join(strings.Fields(strings.ReplaceAll(l, "|", " ")), "|"))
			}
		}
	}
	return rows
}
