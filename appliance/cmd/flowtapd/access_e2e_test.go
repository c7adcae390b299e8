package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/faults"
	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// argValue is the value of a flag in the daemon's arguments.
func (d *runningDaemon) argValue(t *testing.T, name string) string {
	t.Helper()
	for i, a := range d.args {
		if a == name && i+1 < len(d.args) {
			return d.args[i+1]
		}
	}
	t.Fatalf("flowtapd started without %s", name)
	return ""
}

// TestFaultSecondDaemon: a second flowtapd on the first one's pin
// directory, or on its state directory, exits at once naming the first
// one's PID, and the first one keeps its config and answers.
func TestFaultSecondDaemon(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname first\nusername admin secret letmein\n")
	first := d.cmd.Process.Pid
	other := t.TempDir()
	private := func(name string) string { return filepath.Join(other, name) }
	cases := []struct{ what, pin, state string }{
		{"pin directory", d.argValue(t, "--pin-dir"), private("state")},
		{"state directory", d.argValue(t, "--pin-dir") + "-other", d.argValue(t, "--state")},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, d.bin, "--config", private("startup-config"), "--running", private("running-config"),
			"--state", c.state, "--pin-dir", c.pin, "--control", private("control.sock"),
			"--ssh-listen", freeTCP(t), "--snmp-listen", freeUDP(t))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		t0 := time.Now()
		err := testproc.Run(cmd)
		timedOut := ctx.Err() != nil
		faults.Figure(t, "second-daemon-"+strings.ReplaceAll(c.what, " ", "-"), "refused in %v", time.Since(t0).Round(time.Millisecond))
		cancel()
		t.Logf("second daemon on the same %s: %v\n%s", c.what, err, out.String())
		if err == nil || timedOut {
			t.Fatalf("a second daemon on the same %s did not refuse to start (err %v)", c.what, err)
		}
		want := c.what + " " + map[bool]string{true: c.pin, false: c.state}[c.what == "pin directory"] +
			" is in use by another flowtapd (PID " + strconv.Itoa(first) + ")"
		if !strings.Contains(out.String(), want) {
			t.Errorf("second daemon said %q, want it to contain %q", out.String(), want)
		}
	}
	if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != "hostname first\n" {
		t.Fatalf("the first daemon's config after the refused starts: %q", got)
	}
	if _, err := sshRun(t, d.sshAddr, "admin", "letmein", "show version\n"); err != nil {
		t.Fatalf("the first daemon no longer serves SSH: %v", err)
	}
}

// TestEngineBootsGrow: snmpEngineBoots is one more at each start (RFC
// 3414 2.2.2). It
// used to stay at 1: the state directory did not exist yet when the agent
// counted its boots there (SSH creates it later), so the first start could
// not save its count and the second one started at 1 again.
func TestEngineBootsGrow(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname boots\nusername admin secret letmein\nsnmp-server community public RO\n")
	agent := "udp:" + d.snmpAddr
	boots := func() string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			out, err := testproc.Output(exec.Command("snmpget", "-v2c", "-cpublic", "-t1", "-r0", "-Oqv", agent, "1.3.6.1.6.3.10.2.1.2.0"))
			if err == nil {
				return strings.TrimSpace(string(out))
			}
			if time.Now().After(deadline) {
				t.Fatalf("snmpEngineBoots: %v %s\nlog:\n%s", err, out, d.log)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	var got []string
	for i := 0; i < 3; i++ {
		if i > 0 {
			d.crash(t)
		}
		got = append(got, boots())
	}
	// A fresh state directory starts the count from the clock (seconds
	// since 2026), not 1: the engine ID outlives the directory, and a
	// receiver that cached a higher count would drop every v3 trap.
	first, err := strconv.Atoi(got[0])
	if err != nil || first < 1 || strings.Join(got, ",") != fmt.Sprintf("%d,%d,%d", first, first+1, first+2) {
		t.Fatalf("snmpEngineBoots over three starts: %v, want one more at each start", got)
	}
}

// snmpAsk runs one net-snmp request with net-snmp's own 1 s timeout and
// no retries; "AGENT" in args is replaced by the agent's address.
func snmpAsk(tool, agent string, args ...string) (string, error) {
	full := []string{"-t1", "-r0", "-Oqv"}
	for _, a := range args {
		if a == "AGENT" {
			a = agent
		}
		full = append(full, a)
	}
	out, err := testproc.CombinedOutput(exec.Command(tool, full...))
	return strings.TrimSpace(string(out)), err
}

// TestFaultSNMPDenyACL: a community whose access list denies the
// manager gets no answer at all, read or write; numbered and named,
// standard and extended lists all apply, and each refusal is counted in
// snmpInBadCommunityNames. The old agent turned the list's permits into
// prefixes and ignored its denies, so `access-list 11 deny any` let
// everyone in, RW included.
func TestFaultSNMPDenyACL(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname acltap
username admin secret letmein
access-list 11 deny any
access-list 12 deny host 127.0.0.2
access-list 12 permit any
snmp-server community public RO
snmp-server community blocked RW 11
snmp-server community notfrom2 RO 12
`)
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, "udp:"+d.snmpAddr)
	// The extended list names the agent's address and port, which the
	// test learns only now. The startup-config above is one the old
	// agent loaded, so that this test shows it answering the denied.
	ap := netip.MustParseAddrPort(d.snmpAddr)
	if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\nip access-list extended SNMP-RW\n 10 permit udp host 127.0.0.3 host %s eq %d\nsnmp-server community ext RW SNMP-RW\nend\n", ap.Addr(), ap.Port())); strings.Contains(out, "%") {
		t.Errorf("configuring SNMP-RW: %s", out)
	}
	badNames := func() int {
		t.Helper()
		out, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", "1.3.6.1.2.1.11.4.0")
		if err != nil {
			t.Fatalf("snmpInBadCommunityNames: %v %s", err, out)
		}
		n, err := strconv.Atoi(out)
		if err != nil {
			t.Fatalf("snmpInBadCommunityNames %q", out)
		}
		return n
	}
	before := badNames()
	sysName := "1.3.6.1.2.1.1.5.0"
	cases := []struct {
		what   string
		args   []string
		answer bool
	}{
		{"deny any, get", []string{"snmpget", "-v2c", "-cblocked", "AGENT", sysName}, false},
		{"deny any, v1 get", []string{"snmpget", "-v1", "-cblocked", "AGENT", sysName}, false},
		{"deny any, set", []string{"snmpset", "-v2c", "-cblocked", "AGENT", sysName, "s", "pwned"}, false},
		{"deny host, from that host", []string{"snmpget", "-v2c", "-cnotfrom2", "--clientaddr=127.0.0.2", "AGENT", sysName}, false},
		{"deny host, from another", []string{"snmpget", "-v2c", "-cnotfrom2", "--clientaddr=127.0.0.1", "AGENT", sysName}, true},
		{"extended permit, from its host", []string{"snmpget", "-v2c", "-cext", "--clientaddr=127.0.0.3", "AGENT", sysName}, true},
		{"extended, implicit deny", []string{"snmpget", "-v2c", "-cext", "--clientaddr=127.0.0.1", "AGENT", sysName}, false},
		{"extended, implicit deny, set", []string{"snmpset", "-v2c", "-cext", "--clientaddr=127.0.0.1", "AGENT", sysName, "s", "pwned"}, false},
	}
	refused := 0
	for _, c := range cases {
		out, err := snmpAsk(c.args[0], agent, c.args[1:]...)
		t.Logf("%s: %v %q", c.what, err, out)
		switch {
		case c.answer && (err != nil || out != `"acltap"`):
			t.Errorf("%s: want sysName, got %v %q", c.what, err, out)
		case !c.answer && (err == nil || !strings.Contains(out, "Timeout")):
			t.Errorf("%s: want no answer (Timeout), got %v %q", c.what, err, out)
		}
		if !c.answer {
			refused++
		}
	}
	if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != "hostname acltap\n" {
		t.Fatalf("a refused set changed the config: %q", got)
	}
	// Each entry counts the requests it decided (the implicit deny is
	// not shown, as on IOS).
	wantShow := fmt.Sprintf(`Standard IP access list 11
    10 deny   any (3 matches)
Standard IP access list 12
    10 deny   127.0.0.2 (1 match)
    20 permit any (1 match)
Extended IP access list SNMP-RW
    10 permit udp host 127.0.0.3 host %s eq %d (1 match)
`, ap.Addr(), ap.Port())
	if got := d.cli(t, "ios", "show access-lists\n"); got != wantShow {
		t.Errorf("show access-lists:\n%s\nwant:\n%s", got, wantShow)
	}
	got := badNames() - before
	faults.Figure(t, "snmp-deny-acl", "%d of %d requests refused without an answer, snmpInBadCommunityNames +%d", refused, len(cases), got)
	if got != refused {
		t.Errorf("snmpInBadCommunityNames went up by %d, want %d (one per refused request)", got, refused)
	}
}

// getBulkFlood sends GetBulk requests with a valid community from src to
// the agent at rate per second until stop closes, reading (and counting)
// the answers. Each asks for the whole MIB from the top, 1000
// repetitions of 8 columns: the most work a request can ask for.
func getBulkFlood(t *testing.T, src, agent string, rate int, stop <-chan struct{}) (sent, answered *atomic.Int64) {
	t.Helper()
	req := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: gosnmp.GetBulkRequest,
		MaxRepetitions: 1000, NonRepeaters: 0}
	for _, oid := range []string{".1.3.6.1.2.1.1", ".1.3.6.1.2.1.2", ".1.3.6.1.2.1.11", ".1.3.6.1.2.1.31", ".1.3.6.1.4.1.9.9.387", ".1.3.6.1.2.1.193", ".1.3.6.1.6.3", ".1.3"} {
		req.Variables = append(req.Variables, gosnmp.SnmpPDU{Name: oid, Type: gosnmp.Null})
	}
	msg, err := req.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(src+":0")), net.UDPAddrFromAddrPort(netip.MustParseAddrPort(agent)))
	if err != nil {
		t.Fatal(err)
	}
	sent, answered = &atomic.Int64{}, &atomic.Int64{}
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
			answered.Add(1)
		}
	}()
	go func() {
		defer conn.Close()
		// Paced in batches every millisecond: a steady rate, not what
		// the scheduler of a loaded machine happens to allow.
		start := time.Now()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			due := int64(time.Since(start).Seconds() * float64(rate))
			for sent.Load() < due {
				conn.Write(msg) // a full socket buffer drops: that is a flood
				sent.Add(1)
			}
		}
	}()
	return sent, answered
}

// TestFaultSNMPFlood: an NMS polling sysUpTime and a counter keeps
// getting every answer, with net-snmp's own 1 s timeout and no retries,
// while a Go sender floods the agent with maximal GetBulk requests, first
// from another address, then from the NMS's own address (another port).
// The old agent saturated at about 400 requests/s and lost 7 of 8 NMS
// polls. The poll latencies and the flood's figures are printed.
func TestFaultSNMPFlood(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname floodtap\nusername admin secret letmein\nsnmp-server community public RO\n")
	waitSNMP(t, "udp:"+d.snmpAddr)
	rate := faults.Pick(5000, 10000)
	duration := faults.Pick(5*time.Second, 30*time.Second)
	for _, phase := range []struct{ name, from string }{{"other-address", "127.0.0.2"}, {"same-address", "127.0.0.1"}} {
		stop := make(chan struct{})
		floodStart := time.Now()
		sent, answered := getBulkFlood(t, phase.from, d.snmpAddr, rate, stop)
		time.Sleep(500 * time.Millisecond) // the flood is on before the first poll
		var lat []time.Duration
		failed := 0
		for end := time.Now().Add(duration); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
			t0 := time.Now()
			out, err := snmpAsk("snmpget", "udp:"+d.snmpAddr, "-v2c", "-cpublic", "--clientaddr=127.0.0.1", "AGENT", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.11.1.0")
			dt := time.Since(t0)
			if err != nil {
				failed++
				t.Errorf("%s: NMS poll %d failed during the flood after %v: %v %s", phase.name, len(lat)+failed, dt, err, out)
				continue
			}
			lat = append(lat, dt)
		}
		close(stop)
		s, a, took := sent.Load(), answered.Load(), time.Since(floodStart)
		slices.Sort(lat)
		if len(lat) > 0 {
			faults.Figure(t, "snmp-flood-"+phase.name+"-poll-latency", "%d polls: min %v median %v max %v (net-snmp timeout 1 s, no retries; process start included)",
				len(lat), lat[0].Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
		}
		faults.Figure(t, "snmp-flood-"+phase.name, "%d GetBulk requests in %v from %s (%.0f/s), %d answered (%.0f/s)",
			s, took.Round(time.Millisecond), phase.from, float64(s)/took.Seconds(), a, float64(a)/took.Seconds())
		if failed > 0 || len(lat) == 0 {
			t.Fatalf("%s: %d of %d NMS polls got no answer during the flood", phase.name, failed, failed+len(lat))
		}
		if a == 0 {
			t.Fatalf("%s: the flooding socket got no answer at all: it is rate limited, not shut out", phase.name)
		}
		time.Sleep(time.Second) // the last answers drain before the next phase
	}
	// The operator sees it: logged once a minute, not per datagram.
	if n := strings.Count(d.log.String(), `msg="snmp: requests over the rate limit are dropped" from=127.0.0.2`); n != 1 {
		t.Errorf("the flood was logged %d times, want once:\n%s", n, d.log)
	}
}

// TestFaultSNMPv3SecretsAtRest: SNMPv3 users configured with passphrases over
// the CLI answer net-snmp (MD5/DES and SHA-256/AES); the passphrases are
// in no rendering (show running-config, the JunOS view), no file the
// daemon writes (startup-config, running copy, state) and not in its log;
// and `snmpget -v3` still works after the daemon is killed and restarted
// from its running copy, and after a clean restart from the saved
// startup-config alone.
func TestFaultSNMPv3SecretsAtRest(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname v3tap\nusername admin secret letmein\naccess-list 11 deny any\nsnmp-server community public RO\n")
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	const (
		authPass = "Aa-md5-auth-4711"
		privPass = "Pp-des-priv-0815"
		auth256  = "Sh-256-auth-2342"
		privAES  = "Ae-128-priv-1337"
	)
	out := d.cli(t, "ios", "configure terminal\nsnmp-server group NMS v3 priv\n"+
		"snmp-server user md5des NMS v3 auth md5 "+authPass+" priv des "+privPass+"\n"+
		"snmp-server user shaaes NMS v3 auth sha-256 "+auth256+" priv aes 128 "+privAES+"\n"+
		"snmp-server user fenced NMS v3 auth sha "+authPass+" access 11\nend\nwrite memory\n")
	if !strings.Contains(out, "[OK]") || strings.Contains(out, "%") {
		t.Fatalf("configuring the users:\n%s", out)
	}
	secrets := []string{authPass, privPass, auth256, privAES}
	v3get := func(when string) {
		t.Helper()
		for _, u := range []struct{ name, auth, ap, priv, pp string }{
			{"md5des", "MD5", authPass, "DES", privPass}, {"shaaes", "SHA-256", auth256, "AES", privAES},
		} {
			var got string
			var err error
			// The agent may still be coming up after a restart.
			for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
				got, err = snmpAsk("snmpget", agent, "-v3", "-l", "authPriv", "-u", u.name, "-a", u.auth, "-A", u.ap, "-x", u.priv, "-X", u.pp, "AGENT", "1.3.6.1.2.1.1.5.0")
				if err == nil || time.Now().After(deadline) {
					break
				}
			}
			if err != nil || got != `"v3tap"` {
				t.Fatalf("%s: snmpget -v3 as %s (%s/%s): %v %q\nlog:\n%s", when, u.name, u.auth, u.priv, err, got, d.log)
			}
		}
	}
	noSecrets := func(when string) {
		t.Helper()
		texts := map[string]string{
			"show running-config": d.cli(t, "ios", "show running-config\n"),
			"JunOS show":          d.cli(t, "junos", "show configuration\n"),
			"daemon log":          d.log.String(),
		}
		filepath.WalkDir(d.dir, func(path string, e os.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() && !strings.HasSuffix(path, ".sock") && e.Name() != "flowtapd" {
				b, _ := os.ReadFile(path)
				texts[path] = string(b)
			}
			return nil
		})
		for what, text := range texts {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("%s: %s shows the passphrase %q", when, what, s)
				}
			}
		}
		if !strings.Contains(texts[filepath.Join(d.dir, "startup-config")], "snmp-server user md5des NMS v3 encrypted auth md5 ") {
			t.Errorf("%s: the startup-config does not keep the user's keys:\n%s", when, texts[filepath.Join(d.dir, "startup-config")])
		}
		faults.Figure(t, "snmpv3-secrets-"+strings.Fields(when)[0], "%d texts (renderings, files, log) checked for %d passphrases", len(texts), len(secrets))
	}
	v3get("configured")
	noSecrets("configured")
	// A user whose access list denies the manager is, to that manager,
	// a user the box lacks.
	if out, err := snmpAsk("snmpget", agent, "-v3", "-l", "authNoPriv", "-u", "fenced", "-a", "SHA", "-A", authPass, "AGENT", "1.3.6.1.2.1.1.5.0"); err == nil || out != "snmpget: Unknown user name" {
		t.Errorf("a user with access 11 (deny any): %v %q, want net-snmp's Unknown user name", err, out)
	}
	d.crash(t)
	v3get("after a crash and restart from the running copy")
	// A clean stop, the running copy gone: the startup-config alone.
	d.cmd.Process.Signal(os.Interrupt)
	d.cmd.Wait()
	os.Remove(filepath.Join(d.dir, "running-config"))
	d.crash(t)
	v3get("after a restart from the startup-config")
	noSecrets("restarted")
}

// startTrapd runs snmptrapd on a free loopback port with conf added to
// its configuration, printing each notification on one line; lines
// returns what it printed so far.
func startTrapd(t *testing.T, conf string) (port uint16, lines func() string) {
	t.Helper()
	bin := collector.RequireTool(t, "snmptrapd", "snmptrapd")
	dir := t.TempDir()
	confFile := filepath.Join(dir, "snmptrapd.conf")
	if err := os.WriteFile(confFile, []byte("disableAuthorization yes\n"+conf), 0o600); err != nil {
		t.Fatal(err)
	}
	port = netip.MustParseAddrPort(freeUDP(t)).Port()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-f", "-Lo", "-n", "-C", "-c", confFile, "-m", "", "-On", fmt.Sprintf("udp:127.0.0.1:%d", port))
	cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=/nonexistent", "SNMP_PERSISTENT_DIR="+filepath.Join(dir, "state"))
	var out syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "NET-SNMP version"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("snmptrapd did not start:\n%s", out.String())
		}
	}
	return port, out.String
}

// TestSNMPAuthenticationFailureTrap: with `snmp-server enable traps snmp
// authentication`, each request with a wrong community, or from a source
// its access list denies, sends authenticationFailure to the configured
// host (snmptrapd), and is counted in snmpInBadCommunityNames.
// snmpEnableAuthenTraps reads that line, and setting it disabled(2)
// removes it: no more authenticationFailure.
func TestSNMPAuthenticationFailureTrap(t *testing.T) {
	testnet.Enter(t)
	port, trapLines := startTrapd(t, "")
	d := startDaemon(t, fmt.Sprintf(`hostname traptap
username admin secret letmein
access-list 11 deny any
snmp-server community public RO
snmp-server community blocked RO 11
snmp-server community private RW
snmp-server enable traps snmp authentication
snmp-server host 127.0.0.1 version 2c public udp-port %d
`, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	if got := d.cli(t, "ios", "show running-config | include traps\n"); got != "snmp-server enable traps snmp authentication\n" {
		t.Errorf("running-config: %q", got)
	}
	for _, community := range []string{"guess1", "blocked", "guess2"} {
		if out, err := snmpAsk("snmpget", agent, "-v2c", "-c"+community, "AGENT", "1.3.6.1.2.1.1.5.0"); err == nil {
			t.Fatalf("community %s was answered: %s", community, out)
		}
	}
	const authFailure = ".1.3.6.1.6.3.1.1.5.5"
	var n int
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if n = strings.Count(trapLines(), authFailure); n >= 3 || time.Now().After(deadline) {
			break
		}
	}
	if n != 3 {
		t.Fatalf("snmptrapd got %d authenticationFailure notifications, want 3:\n%s", n, trapLines())
	}
	if out, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", "1.3.6.1.2.1.11.4.0"); err != nil || out != "3" {
		t.Errorf("snmpInBadCommunityNames %q (%v), want 3", out, err)
	}
	// The JunOS persona's screen for the same counters.
	if got := d.cli(t, "junos", "show snmp statistics\n"); !strings.Contains(got, "Bad versions: 0, Bad community names: 3,\n") {
		t.Errorf("show snmp statistics (JunOS):\n%s", got)
	}

	const enableAuthenTraps = "1.3.6.1.2.1.11.30.0"
	if out, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", enableAuthenTraps); err != nil || out != "1" {
		t.Errorf("snmpEnableAuthenTraps %q (%v), want enabled(1)", out, err)
	}
	if out, err := snmpAsk("snmpset", agent, "-v2c", "-cprivate", "AGENT", enableAuthenTraps, "i", "2"); err != nil {
		t.Fatalf("set snmpEnableAuthenTraps disabled(2): %v\n%s", err, out)
	}
	if got := d.cli(t, "ios", "show running-config | include traps\n"); got != "" {
		t.Errorf("running-config after disabled(2): %q", got)
	}
	if out, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", enableAuthenTraps); err != nil || out != "2" {
		t.Errorf("snmpEnableAuthenTraps %q (%v) after the set, want disabled(2)", out, err)
	}
	time.Sleep(1100 * time.Millisecond) // past the one-a-second failure bucket
	snmpAsk("snmpget", agent, "-v2c", "-cguess3", "AGENT", "1.3.6.1.2.1.1.5.0")
	time.Sleep(time.Second)
	if n := strings.Count(trapLines(), authFailure); n != 3 {
		t.Errorf("with snmpEnableAuthenTraps disabled, snmptrapd got %d authenticationFailure, want still 3", n)
	}
}

// TestSNMPv3InformsToRemoteUser: informs to an SNMPv3 receiver, set up as
// on IOS (its engine ID, its user with passphrases, the informs host), are
// acknowledged by snmptrapd with that engine ID and user; the config keeps
// only the keys.
func TestSNMPv3InformsToRemoteUser(t *testing.T) {
	testnet.Enter(t)
	const remoteID = "80001f8805aabbccdd11223344"
	const authPass, privPass = "Inform-Auth-55", "Inform-Priv-66"
	port, trapLines := startTrapd(t, fmt.Sprintf("exactEngineID 0x%s\ncreateUser inf SHA-256 %s AES %s\n", remoteID, authPass, privPass))
	d := startDaemon(t, fmt.Sprintf(`hostname informtap
username admin secret letmein
snmp-server community public RO
snmp-server engineID remote 127.0.0.1 udp-port %d %s
snmp-server group NMS v3 priv
snmp-server user inf NMS remote 127.0.0.1 udp-port %d v3 auth sha-256 %s priv aes 128 %s
snmp-server enable traps
snmp-server host 127.0.0.1 informs version 3 priv inf udp-port %d
`, port, remoteID, port, authPass, privPass, port))
	waitSNMP(t, "udp:"+d.snmpAddr)
	const coldStart = ".1.3.6.1.6.3.1.1.5.1"
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(trapLines(), coldStart); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no coldStart inform at snmptrapd:\n%s\nlog:\n%s", trapLines(), d.log)
		}
	}
	if strings.Contains(d.log.String(), "not delivered") {
		t.Errorf("the daemon logged an undelivered notification:\n%s", d.log)
	}
	// The screens an operator checks the set-up with.
	if got, want := d.cli(t, "ios", "show snmp engineID\n"), fmt.Sprintf("Remote Engine ID          IP-addr    Port\n%s  127.0.0.1  %d\n", strings.ToUpper(remoteID), port); !strings.HasPrefix(got, "Local SNMP engineID: 80007ED9") || !strings.HasSuffix(got, want) {
		t.Errorf("show snmp engineID:\n%s\nwant the local engine, then\n%s", got, want)
	}
	if got, want := d.cli(t, "ios", "show snmp host\n"), fmt.Sprintf("Notification host: 127.0.0.1\tudp-port: %d\ttype: inform\nuser: inf\tsecurity model: v3 priv\n\n", port); got != want {
		t.Errorf("show snmp host:\n%q\nwant\n%q", got, want)
	}
	run := d.cli(t, "ios", "show running-config | include snmp-server user\n")
	if !strings.HasPrefix(run, fmt.Sprintf("snmp-server user inf NMS remote 127.0.0.1 udp-port %d v3 encrypted auth sha-256 ", port)) || strings.Contains(run, authPass) || strings.Contains(run, privPass) {
		t.Errorf("running-config: %q", run)
	}
}
