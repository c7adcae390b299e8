package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/faults"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// snmpCounter reads one counter, or fails the test.
func snmpCounter(t *testing.T, agent, oid string) uint64 {
	t.Helper()
	v := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, oid)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("snmpget %s: %q", oid, v)
	}
	return n
}

// waitSNMP polls the agent until it answers sysName (it starts once the
// configuration is applied).
func waitSNMP(t *testing.T, agent string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := testproc.CombinedOutput(exec.Command("snmpget", "-v2c", "-cpublic", "-t1", "-r0", agent, "1.3.6.1.2.1.1.5.0")); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("snmp agent does not answer: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestUnrelatedChangesKeepExport: five changes of settings that have
// nothing to do with export, made while flows are exported, leave the
// exporter alone: nfcapd sees no sequence failure, the SNMP export
// counters never go back, and the collector holds exactly what was sent.
func TestUnrelatedChangesKeepExport(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname seams
username admin privilege 15 secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	const recordsOID, pktsOID = "1.3.6.1.4.1.9.9.387.1.4.3.0", "1.3.6.1.4.1.9.9.387.1.4.4.0"

	changes := []string{
		"snmp-server location rack 7",
		"logging buffered 8192",
		"hostname seams2",
		"snmp-server contact noc@example.net",
		"interface " + v.Mon + "\n description tap B",
	}
	want := collector.Tuples{}
	var records, pkts uint64
	for round := 0; round <= len(changes); round++ {
		var frames [][]byte
		for f := 0; f < 4; f++ {
			src := [4]byte{10, 0, byte(round), byte(f + 1)}
			for p := 0; p <= f; p++ {
				frames = append(frames, udpFrame(src, 4000, 10))
			}
			want.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4(src), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, uint64(f+1), uint64(f+1)*38)
		}
		v.Send(t, frames)
		time.Sleep(200 * time.Millisecond)
		d.cli(t, "ios", "clear mls netflow\n")
		// Four more records: wait until the agent counts them, and check
		// the counters only ever grew.
		deadline := time.Now().Add(20 * time.Second)
		for {
			r, p := snmpCounter(t, agent, recordsOID), snmpCounter(t, agent, pktsOID)
			if r < records || p < pkts {
				t.Fatalf("round %d: cnfESRecordsExported %d (was %d), cnfESPktsExported %d (was %d): a Counter went back", round, r, records, p, pkts)
			}
			records, pkts = r, p
			if r == uint64(4*(round+1)) {
				break
			}
			if r > uint64(4*(round+1)) || time.Now().After(deadline) {
				t.Fatalf("round %d: cnfESRecordsExported %d, want %d", round, r, 4*(round+1))
			}
			time.Sleep(100 * time.Millisecond)
		}
		if round < len(changes) {
			if out := d.cli(t, "ios", "configure terminal\n"+changes[round]+"\nend\n"); strings.Contains(out, "%") {
				t.Fatalf("%q: %s", changes[round], out)
			}
		}
	}
	exp := d.cli(t, "ios", "show ip flow export | include exported\n")
	if wantExp := fmt.Sprintf("  %d flows exported in %d udp datagrams\n", records, pkts); exp != wantExp {
		t.Fatalf("show ip flow export %q, want %q", exp, wantExp)
	}
	t.Logf("%d records in %d export packets over %d changes", records, pkts, len(changes))
	got, log := capd.Stop(t)
	if !strings.Contains(log, "Sequence Errors: 0") {
		t.Errorf("nfcapd reports sequence errors (or no summary):\n%s", log)
	}
	for _, x := range collector.Compare(got, want) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
}

// stopAndStart ends the daemon with sig (SIGKILL: a crash; SIGTERM: an
// orderly stop) and starts another with the same arguments plus extra,
// as a supervisor or an operator would; it returns once the control
// socket answers.
func (d *runningDaemon) stopAndStart(t *testing.T, sig os.Signal, extra ...string) {
	t.Helper()
	d.cmd.Process.Signal(sig)
	d.cmd.Wait()
	d.start(t, extra...)
}

// start starts the daemon again after it stopped.
func (d *runningDaemon) start(t *testing.T, extra ...string) {
	t.Helper()
	cmd := exec.Command(d.bin, append(append([]string{}, d.args...), extra...)...)
	cmd.Stdout, cmd.Stderr = d.log, d.log
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	d.cmd = cmd
	d.waitControl(t)
}

func (d *runningDaemon) waitControl(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial("unix", filepath.Join(d.dir, "control.sock")); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("flowtapd did not come up; log:\n%s", d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitLog polls the daemon's log for s.
func (d *runningDaemon) waitLog(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(d.log.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q:\n%s", s, d.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEditedStartupVsCrash: a crash brings the running config back,
// unsaved changes included, unless the startup-config was edited since:
// then the operator means the file. An orderly stop starts from the file.
func TestEditedStartupVsCrash(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname before\nusername admin secret letmein\n")
	startup := filepath.Join(d.dir, "startup-config")
	hostname := func() string { return d.cli(t, "ios", "show running-config | include hostname\n") }

	d.cli(t, "ios", "configure terminal\nhostname unsaved\nend\n")
	d.stopAndStart(t, syscall.SIGKILL)
	if got := hostname(); got != "hostname unsaved\n" {
		t.Fatalf("after a crash: %q, want the unsaved running config", got)
	}

	// The operator edits the file, then the daemon crashes: the file wins.
	if err := os.WriteFile(startup, []byte("hostname edited\nusername admin secret letmein\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.stopAndStart(t, syscall.SIGKILL)
	if got := hostname(); got != "hostname edited\n" {
		t.Fatalf("after editing the startup-config and a crash: %q, want the edited file", got)
	}

	// write memory makes the file the running config's origin again: a
	// crash after it keeps later unsaved changes.
	d.cli(t, "ios", "configure terminal\nhostname saved\nend\nwrite memory\nconfigure terminal\nhostname unsaved2\nend\n")
	d.stopAndStart(t, syscall.SIGKILL)
	if got := hostname(); got != "hostname unsaved2\n" {
		t.Fatalf("after write memory, a change and a crash: %q", got)
	}

	// An orderly stop starts from the file.
	d.stopAndStart(t, syscall.SIGTERM)
	if got := hostname(); got != "hostname saved\n" {
		t.Fatalf("after an orderly stop: %q, want the startup-config", got)
	}
	if _, err := os.Stat(filepath.Join(d.dir, "running-config")); err != nil {
		t.Fatalf("the new daemon keeps no running copy: %v", err)
	}
}

// TestBootSkipsBadLines: a startup-config with bad lines runs every good
// one (the port, the export, the user, SNMP); each bad line is reported
// with file:line and why, and the count of skipped lines.
func TestBootSkipsBadLines(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname salvaged
ip flow-cache timeout inactive 5
username admin privilege 15 secret letmein
interface %s
 ip flow ingress
!
interface %s extra
 ip flow ingress
!
ip flow-export version 9
ip flow-export destinaton 192.0.2.1 2055
ip flow-export destination %s %d
snmp-server community public RO
no such command
`, v.Mon, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	for _, want := range []string{"startup-config:2", "startup-config:7", "startup-config:11", "startup-config:14", "skipped=4"} {
		if !strings.Contains(d.log.String(), want) {
			t.Fatalf("the log lacks %q:\n%s", want, d.log)
		}
	}
	if !strings.Contains(d.log.String(), `reason="invalid input at \"destinaton\""`) {
		t.Fatalf("the log does not say why line 11 was skipped:\n%s", d.log)
	}
	// Management access: SSH (startDaemon waited for it) and SNMP.
	if out, err := sshRun(t, d.sshAddr, "admin", "letmein", "show running-config | include hostname\n"); err != nil || !strings.Contains(out, "hostname salvaged") {
		t.Fatalf("ssh: %v %q", err, out)
	}
	waitSNMP(t, "udp:"+d.snmpAddr)

	var frames [][]byte
	for i := 0; i < 6; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, 7}, 4000, 10))
	}
	v.Send(t, frames)
	time.Sleep(300 * time.Millisecond)
	d.cli(t, "ios", "clear mls netflow\n")
	time.Sleep(500 * time.Millisecond)
	got, _ := capd.Stop(t)
	want := collector.Tuples{}
	want.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.7"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 6, 6*38)
	for _, x := range collector.Compare(got, want) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
}

// routerOf maps each flow's source address to the exporter address
// nfcapd saw it from.
func routerOf(t *testing.T, files []string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, f := range files {
		out, err := testproc.Output(exec.Command("nfdump", "-r", f, "-q", "-N", "-o", "fmt:%sa|%ra"))
		if err != nil {
			t.Fatalf("nfdump: %v", err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			sa, ra, ok := strings.Cut(l, "|")
			if ok {
				m[strings.TrimSpace(sa)] = strings.TrimSpace(ra)
			}
		}
	}
	return m
}

// TestExportSourceMissing: `ip flow-export source` naming an interface
// that does not exist neither stops the daemon at boot nor is refused at
// run time; export goes by the routing table until the interface
// appears, then from its address.
func TestExportSourceMissing(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export source ftsrc0
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	d.waitLog(t, "export source not usable")
	flows := func(src byte) {
		v.Send(t, [][]byte{udpFrame([4]byte{10, 0, 0, src}, 4000, 10)})
		time.Sleep(200 * time.Millisecond)
		d.cli(t, "ios", "clear mls netflow\n")
	}
	flows(1) // by the routing table: from 127.0.0.1

	run := func(args ...string) {
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %v: %v %s", args, err, out)
		}
	}
	run("link", "add", "ftsrc0", "type", "veth", "peer", "name", "ftsrc0p")
	run("addr", "add", "10.99.0.1/32", "dev", "ftsrc0")
	run("link", "set", "ftsrc0", "up")
	d.waitLog(t, "export source in use")
	flows(2) // from 10.99.0.1

	// At run time: a source that does not exist is accepted, with a
	// warning, and logged.
	if out := d.cli(t, "ios", "configure terminal\nip flow-export source ftsrc1\nend\n"); !strings.HasSuffix(out,
		"\n% Warning: ip flow-export source ftsrc1: the interface does not exist; exporting by the routing table until it is usable\n") {
		t.Fatalf("ip flow-export source ftsrc1: %s", out)
	}
	d.waitLog(t, "ip flow-export source ftsrc1: the interface does not exist")
	flows(3) // by the routing table again
	time.Sleep(500 * time.Millisecond)

	files, _ := capd.Close(t)
	got := routerOf(t, files)
	want := map[string]string{"10.0.0.1": "127.0.0.1", "10.0.0.2": "10.99.0.1", "10.0.0.3": "127.0.0.1"}
	for sa, ra := range want {
		if got[sa] != ra {
			t.Errorf("flow from %s exported from %q, want %s (all: %v)", sa, got[sa], ra, got)
		}
	}
}

// xdpOn reports whether an XDP program is attached to ifname.
func xdpOn(t *testing.T, ifname string) bool {
	t.Helper()
	out, err := testproc.CombinedOutput(exec.Command("ip", "link", "show", "dev", ifname))
	if err != nil {
		t.Fatalf("ip link show %s: %v %s", ifname, err, out)
	}
	return strings.Contains(string(out), "xdp")
}

// TestStopDetachesPort: an orderly stop exports every flow and leaves the
// monitored port as it was before flowtapd; with --keep-metering the port
// goes on metering into the pinned table for the next daemon, which
// exports what was metered meanwhile.
func TestStopDetachesPort(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	if !xdpOn(t, v.Mon) {
		t.Fatal("no XDP program on the monitored port")
	}
	send := func(src byte, n int) {
		var frames [][]byte
		for i := 0; i < n; i++ {
			frames = append(frames, udpFrame([4]byte{10, 0, 0, src}, 4000, 10))
		}
		v.Send(t, frames)
	}
	send(1, 3)
	time.Sleep(300 * time.Millisecond)

	// --keep-metering: the port meters while no daemon runs.
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	if !xdpOn(t, v.Mon) {
		t.Fatal("--keep-metering: the stop detached the port")
	}
	send(2, 4) // metered with no daemon running
	time.Sleep(300 * time.Millisecond)

	// Without it, the next stop exports every flow and detaches.
	d.start(t)
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Fatalf("flowtapd exited with %v; log:\n%s", err, d.log)
	}
	if xdpOn(t, v.Mon) {
		out, _ := testproc.CombinedOutput(exec.Command("ip", "link", "show", "dev", v.Mon))
		t.Fatalf("an orderly stop left XDP on the port:\n%s", out)
	}
	if on, _ := netcfg.Promiscuous(v.Mon); on {
		t.Fatal("an orderly stop left the port promiscuous")
	}
	send(3, 5) // not metered: nobody is attached
	time.Sleep(300 * time.Millisecond)
	got, _ := capd.Stop(t)
	want := collector.Tuples{}
	for src, n := range map[byte]uint64{1: 3, 2: 4} {
		want.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4([4]byte{10, 0, 0, src}), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, n, n*38)
	}
	for _, x := range collector.Compare(got, want) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
	d.start(t) // for startDaemon's cleanup to stop
}

// TestFaultKillDuringWriteMemory: flowtapd killed (SIGKILL) while `write
// memory` runs, again and again: the startup-config always parses and is
// either the old file or the new one; the temp files the dead saves left
// are removed by the next write memory.
func TestFaultKillDuringWriteMemory(t *testing.T) {
	testnet.Enter(t)
	runs := faults.Pick(10, 100)
	d := startDaemon(t, "hostname h0\nusername admin secret letmein\n")
	startup := filepath.Join(d.dir, "startup-config")
	temps := func() []string {
		m, _ := filepath.Glob(filepath.Join(d.dir, ".startup-config.tmp-*"))
		return m
	}
	saved := 0 // the run whose hostname the file holds
	var becameNew, stayedOld, tempsLeft int
	for i := 1; i <= runs; i++ {
		if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\nhostname h%d\nend\n", i)); strings.Contains(out, "%") {
			t.Fatalf("run %d: %s", i, out)
		}
		conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "ios"})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, "write memory\n")
		// Spread the kill over the save's life: from before it starts to
		// after it ends.
		time.Sleep(time.Duration(i%20) * 100 * time.Microsecond)
		d.cmd.Process.Kill()
		d.cmd.Wait()
		conn.Close()

		c, err := cfgfile.Load(startup)
		if err != nil {
			t.Fatalf("run %d: the startup-config does not parse after a kill during write memory: %v", i, err)
		}
		switch c.Hostname {
		case fmt.Sprintf("h%d", i):
			becameNew++
			saved = i
		case fmt.Sprintf("h%d", saved):
			stayedOld++
		default:
			t.Fatalf("run %d: the startup-config has hostname %q: neither the old (h%d) nor the new (h%d)", i, c.Hostname, saved, i)
		}
		if len(temps()) > 0 {
			tempsLeft++
		}
		d.start(t)
		// Saved or not, the restarted daemon runs h<i>: the file if it
		// changed, else the running copy.
		if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != fmt.Sprintf("hostname h%d\n", i) {
			t.Fatalf("run %d: restarted with %q", i, got)
		}
	}
	faults.Figure(t, "write-memory-kills", "%d runs: %d left the new file, %d the old; %d left a temp file", runs, becameNew, stayedOld, tempsLeft)
	if out := d.cli(t, "ios", "write memory\n"); !strings.Contains(out, "[OK]") {
		t.Fatalf("write memory: %q", out)
	}
	if left := temps(); len(left) > 0 {
		t.Fatalf("write memory left the temp files of the killed saves: %v", left)
	}
}

// TestRunnableDropsWhatCannotRun: a configuration whose settings cannot be
// derived here keeps what it can: without the prefix-to-AS table first,
// with management only as a last resort.
func TestRunnableDropsWhatCannotRun(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	c, err := ios.Parse("t", []byte("hostname keep\nusername admin secret letmein\nip flow-export destination 192.0.2.1 2055\nflowtap prefix-as-file /nonexistent/prefix-as.txt\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, serr := daemon.SettingsFrom(c)
	if serr == nil {
		t.Fatal("a missing prefix-as file derived settings")
	}
	got := runnable(c, serr, log)
	if got.PrefixAS.File != "" || len(got.Export.Destinations) != 1 || got.Hostname != "keep" || len(got.Users) != 1 {
		t.Fatalf("runnable kept %+v", got)
	}
	if _, err := daemon.SettingsFrom(got); err != nil {
		t.Fatalf("runnable's result does not run: %v", err)
	}
	if !strings.Contains(logs.String(), "prefix-to-AS table does not load") {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestRefusalsSayWhy: what the runtime refuses is refused whole, in the
// running config and in the session, with the reason after `%`; what it
// applies but cannot put in effect yet is a warning; no Go error chain
// reaches the screen.
func TestRefusalsSayWhy(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, `hostname why
username admin privilege 15 secret letmein
flow-sampler-map A
 mode random one-out-of 100
!
flow-sampler-map B
 mode random one-out-of 50
!
interface `+v.Mon+`
 flow-sampler A
!
`)
	out := d.cli(t, "ios", `configure terminal
interface nosuch
 ip flow ingress
interface `+v.Src+`
 flow-sampler B
hostname after
flowtap prefix-as-file /nonexistent/prefix-as.txt
ip flow-export source nosuch0
end
show ip flow top-talkers
`)
	want := `Enter configuration commands, one per line.  End with CNTL/Z.
% Warning: interface nosuch does not exist: it is metered once it appears
% flowtap prefix-as-file /nonexistent/prefix-as.txt: the file cannot be read (no such file or directory)
% Warning: ip flow-export source nosuch0: the interface does not exist; exporting by the routing table until it is usable
% Top talkers are not configured: ip flow-top-talkers needs top and sort-by
`
	if out != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", out, want)
	}
	// Ports sample at their own rates (issue 13: one rate for the box was
	// refused before); the refused prefix-as file is neither running nor
	// carried by the session into the next line (hostname after applied).
	run := d.cli(t, "ios", "show running-config | include ^hostname|^ flow-sampler|prefix-as|^interface\n")
	if want := "hostname after\ninterface nosuch\ninterface vmon\n flow-sampler A\ninterface vsrc\n flow-sampler B\n"; run != want {
		t.Fatalf("running config after the refusals:\n%s\nwant (flow-sampler B on vsrc, no prefix-as file, the hostname after them):\n%s", run, want)
	}

	// JunOS: a warning leaves the commit complete.
	jout := d.cli(t, "junos", "configure\nset interfaces nosuch2 unit 0 family inet sampling input\ncommit\n")
	if !strings.Contains(jout, "warning: interface nosuch2 does not exist: it is metered once it appears\ncommit complete\n") {
		t.Fatalf("JunOS commit with a missing port:\n%s", jout)
	}

	// A save that fails says why in the system's words.
	startup := filepath.Join(d.dir, "startup-config")
	os.Remove(startup)
	if err := os.MkdirAll(filepath.Join(startup, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := d.cli(t, "ios", "write memory\n"); got != "Building configuration...\n% Error writing startup-config (file exists)\n" {
		t.Fatalf("write memory onto a directory: %q", got)
	}
}

// TestBootWarningsNotRepeated: a port missing since the start was logged
// then; an unrelated change does not warn about it again.
func TestBootWarningsNotRepeated(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\ninterface vlate\n ip flow ingress\n!\n")
	if out := d.cli(t, "ios", "configure terminal\nhostname quiet\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("an unrelated change warned: %q", out)
	}
}

// TestRemovedCollectorKeepsSNMPCounters: the cnfES export counters are
// Counters: removing a destination does not take them back, and the
// other destination's exporter goes on undisturbed (no sequence error).
// cnfESRecordsExported counts the cache's flows, each once however many
// destinations got it.
func TestRemovedCollectorKeepsSNMPCounters(t *testing.T) {
	v := testnet.Enter(t)
	a, b := collector.StartNfcapd(t), collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`username admin privilege 15 secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
ip flow-export destination %s %d
`, v.Mon, a.Addr.Addr(), a.Addr.Port(), b.Addr.Addr(), b.Addr.Port()))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	const recordsOID = "1.3.6.1.4.1.9.9.387.1.4.3.0"
	flow := func(src byte) {
		v.Send(t, [][]byte{udpFrame([4]byte{10, 0, 0, src}, 4000, 10)})
		time.Sleep(200 * time.Millisecond)
		d.cli(t, "ios", "clear mls netflow\n")
	}
	waitRecords := func(want uint64) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := snmpCounter(t, agent, recordsOID)
			if r == want {
				return
			}
			if r > want || time.Now().After(deadline) {
				t.Fatalf("cnfESRecordsExported %d, want %d", r, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	flow(1)
	waitRecords(1) // one flow, a record to each collector
	if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\nno ip flow-export destination %s %d\nend\n", b.Addr.Addr(), b.Addr.Port())); strings.Contains(out, "%") {
		t.Fatal(out)
	}
	waitRecords(1) // the flow b got still counted
	flow(2)
	waitRecords(2)
	gotB, _ := b.Stop(t)
	gotA, logA := a.Stop(t)
	if len(gotA) != 2 || len(gotB) != 1 {
		t.Fatalf("collector a has %d flows (want 2), b %d (want 1)", len(gotA), len(gotB))
	}
	if !strings.Contains(logA, "Sequence Errors: 0") {
		t.Errorf("removing the other destination disturbed this one's sequence:\n%s", logA)
	}
}
