package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	dto "github.com/prometheus/client_model/go"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/faults"
	"github.com/flowtap/flowtap/internal/testnet"
)

// soakRounds is how many rounds of churn TestSoakChurn runs: FLOWTAP_SOAK
// gives the number (make soak sets it); unset, the test is skipped, as it
// takes about 20 s a round.
func soakRounds(t *testing.T) int {
	s := os.Getenv("FLOWTAP_SOAK")
	if s == "" {
		t.Skip("a soak of several minutes: make soak (FLOWTAP_SOAK=ROUNDS) runs it")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 4 {
		t.Fatalf("FLOWTAP_SOAK=%q: want a number of rounds, 4 or more", s)
	}
	return n
}

// soakSample is what a daemon holds after a round of churn, once its
// flows have expired and its sessions have closed: what a leak grows.
type soakSample struct {
	goroutines, fds    int
	heapInuse, rss     float64
	extras             int // capture entries in the pinned extras4/extras6 maps
	hashEntries        int // entries of every other pinned hash map
	logLines, hosts    int // show logging's buffer lines, show hosts' temp entries
	logBytes, logSize  int // the bytes of those lines, and the buffer's size
	sessions, activeFl int // show users' lines, the cache's active flows
}

func (s soakSample) String() string {
	return fmt.Sprintf("%d goroutines, %d fds, heap in use %.1f MB, RSS %.1f MB, %d capture entries, %d other hash map entries, %d log lines (%d of %d bytes), %d cached hosts, %d sessions, %d flows",
		s.goroutines, s.fds, s.heapInuse/1e6, s.rss/1e6, s.extras, s.hashEntries, s.logLines, s.logBytes, s.logSize, s.hosts, s.sessions, s.activeFl)
}

// pinnedHashEntries counts the entries of the hash maps pinned under dir:
// the capture extras apart from the rest.
func pinnedHashEntries(t *testing.T, dir string) (extras, other int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		m, err := ebpf.LoadPinnedMap(p, &ebpf.LoadPinOptions{ReadOnly: true})
		if err != nil {
			return nil // a program or a link, not a map
		}
		defer m.Close()
		if m.Type() != ebpf.Hash && m.Type() != ebpf.LRUHash {
			return nil
		}
		n := 0
		var k []byte
		for err := m.NextKey(nil, &k); err == nil; err = m.NextKey(k, &k) {
			n++
		}
		if strings.HasPrefix(e.Name(), "extras") {
			extras += n
		} else {
			other += n
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return extras, other
}

func metricValue(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil || len(f.Metric) == 0 {
		t.Fatalf("the endpoint has no %s", name)
	}
	if g := f.Metric[0].Gauge; g != nil {
		return g.GetValue()
	}
	return f.Metric[0].Counter.GetValue()
}

var logBufferRE = regexp.MustCompile(`Log Buffer \((\d+) bytes\):\n\n`)

// logBuffered reads show logging's buffer: its lines, their bytes and
// the size the buffer keeps.
func logBuffered(t *testing.T, screen string) (lines, bytes, size int) {
	t.Helper()
	loc := logBufferRE.FindStringSubmatchIndex(screen)
	if loc == nil {
		t.Fatalf("no Log Buffer line on show logging:\n%s", screen)
	}
	size, _ = strconv.Atoi(screen[loc[2]:loc[3]])
	for _, l := range strings.Split(strings.TrimRight(screen[loc[1]:], "\n"), "\n") {
		if l != "" {
			lines++
			bytes += len(l)
		}
	}
	return lines, bytes, size
}

var activeFlowsRE = regexp.MustCompile(`(?m)^\s*(\d+) active,`)

// TestSoakChurn is a box left up under what operators and networks do to
// it, round after round: new flows metered and expired (with capture
// fields, so each has an extras entry), SSH logins and logouts with the
// OpenSSH client, SNMP walks and bulk walks with net-snmp (v2c, and v3
// with a wrong password now and then), configuration changes (a
// destination added and removed, a timeout changed, a prefix aggregation
// cache added, its masks changed, and removed), a collector that goes
// away and comes back, `clear` commands and Prometheus scrapes. After each round, once the flows have
// expired and the sessions closed, it samples the daemon's goroutines,
// descriptors, heap, pinned hash maps, log buffer, host cache and
// sessions: anything that grows round after round is a leak. The first
// round is the baseline (it opens what the daemon keeps for good: the SSH
// host key, the SNMP reading caches).
func TestSoakChurn(t *testing.T) {
	rounds := soakRounds(t)
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	away, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	awayAddr := away.LocalAddr().String()
	awayPort := away.LocalAddr().(*net.UDPAddr).Port
	metrics := freeTCP(t)[len("127.0.0.1:"):]
	d := startDaemon(t, fmt.Sprintf(`hostname soak
username admin privilege 15 secret adminpass
snmp-server community public RO
snmp-server group NMS v3 priv
snmp-server user soaknms NMS v3 auth sha soakauth123 priv aes 128 soakpriv123
logging buffered 8192
ip flow-cache timeout active 1
ip flow-cache timeout inactive 10
ip flow-capture packet-length
ip flow-capture ip-id
ip host soakcoll 127.0.0.1
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
ip http metrics port %s
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port(), metrics))
	pins := d.argValue(t, "--pin-dir")
	agent := "udp:" + d.snmpAddr

	sample := func(round int) soakSample {
		var s soakSample
		// Flows first: every flow of the round expires (inactive 10 s),
		// and its capture entry with it.
		for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			m := activeFlowsRE.FindStringSubmatch(d.cli(t, "ios", "show ip cache flow | include active,\n"))
			if m == nil {
				t.Fatalf("round %d: no active count on show ip cache flow", round)
			}
			s.activeFl, _ = strconv.Atoi(m[1])
			if s.activeFl == 0 || time.Now().After(deadline) {
				break
			}
		}
		s.extras, s.hashEntries = pinnedHashEntries(t, pins)
		fams := scrapeMetrics(t, "127.0.0.1", metrics)
		s.goroutines = int(metricValue(t, fams, "go_goroutines"))
		s.heapInuse = metricValue(t, fams, "go_memstats_heap_inuse_bytes")
		s.rss = metricValue(t, fams, "process_resident_memory_bytes")
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", d.cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		s.fds = len(fds)
		s.logLines, s.logBytes, s.logSize = logBuffered(t, d.cli(t, "ios", "show logging\n"))
		s.hosts = strings.Count(d.cli(t, "ios", "show hosts\n"), " temp ")
		s.sessions = strings.Count(d.cli(t, "ios", "show users\n"), "\n")
		return s
	}

	churn := func(round int) {
		// Flows: 300 new ones a round, each with a capture entry.
		frames := make([][]byte, 300)
		for i := range frames {
			frames[i] = udpFrame([4]byte{10, byte(round), byte(i >> 8), byte(i)}, uint16(2000+i), 64+i%200)
		}
		v.Send(t, frames)
		// Each new flow has its capture entry (else the check that none
		// is left would prove nothing).
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			if x, _ := pinnedHashEntries(t, pins); x >= len(frames) {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("round %d: %d capture entries for %d new flows", round, x, len(frames))
			}
		}
		// Logins and logouts, with OpenSSH, under the per-source rate.
		for i := 0; i < 3; i++ {
			if out, err := openSSH(t, d.sshAddr, "admin", "adminpass", i == 0, "show users\nexit\n"); err != nil || !strings.Contains(out, "admin") {
				t.Fatalf("round %d: login %d: %v\n%s", round, i, err, out)
			}
			time.Sleep(300 * time.Millisecond)
		}
		// Walks and bulk walks, paced under the agent's rate limit.
		for _, w := range [][]string{
			{"snmpwalk", "1.3.6.1.4.1.9.9.387"},
			{"snmpbulkwalk", "1.3.6.1.2.1.2"},
			{"snmpbulkwalk", "1.3.6.1.2.1.25"},
		} {
			if _, err := snmpAsk(w[0], agent, "-v2c", "-cpublic", "AGENT", w[1]); err != nil {
				t.Errorf("round %d: %s %s: %v", round, w[0], w[1], err)
			}
			time.Sleep(time.Second)
		}
		// And an SNMPv3 manager (USM, authPriv), with a wrong password
		// now and then (a Report, a failure counted).
		if _, err := snmpAsk("snmpbulkwalk", agent, "-v3", "-l", "authPriv", "-u", "soaknms", "-a", "SHA", "-A", "soakauth123",
			"-x", "AES", "-X", "soakpriv123", "AGENT", "1.3.6.1.2.1.1"); err != nil {
			t.Errorf("round %d: SNMPv3 walk: %v", round, err)
		}
		snmpAsk("snmpget", agent, "-v3", "-l", "authPriv", "-u", "soaknms", "-a", "SHA", "-A", "wrongpass123",
			"-x", "AES", "-X", "soakpriv123", "AGENT", "1.3.6.1.2.1.1.5.0")
		time.Sleep(time.Second)
		// The second collector goes away (its socket closed: the exporter
		// meets port unreachable) while configured, and comes back.
		away.Close()
		for _, script := range []string{
			fmt.Sprintf("configure terminal\nip flow-export destination 127.0.0.1 %d\nend\n", awayPort),
			fmt.Sprintf("configure terminal\nip flow-cache timeout inactive %d\nend\n", 11+round%2),
			fmt.Sprintf("configure terminal\nip flow-aggregation cache prefix\n mask source minimum %d\n export destination %s %d\n enabled\nend\n", 8+round%17, capd.Addr.Addr(), capd.Addr.Port()),
			fmt.Sprintf("configure terminal\nip flow-aggregation cache prefix\n mask destination minimum %d\nend\n", 16+round%9),
			"configure terminal\nip flow-export destination soakcoll 2999\nend\n",
		} {
			if out := d.cli(t, "ios", script); strings.Contains(out, "%") {
				t.Fatalf("round %d: refused:\n%s", round, out)
			}
		}
		v.Send(t, frames[:50])
		time.Sleep(2 * time.Second)
		if away, err = net.ListenPacket("udp", awayAddr); err != nil {
			t.Fatalf("round %d: the collector cannot come back: %v", round, err)
		}
		time.Sleep(time.Second)
		for _, script := range []string{
			"configure terminal\nno ip flow-aggregation cache prefix\nend\n",
			fmt.Sprintf("configure terminal\nno ip flow-export destination 127.0.0.1 %d\nend\n", awayPort),
			"configure terminal\nno ip flow-export destination soakcoll 2999\nend\n",
			"configure terminal\nip flow-cache timeout inactive 10\nend\n",
			"clear ip flow stats\n",
			"clear counters\n\n",
			"clear host *\n",
		} {
			if out := d.cli(t, "ios", script); strings.Contains(out, "% Invalid") {
				t.Fatalf("round %d: refused %q:\n%s", round, script, out)
			}
		}
	}

	var samples []soakSample
	for round := range rounds {
		churn(round)
		s := sample(round)
		samples = append(samples, s)
		faults.Figure(t, fmt.Sprintf("soak round %d", round), "%s", s)
	}
	away.Close()

	// Strict: once the round's sessions, flows and exporters are gone, the
	// daemon holds what it held after the first round, give or take the
	// goroutines a session still closing has.
	base := samples[0]
	for i, s := range samples[1:] {
		r := i + 1
		if s.activeFl != 0 {
			t.Errorf("round %d: %d flows never expired", r, s.activeFl)
		}
		if s.extras != 0 {
			t.Errorf("round %d: %d capture entries left after every flow expired", r, s.extras)
		}
		if s.hashEntries > base.hashEntries {
			t.Errorf("round %d: %d pinned hash map entries, %d after the first round", r, s.hashEntries, base.hashEntries)
		}
		if s.fds > base.fds {
			t.Errorf("round %d: %d descriptors, %d after the first round", r, s.fds, base.fds)
		}
		if s.sessions > base.sessions {
			t.Errorf("round %d: show users lists %d lines, %d after the first round", r, s.sessions, base.sessions)
		}
		if s.hosts > base.hosts+1 {
			t.Errorf("round %d: %d cached hosts, %d after the first round", r, s.hosts, base.hosts)
		}
	}
	// Goroutines and the log buffer are bounded; a leak of one goroutine a
	// round shows as a steady climb over the rounds.
	last := samples[len(samples)-1]
	if last.goroutines > base.goroutines+4 {
		t.Errorf("goroutines grew from %d after the first round to %d after round %d", base.goroutines, last.goroutines, rounds-1)
	}
	for i, s := range samples {
		if s.logBytes > s.logSize {
			t.Errorf("round %d: show logging holds %d bytes in a buffer of %d", i, s.logBytes, s.logSize)
		}
	}
	// The heap: the garbage collector makes any one reading noisy; a leak
	// is the later half's least reading above the first half's greatest
	// by more than that noise.
	half := len(samples) / 2
	var early, late float64
	for i, s := range samples {
		if i < half {
			early = max(early, s.heapInuse)
		} else if late == 0 || s.heapInuse < late {
			late = s.heapInuse
		}
	}
	faults.Figure(t, "soak heap", "greatest of the first %d rounds %.1f MB, least of the last %d %.1f MB", half, early/1e6, len(samples)-half, late/1e6)
	if late > early*1.25+2e6 {
		t.Errorf("the heap grew: at least %.1f MB in use over the last rounds, at most %.1f MB over the first", late/1e6, early/1e6)
	}
}
