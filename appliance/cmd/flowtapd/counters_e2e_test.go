package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// counterReading is every counter an operator can read, keyed by where it
// is read: "cli ..." screens, "snmp OID" (Counter32 and Counter64 only),
// "prom NAME{labels}" (counter metrics only) and "sum prom NAME" over
// their labels. disc holds the IPFIX-MIB discontinuity times; dp is `show
// ip flow datapath | json`, for the identities.
type counterReading struct {
	c    map[string]uint64
	disc map[string]string
	dp   map[string]uint64
}

// ipfixStats is IPFIX-MIB's ipfixStatistics: tables whose rows each end
// with a discontinuity time (its column by table in ipfixDiscColumn).
const ipfixStats = ".1.3.6.1.2.1.193.1.2."

var ipfixDiscColumn = map[string]string{"1": "9", "2": "2", "3": "4", "4": "3"}

// ipfixRowDisc is the discontinuity time OID of the IPFIX-MIB row that
// counter oid is in ("" outside those tables).
func ipfixRowDisc(oid string) string {
	rest, ok := strings.CutPrefix(oid, ipfixStats)
	if !ok {
		return ""
	}
	p := strings.SplitN(rest, ".", 4) // table, entry (1), column, index
	if len(p) < 4 || ipfixDiscColumn[p[0]] == "" {
		return ""
	}
	return ipfixStats + p[0] + "." + p[1] + "." + ipfixDiscColumn[p[0]] + "." + p[3]
}

// readCounters reads every screen, MIB subtree and metric that holds a
// counter.
func readCounters(t *testing.T, d *runningDaemon, agent, metricsPort, port string) counterReading {
	t.Helper()
	r := counterReading{c: map[string]uint64{}, disc: map[string]string{}, dp: map[string]uint64{}}
	var dp map[string]any
	out := d.cli(t, "ios", "show ip flow datapath | json\n")
	if err := json.Unmarshal([]byte(out), &dp); err != nil {
		t.Fatalf("show ip flow datapath | json: %v\n%s", err, out)
	}
	for k, v := range dp {
		switch v := v.(type) {
		case float64:
			r.dp[k] = uint64(v)
		case []any:
			for _, u := range v {
				if m, ok := u.(map[string]any); ok {
					r.dp["unparsed "+fmt.Sprint(m["name"])] = uint64(m["count"].(float64))
				}
			}
		}
	}
	for k, v := range r.dp {
		if k == "batch_pending" {
			continue // a gauge: packets in the batch buffers now
		}
		r.c["cli datapath "+k] = v
	}
	num := func(key, screen, re string) {
		m := regexp.MustCompile(re).FindStringSubmatch(screen)
		if m == nil {
			t.Fatalf("%s: no %q in\n%s", key, re, screen)
		}
		r.c[key], _ = strconv.ParseUint(m[1], 10, 64)
	}
	cache := d.cli(t, "ios", "show ip cache flow | include total packets|added|ager polls|^Total:\n")
	num("cli cache histogram total", cache, `\((\d+) total packets\)`)
	num("cli cache added", cache, `(\d+) added`)
	num("cli cache ager polls", cache, `(\d+) ager polls`)
	num("cli cache alloc failures", cache, `(\d+) flow alloc failures`)
	num("cli cache total flows", cache, `Total:\s+(\d+)`)
	exp := d.cli(t, "ios", "show ip flow export\n")
	for _, blk := range strings.Split(exp, "Destination")[1:] {
		dst := strings.Fields(blk)[0]
		for _, f := range regexp.MustCompile(`(\d+) ([a-z ]+)`).FindAllStringSubmatch(blk, -1) {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			r.c["cli export "+dst+" "+strings.TrimSpace(f[2])] = n
		}
	}
	for _, m := range regexp.MustCompile(`(\d+) flows exported in (\d+) udp datagrams`).FindAllStringSubmatch(exp, -1) {
		n, _ := strconv.ParseUint(m[1], 10, 64)
		r.c["cli export total flows exported"] += n
	}
	// The cache's flows no destination sent, each once: lost by every
	// destination, or for want of an export packet.
	for _, re := range []string{`(\d+) flows \(\d+ packets\) were not exported, every destination lost them`, `(\d+) flows failed due to lack of export packet`} {
		if m := regexp.MustCompile(re).FindStringSubmatch(exp); m != nil {
			n, _ := strconv.ParseUint(m[1], 10, 64)
			r.c["cli export total flows not exported"] += n
		}
	}
	smp := d.cli(t, "ios", "show flow-sampler\n")
	for _, m := range regexp.MustCompile(`Sampler : (\S+), id : \d+, packets matched : (\d+)`).FindAllStringSubmatch(smp, -1) {
		r.c["cli sampler "+m[1]], _ = strconv.ParseUint(m[2], 10, 64)
	}
	acl := d.cli(t, "ios", "show access-lists 101\n")
	num("cli acl 101", acl+" (0 matches)", `\((\d+) matches\)`)
	pol := d.cli(t, "ios", "show policy-map interface "+port+"\n")
	for _, m := range regexp.MustCompile(`Class-map: (\S+)[^\n]*\n\s+(\d+) packets`).FindAllStringSubmatch(pol, -1) {
		r.c["cli policy class "+m[1]], _ = strconv.ParseUint(m[2], 10, 64)
	}
	if _, ok := r.c["cli policy class class-default"]; !ok && strings.Contains(pol, "Service-policy") {
		t.Fatalf("show policy-map interface has no class-default:\n%s", pol)
	}
	ifs := d.cli(t, "ios", "show interfaces "+port+"\n")
	num("cli interface packets input", ifs, `(\d+) packets input`)
	for _, tree := range []string{"1.3.6.1.4.1.32473.1", "1.3.6.1.4.1.9.9.387.1", "1.3.6.1.2.1.193.1.2"} {
		for _, l := range strings.Split(snmpTool(t, "snmpwalk", "-v2c", "-cpublic", "-On", agent, tree), "\n") {
			oid, val, ok := strings.Cut(l, " = ")
			if !ok {
				continue
			}
			typ, v, _ := strings.Cut(val, ": ")
			switch {
			case oid == ".1.3.6.1.4.1.9.9.387.1.4.2.0":
				// cnfESExportRate: bytes per second, which goes down when
				// the export slows, whatever the MIB's Counter32 says.
			case typ == "Counter32" || typ == "Counter64":
				r.c["snmp "+oid], _ = strconv.ParseUint(v, 10, 64)
			case typ == "Timeticks" && strings.HasPrefix(oid, ipfixStats):
				r.disc[oid] = v
			}
		}
	}
	for name, f := range scrapeMetrics(t, "127.0.0.2", metricsPort) {
		if f.GetType() != dto.MetricType_COUNTER {
			continue
		}
		for _, m := range f.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			r.c["prom "+name+"{"+strings.Join(labels, ",")+"}"] = uint64(m.Counter.GetValue())
			r.c["sum prom "+name] += uint64(m.Counter.GetValue())
		}
	}
	return r
}

// checkIdentity checks the datapath's accounting: every frame is
// unparsed, not passed by the input filter (class-default), sampled out
// or metered.
func checkIdentity(t *testing.T, when string, r counterReading) {
	t.Helper()
	var unparsed uint64
	for k, v := range r.dp {
		if strings.HasPrefix(k, "unparsed ") {
			unparsed += v
		}
	}
	dp, filtered := r.dp, r.c["cli policy class class-default"]
	if dp["frames"] != unparsed+filtered+dp["sampled_out"]+dp["metered_packets"] {
		t.Errorf("%s: frames %d != unparsed %d + filtered out %d + sampled out %d + metered %d", when,
			dp["frames"], unparsed, filtered, dp["sampled_out"], dp["metered_packets"])
	}
}

// checkMonotonic fails on every counter present in both readings that
// went back, unless allowed says it may, or it is an IPFIX-MIB counter
// whose row's discontinuity time moved where moves says it may (the MIB's
// way to say a row started over); and on every discontinuity time that
// moved where moves does not say it may.
func checkMonotonic(t *testing.T, when string, a, b counterReading, allowed, moves func(string) bool) {
	t.Helper()
	may := func(f func(string) bool, k string) bool { return f != nil && f(k) }
	for _, k := range slices.Sorted(maps.Keys(a.c)) {
		nv, ok := b.c[k]
		if !ok || nv >= a.c[k] || may(allowed, k) {
			continue
		}
		if disc := ipfixRowDisc(strings.TrimPrefix(k, "snmp ")); disc != "" && a.disc[disc] != b.disc[disc] && may(moves, disc) {
			continue
		}
		t.Errorf("%s: %s went back from %d to %d", when, k, a.c[k], nv)
	}
	for _, k := range slices.Sorted(maps.Keys(a.disc)) {
		if nv, ok := b.disc[k]; ok && nv != a.disc[k] && !may(moves, k) {
			t.Errorf("%s: discontinuity %s moved from %s to %s", when, k, a.disc[k], nv)
		}
	}
}

// TestCountersSurviveConfigChanges: traffic flows through an input filter
// (a policy class with a flow-sampler-map, class-default not metered)
// while the operator makes each change below; after each, no counter of
// any screen, MIB or metric went back, no IPFIX-MIB discontinuity time
// moved (but a template's, on a change that rebuilds the templates), and
// frames = unparsed + filtered + sampled out + metered. Once the cache is
// empty, every metered packet is in an expired flow or a creation
// failure, the flows exported and not exported are the flows ended (each
// flow once, however many destinations it went to: the flows that go
// idle while two are configured expire into both), and nfcapd holds
// every metered packet. `clear ip flow stats` and `clear
// access-list counters` then zero the cache's, export's and ACL's
// screens (and the MIB rows that mirror them, the IPFIX-MIB sessions and
// templates, whose discontinuity moves) and nothing else.
func TestCountersSurviveConfigChanges(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	capd2 := collector.StartNfcapd(t)
	metricsPort := strings.TrimPrefix(freeTCP(t), "127.0.0.1:")
	d := startDaemon(t, fmt.Sprintf(`hostname ctrs
username admin privilege 15 secret letmein
snmp-server community public RO
access-list 10 permit 127.0.0.2
access-list 101 permit udp 10.1.0.0 0.0.127.255 any
flow-sampler-map HALF
 mode random one-out-of 2
class-map match-all LOW
 match access-group 101
policy-map NF
 class LOW
  netflow-sampler HALF
ip flow-cache entries 65536
ip flow-cache timeout inactive 10
interface %s
 ip flow ingress
 service-policy input NF
!
ip flow-export version 9
ip flow-export destination %s %d
ip http metrics port %s access-class 10
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port(), metricsPort))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	read := func() counterReading { return readCounters(t, d, agent, metricsPort, v.Mon) }
	dest2 := fmt.Sprintf("ip flow-export destination %s %d", capd2.Addr.Addr(), capd2.Addr.Port())
	// A change of what the options templates carry (a sampler, the
	// timeouts, the overload sampler) rebuilds the exporter's templates:
	// their rows may start over, saying so; the session's counters go on.
	templates := func(oid string) bool { return strings.HasPrefix(oid, ipfixStats+"2.") }
	changes := []struct {
		name, cfg string
		moves     func(string) bool
		seconds   int // of traffic around the change; 0: 2
		// idle says to wait, after the change, for the step's flows to
		// go idle and expire under the new configuration.
		idle bool
	}{
		{"cache resized bigger", "ip flow-cache entries 131072", nil, 0, false},
		{"cache resized smaller", "ip flow-cache entries 32768", nil, 0, false},
		{"sampler changed", "flow-sampler-map HALF\n mode random one-out-of 4", templates, 0, false},
		// The flows go idle, and expire, into both destinations: the
		// totals count each once (they added the destinations').
		{"export destination added", dest2, nil, 0, true},
		{"export destination removed", "no " + dest2, nil, 0, false},
		{"aging timeouts changed", "ip flow-cache timeout inactive 15\nip flow-cache timeout active 2", templates, 0, false},
		{"overload protection on", "ip flow-cache overload-protection threshold 1 max-rate 4", templates, 0, false},
		// A cache too small for the traffic: creation failures, and the
		// overload sampler on; then a resize while it samples.
		{"cache resized too small", "ip flow-cache entries 1024", nil, 6, false},
		{"cache resized while overloaded", "ip flow-cache entries 2048", nil, 6, false},
		{"overload protection off", "no ip flow-cache overload-protection", templates, 0, false},
		{"cache resized after the sampler change", "ip flow-cache entries 65536", nil, 0, false},
	}
	const rate = 4000
	// A first burst, so that every counter has counted before the first
	// change.
	sent := startTrafgen(t, v, trafgenFlows, rate, rate).wait(t)
	time.Sleep(500 * time.Millisecond)
	prev := read()
	checkIdentity(t, "before the changes", prev)
	for _, c := range changes {
		secs := max(c.seconds, 2)
		g := startTrafgen(t, v, trafgenFlows, secs*rate, rate)
		time.Sleep(time.Duration(secs-1) * time.Second)
		if out := d.cli(t, "ios", "configure terminal\n"+c.cfg+"\nend\n"); strings.Contains(out, "%") {
			t.Fatalf("%s: %s", c.name, out)
		}
		sent += g.wait(t)
		time.Sleep(500 * time.Millisecond)
		if c.idle {
			// The inactive timeout (10 s) and an ager pass.
			time.Sleep(11500 * time.Millisecond)
		}
		cur := read()
		checkMonotonic(t, c.name, prev, cur, nil, c.moves)
		checkIdentity(t, "after "+c.name, cur)
		prev = cur
	}
	if f := prev.dp["frames"]; f != sent {
		t.Errorf("the datapath saw %d frames; trafgen sent %d", f, sent)
	}
	// The small cache refused flows and overload protection sampled: the
	// resize under it carried the overload sampler's counts.
	t.Logf("%d creation failures, %d left out for overload", prev.dp["create_fail_packets"], prev.dp["overload_sampled_out"])
	if prev.dp["create_fail_packets"] == 0 || prev.dp["overload_sampled_out"] == 0 {
		t.Errorf("the small cache refused %d packets and overload protection left out %d: the overload steps tested nothing",
			prev.dp["create_fail_packets"], prev.dp["overload_sampled_out"])
	}

	// Every metered packet is in an expired flow or a creation failure;
	// every expired flow was exported or counted as lost.
	waitCacheEmpty(t, d, agent, 120*time.Second)
	end := read()
	checkMonotonic(t, "draining", prev, end, nil, nil)
	checkIdentity(t, "at the end", end)
	expiredPkts := end.c["sum prom flowtap_cache_protocol_packets_total"]
	if metered := end.dp["metered_packets"]; expiredPkts+end.dp["create_fail_packets"] != metered {
		t.Errorf("expired flows hold %d packets + %d creation failures; the datapath metered %d", expiredPkts, end.dp["create_fail_packets"], metered)
	}
	ended := end.c["cli cache total flows"]
	if end.c["cli cache added"] != ended {
		t.Errorf("the cache added %d flows and expired %d, none active", end.c["cli cache added"], ended)
	}
	if exported, not := end.c["cli export total flows exported"], end.c["cli export total flows not exported"]; exported+not != ended {
		t.Errorf("%d flows exported + %d not exported; %d flows ended", exported, not, ended)
	}
	if exported := end.c["snmp .1.3.6.1.4.1.9.9.387.1.4.3.0"]; exported != end.c["cli export total flows exported"] {
		t.Errorf("cnfESRecordsExported %d; show ip flow export %d flows exported", exported, end.c["cli export total flows exported"])
	}
	if got, _ := capd.Stop(t); got.Total().Packets != expiredPkts {
		t.Errorf("nfcapd holds %d packets; the expired flows %d", got.Total().Packets, expiredPkts)
	}
	t.Logf("%d frames sent; %d metered, %d sampled out, %d filtered out; %d flows ended, %d exported",
		sent, end.dp["metered_packets"], end.dp["sampled_out"], end.c["cli policy class class-default"], ended, end.c["cli export total flows exported"])

	// clear ip flow stats zeroes the cache's statistics, its size
	// distribution and the export screen, and the MIB rows and metrics
	// that mirror them (cnfPSProtocolStatTable, the IPFIX-MIB sessions,
	// whose discontinuity moves); clear access-list counters the ACL's
	// and its input filter's selection process (IPFIX-MIB, discontinuity
	// moved).
	// The datapath, the samplers and the rest go on.
	time.Sleep(1100 * time.Millisecond) // a TimeTick apart at least
	d.cli(t, "ios", "clear ip flow stats\nclear access-list counters\n")
	cl := read()
	for _, k := range []string{"cli cache histogram total", "cli cache added", "cli cache total flows", "cli acl 101", "cli export total flows exported"} {
		if cl.c[k] != 0 {
			t.Errorf("after the clears, %s is %d", k, cl.c[k])
		}
	}
	cleared := func(k string) bool {
		for _, p := range []string{"cli cache ", "cli export ", "cli acl ", "prom flowtap_cache_", "sum prom flowtap_cache_",
			"snmp .1.3.6.1.4.1.9.9.387.1.5.3."} {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
		return false
	}
	sessions := func(oid string) bool {
		return strings.HasPrefix(oid, ipfixStats+"1.") || strings.HasPrefix(oid, ipfixStats+"3.")
	}
	filters := func(oid string) bool { return strings.HasPrefix(oid, ipfixStats+"4.1.3.1.1001.") }
	checkMonotonic(t, "clear ip flow stats", end, cl, cleared, func(oid string) bool { return sessions(oid) || templates(oid) || filters(oid) })
	moved, tmoved := 0, 0
	for k, was := range end.disc {
		if sessions(k) && cl.disc[k] != was {
			moved++
		}
		if templates(k) && cl.disc[k] != was {
			tmoved++
		}
	}
	if moved == 0 || tmoved == 0 {
		t.Errorf("clear ip flow stats moved %d IPFIX-MIB session and %d template discontinuity times: %v -> %v", moved, tmoved, end.disc, cl.disc)
	}
}

// TestRestartKeepsDatapathCounters: the meter's counters live in a pinned
// map, so a flowtapd restarted over the pinned state (a stop with
// --keep-metering, or a crash) goes on from them, counting what was
// metered while no daemon ran; an orderly stop leaves the map pinned too,
// so they go on after it as well. (What lives in the daemon or in maps
// that are not pinned starts over with the process and sysUpTime, as on a
// router's reload: docs/architecture.md, "Counters across changes".)
func TestRestartKeepsDatapathCounters(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname rst
username admin secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
`, v.Mon))
	agent := "udp:" + d.snmpAddr
	send := func(n int) { v.Send(t, udpFrames([4]byte{10, 0, 0, 1}, 4000, n)) }
	frames := func(want uint64) {
		t.Helper()
		line := fmt.Sprintf("  %d frames seen", want)
		if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", line+fmt.Sprintf(" (%d bytes)\n", want*52)); !strings.HasPrefix(got, line) {
			t.Errorf("show ip flow datapath: %q, want %d frames", got, want)
		}
		waitSNMP(t, agent)
		if n := snmpCounter(t, agent, oidDpFrames); n != want {
			t.Errorf("flowtapDpFrames %d, want %d", n, want)
		}
	}
	send(5)
	frames(5)
	// An orderly stop detaches the port, but the counters stay pinned.
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	frames(5)
	send(3)
	frames(8)
	// With --keep-metering the port meters while no daemon runs, and the
	// next one counts on from there.
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	send(4)
	d.start(t)
	frames(12)
	d.crash(t)
	send(1)
	frames(13)
}

// TestRestartWithAnotherCacheSizeOverOlderPins: a daemon that boots with
// another cache size over pins of a version without one of the counter
// maps the meter keeps (here `stats`, all `show ip flow datapath` reads;
// capture_full and subifs are as new to pins of a version before them)
// makes that map anew, and pins it: what it counts from then on is still
// counted after the next restart. The resize loads with pinning off, and
// a map it made and left unpinned counted from 0 again at the next start,
// without a clear.
func TestRestartWithAnotherCacheSizeOverOlderPins(t *testing.T) {
	v := testnet.Enter(t)
	cfg := func(entries int) string {
		return fmt.Sprintf(`hostname oldpins
username admin secret letmein
ip flow-cache entries %d
interface %s
 ip flow ingress
!
`, entries, v.Mon)
	}
	d := startDaemon(t, cfg(4096))
	send := func(n int) { v.Send(t, udpFrames([4]byte{10, 0, 0, 1}, 4000, n)) }
	frames := func(want uint64) {
		t.Helper()
		line := fmt.Sprintf("  %d frames seen (%d bytes)\n", want, want*52)
		if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", line); got != line {
			t.Errorf("show ip flow datapath: %q, want %q", got, line)
		}
	}
	send(5)
	frames(5)
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	// As a version without these maps left the pin directory.
	pin := d.argValue(t, "--pin-dir")
	for _, name := range []string{"stats", "capture_full", "subifs"} {
		if err := os.Remove(filepath.Join(pin, name)); err != nil {
			t.Fatal(err)
		}
	}
	// Boot from a startup-config with another size (no running copy).
	if err := os.WriteFile(filepath.Join(d.dir, "startup-config"), []byte(cfg(8192)), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(d.dir, "running-config"))
	d.start(t)
	frames(0) // the older pins had no such map: it starts here
	send(3)
	frames(3)
	for _, name := range []string{"stats", "capture_full", "subifs"} {
		if _, err := os.Stat(filepath.Join(pin, name)); err != nil {
			t.Errorf("%s not pinned after the start with another cache size: %v", name, err)
		}
	}
	d.stopAndStart(t, syscall.SIGTERM)
	frames(3)
	// The cache's statistics go on too (the flow of the 3 frames, which
	// the orderly stop exported): the daemon restores them only over the
	// stats map it saved them beside (cachestats.go).
	const added = "  0 active, 8192 inactive, 1 added\n"
	if got := d.cliUntil(t, "ios", "show ip cache flow | include inactive,\n", added); got != added {
		t.Errorf("show ip cache flow after the restart: %q, want %q", got, added)
	}
	send(2)
	frames(5)
}

// TestCountersSurviveMaskChange: on a PFC3BXL persona, where the flow
// mask is configured (`mls flow ip`) and a change purges the table, each
// change while traffic flows leaves every counter where it was or above,
// the purged flows are counted as expired as well as exported, and every
// metered packet reaches nfcapd.
func TestCountersSurviveMaskChange(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	metricsPort := strings.TrimPrefix(freeTCP(t), "127.0.0.1:")
	d := startDaemon(t, fmt.Sprintf(`hostname pfcmask
username admin privilege 15 secret letmein
snmp-server community public RO
access-list 10 permit 127.0.0.2
platform pfc3bxl
mls flow ip interface-full
mls nde sender
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
ip http metrics port %s access-class 10
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port(), metricsPort))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	read := func() counterReading { return readCounters(t, d, agent, metricsPort, v.Mon) }
	const rate = 4000
	sent := startTrafgen(t, v, trafgenFlows, rate, rate).wait(t)
	time.Sleep(500 * time.Millisecond)
	prev := read()
	checkIdentity(t, "before the changes", prev)
	for _, mask := range []string{"destination", "full", "interface-full"} {
		g := startTrafgen(t, v, trafgenFlows, 2*rate, rate)
		time.Sleep(time.Second)
		if out := d.cli(t, "ios", "configure terminal\nmls flow ip "+mask+"\nend\n"); strings.Contains(out, "%") {
			t.Fatalf("mls flow ip %s: %s", mask, out)
		}
		sent += g.wait(t)
		time.Sleep(500 * time.Millisecond)
		cur := read()
		checkMonotonic(t, "mls flow ip "+mask, prev, cur, nil, nil)
		checkIdentity(t, "after mls flow ip "+mask, cur)
		prev = cur
	}
	if f := prev.dp["frames"]; f != sent {
		t.Errorf("the datapath saw %d frames; trafgen sent %d", f, sent)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	time.Sleep(time.Second)
	end := read()
	checkMonotonic(t, "clear mls netflow", prev, end, nil, nil)
	expiredPkts := end.c["sum prom flowtap_cache_protocol_packets_total"]
	if metered := end.dp["metered_packets"]; expiredPkts+end.dp["create_fail_packets"] != metered {
		t.Errorf("expired flows hold %d packets + %d creation failures; the datapath metered %d", expiredPkts, end.dp["create_fail_packets"], metered)
	}
	if exported, ended := end.c["cli export total flows exported"], end.c["cli cache total flows"]; exported != ended {
		t.Errorf("%d records exported; %d flows ended", exported, ended)
	}
	if got, _ := capd.Stop(t); got.Total().Packets != expiredPkts {
		t.Errorf("nfcapd holds %d packets; the expired flows %d", got.Total().Packets, expiredPkts)
	}
}

// TestRestartWithAnotherCacheSizeExportsAll: flowtapd stops with
// --keep-metering while flows are in the pinned table, and the next one
// boots with another cache size: the pinned table is drained into the
// configured exporters before the new one takes over, so nfcapd holds
// every packet (none is drained into a daemon with no exporters yet), and
// `show ip cache flow` counts the drained flows as the collector does.
func TestRestartWithAnotherCacheSizeExportsAll(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	cfg := func(entries int) string {
		return fmt.Sprintf(`hostname rsz
username admin secret letmein
ip flow-cache entries %d
ip flow-cache timeout inactive 60
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, entries, v.Mon, capd.Addr.Addr(), capd.Addr.Port())
	}
	d := startDaemon(t, cfg(4096))
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	var frames [][]byte
	for src := range byte(5) {
		frames = append(frames, udpFrames([4]byte{10, 0, 0, src + 1}, 4000, 3)...)
	}
	v.Send(t, frames)
	d.cliUntil(t, "ios", "show ip flow datapath | include flows created\n", "  5 flows created\n")
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	// Boot from a startup-config with another size (no running copy).
	if err := os.WriteFile(filepath.Join(d.dir, "startup-config"), []byte(cfg(8192)), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(d.dir, "running-config"))
	d.start(t)
	// The drained flows were in the cache: `show ip cache flow` counts
	// them as expired (and added), as the collector got them, not 0
	// flows beside nfcapd's 5.
	d.cliUntil(t, "ios", "show ip cache flow | include inactive,\n", "  0 active, 8192 inactive, 5 added\n")
	cache := d.cli(t, "ios", "show ip cache flow\n")
	if !regexp.MustCompile(`\nTotal:\s+5\s+\S+\s+3\s`).MatchString(cache) {
		t.Errorf("show ip cache flow does not count the 5 drained flows of 3 packets each:\n%s", cache)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	time.Sleep(time.Second)
	got, log := capd.Stop(t)
	if total := got.Total(); total.Packets != 15 || len(got) != 5 {
		t.Errorf("nfcapd holds %d packets in %d flows; 15 in 5 were metered\n%s\n%s", total.Packets, len(got), log, d.log)
	}
}
