package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/faults"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// The flowtap MIB's objects these tests read (mgmt/snmp/mib_flowtap.go).
const (
	oidDpFrames         = "1.3.6.1.4.1.32473.1.3.1.0"
	oidDpMetered        = "1.3.6.1.4.1.32473.1.3.6.0"
	oidDpFlowsCreated   = "1.3.6.1.4.1.32473.1.3.8.0"
	oidDpCreateFailPkts = "1.3.6.1.4.1.32473.1.3.9.0"
	oidActiveFlows      = "1.3.6.1.4.1.9.9.387.1.1.2.1.4.0" // cnfCIActiveFlows.main
)

// trafgenFlows is a trafgen packet: Ethernet/IPv4/UDP, 46 bytes of IP,
// from 10.1.A.B:4000 to 192.0.2.C:53, the three bytes counting up at
// once, so the frames cycle through lcm(256, 200, 250) = 32,000 flows.
const trafgenFlows = `{
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
  c16(0x0800),
  0x45, 0x00, c16(46), c16(0), c16(0), 64, 17, csumip(14, 33),
  10, 1, dinc(0, 255), dinc(0, 199),
  192, 0, 2, dinc(0, 249),
  c16(4000), c16(53), c16(26), c16(0),
  fill(0x00, 18)
}
`

// trafgenRandom is the random-source flood: every frame a new source
// address and port, so nearly every frame is a new flow.
const trafgenRandom = `{
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
  c16(0x0800),
  0x45, 0x00, c16(46), c16(0), c16(0), 64, 17, csumip(14, 33),
  drnd(4),
  192, 0, 2, 9,
  drnd(2), c16(53), c16(26), c16(0),
  fill(0x00, 18)
}
`

// trafgen is a running trafgen sending into the veth's source end.
type trafgen struct {
	cmd  *exec.Cmd
	out  strings.Builder
	done chan struct{}
}

// startTrafgen sends count frames of packet (0: until stopped) at rate
// frames/s (0: as fast as trafgen can, one CPU) from the veth's namespace.
func startTrafgen(t *testing.T, v *testnet.Veth, packet string, count, rate int) *trafgen {
	t.Helper()
	collector.RequireTool(t, "trafgen", "netsniff-ng")
	cfg := filepath.Join(t.TempDir(), "trafgen.cfg")
	if err := os.WriteFile(cfg, []byte(packet), 0o600); err != nil {
		t.Fatal(err)
	}
	// --no-sock-mem and -Q: leave the host's socket memory and IRQ
	// affinity alone. taskset: one CPU, one NIC queue, so each flow is
	// one entry (the meter keys entries by their CPU).
	args := []string{"netns", "exec", v.NS, "taskset", "-c", "0", "trafgen", "--no-sock-mem", "-Q", "-C", "-P", "1", "--dev", v.Src, "--conf", cfg}
	if count > 0 {
		args = append(args, "-n", strconv.Itoa(count))
	}
	if rate > 0 {
		args = append(args, "-b", fmt.Sprintf("%dpps", rate))
	}
	g := &trafgen{cmd: exec.Command("ip", args...), done: make(chan struct{})}
	g.cmd.Stdout, g.cmd.Stderr = &g.out, &g.out
	// Its own process group: trafgen forks a worker per CPU, and a signal
	// must reach them all.
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := testproc.Start(g.cmd); err != nil {
		t.Fatalf("start trafgen: %v", err)
	}
	go func() { g.cmd.Wait(); close(g.done) }()
	t.Cleanup(func() { g.signal(syscall.SIGKILL); <-g.done })
	return g
}

var outgoing = regexp.MustCompile(`(\d+) packets outgoing`)

// wait returns the frames trafgen says it sent, once it has ended.
func (g *trafgen) wait(t *testing.T) uint64 {
	t.Helper()
	<-g.done
	m := outgoing.FindStringSubmatch(g.out.String())
	if m == nil {
		t.Fatalf("trafgen did not say what it sent:\n%s", g.out.String())
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

// stop ends an endless trafgen (SIGINT: it prints its count) and returns
// what it sent.
func (g *trafgen) stop(t *testing.T) uint64 {
	t.Helper()
	g.signal(syscall.SIGINT)
	return g.wait(t)
}

func (g *trafgen) signal(sig syscall.Signal) { syscall.Kill(-g.cmd.Process.Pid, sig) }

// rssKiB is a process's resident memory.
func rssKiB(t *testing.T, pid int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read flowtapd's status: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// waitCacheEmpty polls until the ager has exported every flow (the cache
// has stayed empty for three passes), then sends the partial export
// packet (`clear mls netflow`: it would wait up to 10 s) and waits for it
// to count as sent.
func waitCacheEmpty(t *testing.T, d *runningDaemon, agent string, within time.Duration) {
	t.Helper()
	defer func() {
		d.cli(t, "ios", "clear mls netflow\n")
		time.Sleep(time.Second)
	}()
	deadline := time.Now().Add(within)
	for empty := 0; empty < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("the cache still holds %d flows after %v", snmpCounter(t, agent, oidActiveFlows), within)
		}
		time.Sleep(time.Second)
		if snmpCounter(t, agent, oidActiveFlows) == 0 {
			empty++
		} else {
			empty = 0
		}
	}
}

// lossConfig is a startup-config that meters the veth and exports v9 to
// capd, with the IOS minimum inactive timeout.
func lossConfig(v *testnet.Veth, capd *collector.Nfcapd, extra string) string {
	return fmt.Sprintf(`hostname losstest
username admin privilege 15 secret letmein
snmp-server community public RO
ip flow-cache timeout inactive 10
%sinterface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, extra, v.Mon, capd.Addr.Addr(), capd.Addr.Port())
}

// TestFaultKillUnderTraffic: flowtapd is killed (SIGKILL) while 32,000
// flows are metered, stays down past the inactive timeout while the
// pinned links meter on, and is started again: its first harvest is the
// whole backlog at once, which drains through the exporter's backpressure.
// nfcapd holds exactly what trafgen sent. (Flows here are live at the
// kill, as on a tap where flows outlast a crash; a kill during an expiry
// burst is TestKillDuringExpiryBurstLosesNothing.)
func TestFaultKillUnderTraffic(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	// Room for the 32,000 flows: none fails to be created.
	d := startDaemon(t, lossConfig(v, capd, "ip flow-cache entries 131072\n"))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	const rate = 20000
	before, dead := faults.Pick(3*time.Second, 20*time.Second), faults.Pick(3*time.Second, 20*time.Second)
	g := startTrafgen(t, v, trafgenFlows, int((before+dead).Seconds())*rate, rate)
	time.Sleep(before)
	d.cmd.Process.Kill()
	d.cmd.Wait()
	t0 := time.Now()
	sent := g.wait(t)
	// Down past the inactive timeout: every flow is idle at the restart.
	time.Sleep(11 * time.Second)
	downFor := time.Since(t0)
	d.start(t)
	waitSNMP(t, agent)
	t1 := time.Now()
	waitCacheEmpty(t, d, agent, 120*time.Second)
	faults.Figure(t, "kill-backlog-drain", "%v from restart to an empty cache", time.Since(t1).Round(time.Second))

	frames, metered := snmpCounter(t, agent, oidDpFrames), snmpCounter(t, agent, oidDpMetered)
	failed := snmpCounter(t, agent, oidDpCreateFailPkts)
	exp := d.cli(t, "ios", "show ip flow export\n")
	dp := d.cli(t, "ios", "show ip flow datapath\n")
	got, log := capd.Stop(t)
	total := got.Total()
	faults.Figure(t, "kill-under-traffic", "trafgen sent %d frames; meter saw %d, metered %d, %d creation failures; nfcapd stored %d packets in %d flows; down %v",
		sent, frames, metered, failed, total.Packets, len(got), downFor.Round(time.Second))
	if frames != sent || metered != sent || failed != 0 {
		t.Errorf("meter saw %d frames and metered %d (%d creation failures) of %d sent:\n%s", frames, metered, failed, sent, dp)
	}
	if total.Packets != sent || total.Bytes != 46*sent {
		t.Errorf("nfcapd stored %d packets %d bytes, trafgen sent %d packets %d bytes\n%s\n%s", total.Packets, total.Bytes, sent, 46*sent, exp, log)
	}
	if len(got) != 32000 {
		t.Errorf("nfcapd has %d flows, trafgen cycles through 32000", len(got))
	}
	if strings.Contains(exp, "lost") {
		t.Errorf("the exporter lost records:\n%s", exp)
	}
}

// TestResizeUnderTrafficExportsAll: `ip flow-cache entries` changed while
// 32,000 flows are metered rebuilds the table (IOS exports the old cache
// and starts over): the old table drains into the exporters through the
// same backpressure as an expiry burst, and nfcapd holds exactly what
// trafgen sent. On main the drain overflowed the export queue.
func TestResizeUnderTrafficExportsAll(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, lossConfig(v, capd, "ip flow-cache entries 65536\n"))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	const rate = 20000
	g := startTrafgen(t, v, trafgenFlows, 5*rate, rate)
	time.Sleep(2500 * time.Millisecond)
	if out := d.cli(t, "ios", "configure terminal\nip flow-cache entries 131072\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("resize refused: %s", out)
	}
	sent := g.wait(t)
	time.Sleep(500 * time.Millisecond)
	waitCacheEmpty(t, d, agent, 120*time.Second)

	failed := snmpCounter(t, agent, oidDpCreateFailPkts)
	exp := d.cli(t, "ios", "show ip flow export\n")
	cache := d.cli(t, "ios", "show ip cache flow | include inactive,\n")
	got, log := capd.Stop(t)
	total := got.Total()
	faults.Figure(t, "resize-under-traffic", "trafgen sent %d frames; %d creation failures; nfcapd stored %d packets in %d tuples", sent, failed, total.Packets, len(got))
	if !strings.Contains(cache, "0 active, 131072 inactive") {
		t.Errorf("cache not resized: %q", cache)
	}
	if failed != 0 {
		t.Errorf("%d packets failed flow creation", failed)
	}
	if total.Packets != sent || total.Bytes != 46*sent || len(got) != 32000 {
		t.Errorf("nfcapd stored %d packets %d bytes in %d tuples; trafgen sent %d packets %d bytes in 32000 flows\n%s\n%s", total.Packets, total.Bytes, len(got), sent, 46*sent, exp, log)
	}
}

// nfcapdFlows is the flow count in nfcapd's closing summary.
var nfcapdFlows = regexp.MustCompile(`Ident: '[^']*' Flows: (\d+), Packets: (\d+)`)

// TestFaultRandomSourceFlood: trafgen floods random source addresses and
// ports as fast as it can (short: 4 s, full: 60 s) at the IOS default
// 4096-entry cache. The daemon survives; every frame is metered and is in
// a flow or counted as a creation failure; every flow created reaches
// nfcapd; `show version` over the control socket and an SNMP get answer
// throughout (their worst latency is a figure).
func TestFaultRandomSourceFlood(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, lossConfig(v, capd, ""))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	stop := make(chan struct{})
	type worst struct {
		ctl, snmp time.Duration
		fails     []string
	}
	probes := make(chan worst)
	go func() {
		var w worst
		for {
			select {
			case <-stop:
				probes <- w
				return
			case <-time.After(200 * time.Millisecond):
			}
			t0 := time.Now()
			out := d.cli(t, "ios", "show version\n")
			w.ctl = max(w.ctl, time.Since(t0))
			if !strings.Contains(out, "flowtap Software") {
				w.fails = append(w.fails, fmt.Sprintf("show version: %q", out))
			}
			t0 = time.Now()
			b, err := testproc.CombinedOutput(exec.Command("ip", "netns", "exec", v.NS, "snmpget", "-v2c", "-cpublic", "-t5", "-r0", "-Oqv", agent, "1.3.6.1.2.1.1.5.0"))
			w.snmp = max(w.snmp, time.Since(t0))
			if err != nil {
				w.fails = append(w.fails, fmt.Sprintf("snmpget: %v %s", err, b))
			}
		}
	}()

	g := startTrafgen(t, v, trafgenRandom, 0, 0)
	dur := faults.Pick(4*time.Second, 60*time.Second)
	time.Sleep(dur)
	sent := g.stop(t)
	close(stop)
	w := <-probes
	waitCacheEmpty(t, d, agent, 120*time.Second)
	if err := d.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("flowtapd died under the flood: %v\n%s", err, d.log)
	}

	frames, metered := snmpCounter(t, agent, oidDpFrames), snmpCounter(t, agent, oidDpMetered)
	created, failed := snmpCounter(t, agent, oidDpFlowsCreated), snmpCounter(t, agent, oidDpCreateFailPkts)
	dp := d.cli(t, "ios", "show ip flow datapath\n")
	exp := d.cli(t, "ios", "show ip flow export\n")
	got, log := capd.Stop(t)
	m := nfcapdFlows.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no summary in nfcapd's log:\n%s", log)
	}
	records, _ := strconv.ParseUint(m[1], 10, 64)
	total := got.Total()
	faults.Figure(t, "flood", "%v: trafgen sent %d frames (%.0f/s); meter saw %d, metered %d; %d flows created, %d packets failed creation; nfcapd stored %d flows, %d packets",
		dur, sent, float64(sent)/dur.Seconds(), frames, metered, created, failed, records, total.Packets)
	faults.Figure(t, "flood-mgmt-latency", "worst show version %v, worst snmpget %v", w.ctl.Round(time.Millisecond), w.snmp.Round(time.Millisecond))
	t.Logf("%s\n%s", dp, exp)
	for _, f := range w.fails {
		t.Errorf("management did not answer during the flood: %s", f)
	}
	if metered != frames {
		t.Errorf("meter saw %d frames, metered %d\n%s", frames, metered, dp)
	}
	if total.Packets+failed != metered {
		t.Errorf("nfcapd %d packets + %d creation failures != %d metered\n%s", total.Packets, failed, metered, dp)
	}
	if records != created {
		t.Errorf("%d flows created, nfcapd stored %d\n%s", created, records, exp)
	}
}

// lossOID is a column of flowtapExportLossTable for the collector at
// 127.0.0.1:port.
func lossOID(col, port int) string {
	return fmt.Sprintf("1.3.6.1.4.1.32473.1.4.1.1.%d.0.1.4.127.0.0.1.%d", col, port)
}

// collectorPort is the address the daemon exports to, in front of nfcapd:
// up, it forwards every datagram to nfcapd; down, nothing listens there
// and the kernel answers ICMP port unreachable, as for a collector that
// is not running. (Stopping nfcapd itself would race: what it has read
// but not stored when it stops is lost without a trace, and the
// comparison could not be exact.)
type collectorPort struct {
	addr      *net.UDPAddr
	to        *net.UDPConn
	nfcapdPid int
	conn      *net.UDPConn
	done      chan struct{}
	pending   atomic.Int64 // datagrams read but not yet handed to nfcapd
}

func openCollectorPort(t *testing.T, capd *collector.Nfcapd) *collectorPort {
	t.Helper()
	to, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(capd.Addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { to.Close() })
	p := &collectorPort{addr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, to: to, nfcapdPid: capd.Pid()}
	p.up(t)
	p.addr = p.conn.LocalAddr().(*net.UDPAddr)
	t.Cleanup(func() {
		if p.conn != nil {
			p.conn.Close()
			<-p.done
		}
	})
	return p
}

// up listens on the port and forwards to nfcapd. The datagrams are read
// at once into memory and handed on only while nfcapd's socket has room:
// on a loaded machine nfcapd falls behind, and a datagram its socket
// drops would be a loss the exporter cannot see (nfcapd counts it as a
// sequence error), which is not what the test measures.
func (p *collectorPort) up(t *testing.T) {
	t.Helper()
	conn, err := net.ListenUDP("udp", p.addr)
	if err != nil {
		t.Fatalf("listen on the collector port: %v", err)
	}
	conn.SetReadBuffer(4 << 20)
	p.conn, p.done = conn, make(chan struct{})
	queue := make(chan []byte, 1<<16)
	go func() {
		defer close(queue)
		for {
			b := make([]byte, 65536)
			n, err := conn.Read(b)
			if err != nil {
				return
			}
			p.pending.Add(1)
			queue <- b[:n]
		}
	}()
	nfcapdPort := p.to.RemoteAddr().(*net.UDPAddr).Port
	go func() {
		defer close(p.done)
		for b := range queue {
			for udpRxBytes(p.nfcapdPid, nfcapdPort) > 256<<10 {
				time.Sleep(time.Millisecond)
			}
			p.to.Write(b)
			p.pending.Add(-1)
		}
	}()
}

// udpRxBytes is how many bytes wait in the receive queue of the UDP
// socket bound to port in pid's network namespace (0 if none).
func udpRxBytes(pid, port int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/udp", pid))
	if err != nil {
		return 0
	}
	local := fmt.Sprintf(":%04X", port)
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && strings.HasSuffix(f[1], local) {
			_, rx, _ := strings.Cut(f[4], ":")
			n, _ := strconv.ParseInt(rx, 16, 64)
			return n
		}
	}
	return 0
}

// down stops listening without losing what arrived: connecting the
// socket elsewhere makes the kernel refuse the exporter's datagrams at
// once (a connected UDP socket takes only its peer's), what was queued is
// still read and forwarded, then the socket closes.
func (p *collectorPort) down(t *testing.T) {
	t.Helper()
	rc, err := p.conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cerr error
	rc.Control(func(fd uintptr) {
		cerr = syscall.Connect(int(fd), &syscall.SockaddrInet4{Port: 9, Addr: [4]byte{127, 0, 0, 9}})
	})
	if cerr != nil {
		t.Fatalf("connect the collector port away: %v", cerr)
	}
	// Nothing new can arrive: let the forwarder read the queue dry.
	for queued := true; queued; {
		time.Sleep(300 * time.Millisecond)
		queued = rxQueued(t, p.addr.Port)
	}
	p.conn.Close()
	<-p.done
	p.conn = nil
}

// rxQueued reads the test namespace's UDP sockets: whether the one bound
// to port has datagrams waiting.
func rxQueued(t *testing.T, port int) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/thread-self/net/udp")
	if err != nil {
		t.Fatal(err)
	}
	local := fmt.Sprintf(":%04X", port)
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && strings.HasSuffix(f[1], local) {
			_, rx, _ := strings.Cut(f[4], ":")
			return strings.Trim(rx, "0") != ""
		}
	}
	return false
}

// TestFaultCollectorDown: the collector's port is closed for a while
// (short: 5 s, full: 60 s) while flows expire all along, so the exporter
// gets ICMP port unreachable, then it listens again. The daemon's memory
// stays bounded, export resumes, and the packets counted as lost for that
// destination (SNMP flowtapExportLostPackets, show ip flow export) are
// exactly the metered packets nfcapd did not store.
func TestFaultCollectorDown(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	cp := openCollectorPort(t, capd)
	port := cp.addr.Port
	metricsPort := freeTCP(t)[len("127.0.0.1:"):]
	d := startDaemon(t, fmt.Sprintf(`hostname losstest
username admin privilege 15 secret letmein
snmp-server community public RO
ip flow-cache timeout inactive 10
ip flow-cache entries 131072
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip http metrics port %s
`, v.Mon, port, metricsPort))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	// 2000 frames/s over the 32,000-flow cycle: each flow gets one frame
	// every 16 s, so each frame is a new flow that expires 10 s later.
	const rate, warmup, after = 2000, 12 * time.Second, 3 * time.Second
	outage := faults.Pick(5*time.Second, 60*time.Second)
	g := startTrafgen(t, v, trafgenFlows, int((warmup+outage+after).Seconds())*rate, rate)
	time.Sleep(warmup) // expiries under way
	rssBefore := rssKiB(t, d.cmd.Process.Pid)
	cp.down(t)
	rssMax := rssBefore
	for end := time.Now().Add(outage); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		rssMax = max(rssMax, rssKiB(t, d.cmd.Process.Pid))
	}
	down := d.cli(t, "ios", "show ip flow export\n")
	cp.up(t)
	sent := g.wait(t)
	waitCacheEmpty(t, d, agent, 120*time.Second)
	rssAfter := rssKiB(t, d.cmd.Process.Pid)

	frames, metered := snmpCounter(t, agent, oidDpFrames), snmpCounter(t, agent, oidDpMetered)
	lostFlows, lostPkts := snmpCounter(t, agent, lossOID(2, port)), snmpCounter(t, agent, lossOID(3, port))
	unreachable := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, lossOID(4, port))
	// Why: a closed port is a send error (ICMP port unreachable); the
	// packets a full queue refused during the outage count under it too,
	// none as a want of export packets.
	var byCause [10]uint64
	for i := range byCause {
		byCause[i] = snmpCounter(t, agent, lossOID(13+i, port))
	}
	exp := d.cli(t, "ios", "show ip flow export\n")
	fams := scrapeMetrics(t, "127.0.0.1", metricsPort)
	for rxQueued(t, port) || cp.pending.Load() > 0 || rxQueued(t, int(capd.Addr.Port())) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	got, log := capd.Stop(t)
	exported := got.Total().Packets
	faults.Figure(t, "collector-down", "%v outage: trafgen sent %d, metered %d; nfcapd stored %d; %d flows (%d packets) counted lost",
		outage, sent, metered, exported, lostFlows, lostPkts)
	faults.Figure(t, "collector-down-rss", "flowtapd RSS %d KiB before, %d KiB at most during the outage, %d KiB after", rssBefore, rssMax, rssAfter)
	t.Logf("during the outage:\n%s\nafter:\n%s\nnfcapd:\n%s", down, exp, log)

	if frames != sent || metered != sent {
		t.Errorf("meter saw %d and metered %d of %d frames", frames, metered, sent)
	}
	if lostPkts == 0 || exported+lostPkts != metered {
		t.Errorf("%d packets exported + %d counted lost != %d metered", exported, lostPkts, metered)
	}
	if unreachable != "2" {
		t.Errorf("flowtapExportUnreachable %s after the collector came back, want false(2)", unreachable)
	}
	if byCause != [10]uint64{6: lostFlows, 7: lostPkts} {
		t.Errorf("flowtapExportLossTable columns 13-22 (by cause) %v: want all %d flows (%d packets) in 19-20, send errors", byCause, lostFlows, lostPkts)
	}
	if !strings.Contains(exp, "  0 flows failed due to lack of export packet\n") ||
		!strings.Contains(exp, fmt.Sprintf("        flows lost by cause: %d send errors\n", lostFlows)) {
		t.Errorf("show ip flow export does not put the outage's losses under send errors")
	}
	for _, m := range fams["flowtap_export_lost_records_by_reason_total"].GetMetric() {
		want := 0.0
		for _, l := range m.Label {
			if l.GetName() == "reason" && l.GetValue() == "send-error" {
				want = float64(lostFlows)
			}
		}
		if m.Counter.GetValue() != want {
			t.Errorf("Prometheus %v: %v flows lost, want %v", m.Label, m.Counter.GetValue(), want)
		}
	}
	if n := len(fams["flowtap_export_lost_records_by_reason_total"].GetMetric()); n != 5 {
		t.Errorf("flowtap_export_lost_records_by_reason_total has %d series, want 5", n)
	}
	want := fmt.Sprintf("      %d flows (%d packets) lost, collector unreachable\n", lostFlows, lostPkts)
	if !strings.Contains(exp, want) || !strings.Contains(down, "Collector unreachable") {
		t.Errorf("show ip flow export lacks %q (or the unreachable line during the outage)", want)
	}
	// Bounded: the queue, the open packet and the in-flight headers
	// (export package doc); 64 MiB is far above them.
	if rssMax > rssBefore+64<<10 {
		t.Errorf("flowtapd grew from %d KiB to %d KiB during the outage", rssBefore, rssMax)
	}
	if !strings.Contains(d.log.String(), "collector reachable again") {
		t.Errorf("the outage was not logged:\n%s", d.log)
	}
}
