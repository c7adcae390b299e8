package main

import (
	"encoding/json"
	"fmt"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/testproc"
	"net"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testnet"
)

const ipfixModules = mibfiles.IPFIXModules

// ipfixNoInstance are the accessible objects with no instance in this
// test's configuration: those flowtap never has, and the parameters of
// random sampling, which no sampler here uses.
var ipfixNoInstance = append([]string{"psampSampRandOutOfNSize", "psampSampRandOutOfNPopulation"}, mibfiles.PSAMPUnavailable...)

// TestIPFIXMIBAgreesWithExport walks flowtapd with the RFCs' IPFIX-MIB,
// IPFIX-SELECTOR-MIB and PSAMP-MIB files: every accessible object answers
// with the file's syntax; the transport session counts what the collector
// received, byte for byte; the templates are the ones on the wire (decoded
// by an independent RFC 7011 decoder and by tshark); the sampler's
// counters are the same in SNMP, `show flow-sampler`, JunOS's `show
// forwarding-options sampling` and Prometheus; and
// `clear ip flow stats` restarts the session and cache counters with the
// CLI's, moving their discontinuity times.
func TestIPFIXMIBAgreesWithExport(t *testing.T) {
	v := testnet.Enter(t)
	coll, collPort := udpCollector(t)
	_, aggPort := udpCollector(t) // the prefix cache exports here, unread
	mport := freeTCP(t)[len("127.0.0.1:"):]
	d := startDaemon(t, fmt.Sprintf(`hostname ipfixtap
username admin secret letmein
snmp-server community public RO
access-list 10 permit 127.0.0.1
flow-sampler-map HALF
 mode deterministic one-out-of 2
!
interface %s
 flow-sampler HALF
!
ip flow-export version ipfix
ip flow-export destination 127.0.0.1 %d
ip flow-aggregation cache prefix
 export version 9
 export destination 127.0.0.1 %d
 enabled
!
ip http metrics port %s access-class 10
`, v.Mon, collPort, aggPort, mport))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	// 4 sources, 5 frames each: the map takes positions 0, 2, 4 ... of
	// the 20, so 10 packets in 4 flows.
	var frames [][]byte
	for i := range 4 {
		frames = append(frames, udpFrames([4]byte{10, 0, 2, byte(i + 1)}, 4000, 5)...)
	}
	v.Send(t, frames)
	want := " Sampler : HALF, id : 1, packets matched : 10, mode : deterministic sampling mode\n  sampling interval is : 2\n"
	if got := d.cliUntil(t, "ios", "show flow-sampler\n", want); got != want {
		t.Fatalf("show flow-sampler:\n%s\nwant:\n%s", got, want)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	waitExported(t, d, "  4 flows")
	msgs := readDatagrams(t, coll)

	objects := append(mibfiles.Accessible(t, ipfixModules, "1.3.6.1.2.1.193"), mibfiles.Accessible(t, ipfixModules, "1.3.6.1.2.1.194")...)
	walk := func() map[string]string {
		got := map[string]string{}
		for _, root := range []string{"1.3.6.1.2.1.193", "1.3.6.1.2.1.194"} {
			out, err := mibfiles.Run(t, ipfixModules, "snmpbulkwalk", "-v2c", "-cpublic", "-Os", "-OQ", "-Ot", "-OU", agent, root)
			if err != nil {
				t.Fatalf("snmpbulkwalk: %v", err)
			}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if strings.Contains(l, "Wrong Type") {
					t.Errorf("net-snmp says the agent's syntax is not the MIB's: %s", l)
				}
				if name, val, ok := strings.Cut(l, " = "); ok {
					got[name] = val
				}
			}
		}
		return got
	}
	got := walk()
	for _, o := range objects {
		if slices.Contains(ipfixNoInstance, o) {
			continue
		}
		if !slices.ContainsFunc(keys(got), func(k string) bool { return strings.HasPrefix(k, o+".") }) {
			t.Errorf("%s: no instance", o)
		}
	}
	// The sessions: the main cache's IPFIX one and the prefix cache's v9.
	main, agg := ipfixSessions(t, got, collPort, aggPort)
	prefixCache := strconv.Itoa(int(platform.SchemePrefix) + 1)
	// The prefix cache exports under a domain of its own (its sequence is
	// its own), the main cache under 0.
	prefixDomain := strconv.Itoa(int(daemon.AggregationDomain(platform.SchemePrefix)))
	for name, want := range map[string]string{
		"ipfixTransportSessionProtocol." + main:               "17",
		"ipfixTransportSessionIpfixVersion." + main:           "10",
		"ipfixTransportSessionIpfixVersion." + agg:            "9",
		"ipfixTransportSessionDeviceMode." + main:             "exporting",
		"ipfixTransportSessionStatus." + main:                 "active",
		"ipfixTransportSessionTemplateRefreshTimeout." + main: "1800",
		// v9's template set (0) reads as IPFIX's, 2: the MIB knows no other.
		"ipfixTemplateSetId." + agg + "." + prefixDomain + ".265":              "2",
		"ipfixExportMemberType.1.1." + main:                                    "primary",
		"ipfixExportMemberType." + prefixCache + "." + prefixCache + "." + agg: "primary",
		"ipfixMeteringProcessCacheIdleTimeout.1":                               "15",
		"ipfixMeteringProcessCacheActiveTimeout." + prefixCache:                "1800",
		"ipfixObservationPointPhysicalInterface.1.1":                           strconv.Itoa(v.MonIndex),
		"ipfixObservationPointPhysicalEntityDirection.1.1":                     "ingress",
		"ipfixSelectionProcessSelectorFunction.1.2.1":                          "psampSampCountBasedInterval.2",
		"ipfixSelectionProcessSelectorFunction.1.1.1":                          "ipfixFuncSelectAll",
		"psampSampCountBasedSpace.2":                                           "1",
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}

	// The session counts what the collector received.
	bytesRecv := totalLen(msgs)
	exp := d.cli(t, "ios", "show ip flow export | include exported\n")
	if want := fmt.Sprintf("  %s flows exported in %s udp datagrams\n", got["ipfixTransportSessionRecords."+main], got["ipfixTransportSessionPackets."+main]); exp != want {
		t.Errorf("show ip flow export %q; IPFIX-MIB says %q", exp, want)
	}
	if got["ipfixTransportSessionPackets."+main] != strconv.Itoa(len(msgs)) || got["ipfixTransportSessionBytes."+main] != strconv.Itoa(bytesRecv) {
		t.Errorf("ipfixTransportSessionPackets %s, Bytes %s; the collector received %d messages, %d bytes",
			got["ipfixTransportSessionPackets."+main], got["ipfixTransportSessionBytes."+main], len(msgs), bytesRecv)
	}

	// The templates are those on the wire, field for field.
	wire, err := collector.IPFIXTemplates(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var sentData, sentOpts int
	for _, m := range msgs {
		ts, _ := collector.IPFIXTemplates([][]byte{m})
		for _, tp := range ts {
			if tp.SetID == 2 {
				sentData++
			} else {
				sentOpts++
			}
		}
	}
	var mibIDs []string
	for k := range got {
		if rest, ok := strings.CutPrefix(k, "ipfixTemplateSetId."+main+".0."); ok {
			mibIDs = append(mibIDs, rest)
		}
	}
	slices.Sort(mibIDs)
	var wireIDs []string
	for _, tp := range wire {
		wireIDs = append(wireIDs, strconv.Itoa(int(tp.ID)))
		prefix := fmt.Sprintf("%s.0.%d", main, tp.ID)
		if got["ipfixTemplateSetId."+prefix] != strconv.Itoa(int(tp.SetID)) {
			t.Errorf("template %d: ipfixTemplateSetId %q, set %d on the wire", tp.ID, got["ipfixTemplateSetId."+prefix], tp.SetID)
		}
		for i, f := range tp.Fields {
			row := fmt.Sprintf("%s.%d", prefix, i+1)
			if got["ipfixTemplateDefinitionIeId."+row] != strconv.Itoa(int(f.IE.ID)) ||
				got["ipfixTemplateDefinitionIeLength."+row] != strconv.Itoa(int(f.Length)) ||
				got["ipfixTemplateDefinitionEnterpriseNumber."+row] != strconv.Itoa(int(f.IE.PEN)) {
				t.Errorf("template %d field %d: wire %+v; IPFIX-MIB IE %s length %s PEN %s", tp.ID, i+1, f,
					got["ipfixTemplateDefinitionIeId."+row], got["ipfixTemplateDefinitionIeLength."+row], got["ipfixTemplateDefinitionEnterpriseNumber."+row])
			}
			// BITS: scope(0) is the first octet's high bit.
			flags, _ := strconv.ParseUint(strings.Fields(strings.Trim(got["ipfixTemplateDefinitionFlags."+row], `"`) + " x")[0], 16, 8)
			if isScope := flags&0x80 != 0; isScope != (i < tp.Scope) {
				t.Errorf("template %d field %d: flags %q, scope fields on the wire %d", tp.ID, i+1, got["ipfixTemplateDefinitionFlags."+row], tp.Scope)
			}
		}
		if _, ok := got[fmt.Sprintf("ipfixTemplateDefinitionIeId.%s.%d", prefix, len(tp.Fields)+1)]; ok {
			t.Errorf("template %d: IPFIX-MIB has more fields than the wire's %d", tp.ID, len(tp.Fields))
		}
	}
	// The IOS 7-tuple: the addresses are flow keys, the counters not.
	for _, f := range []struct{ row, want string }{{".1", "40"}, {".2", "40"}, {".6", "00"}} {
		if flags := strings.Trim(got["ipfixTemplateDefinitionFlags."+main+".0.256"+f.row], `" `); flags != f.want {
			t.Errorf("template 256 field %s (IE %s): flags %q, want %s", f.row, got["ipfixTemplateDefinitionIeId."+main+".0.256"+f.row], flags, f.want)
		}
	}
	if !slices.Equal(mibIDs, wireIDs) {
		t.Errorf("templates: IPFIX-MIB %v, on the wire %v", mibIDs, wireIDs)
	}
	var tsharkIDs []string
	for _, p := range collector.TsharkCflow(t, msgs, uint16(collPort), "cflow.template_id") {
		for _, id := range p["cflow.template_id"] {
			if !slices.Contains(tsharkIDs, id) {
				tsharkIDs = append(tsharkIDs, id)
			}
		}
	}
	slices.Sort(tsharkIDs)
	if !slices.Equal(tsharkIDs, wireIDs) {
		t.Errorf("tshark reads templates %v; the decoder %v", tsharkIDs, wireIDs)
	}
	if got["ipfixTransportSessionTemplates."+main] != strconv.Itoa(sentData) || got["ipfixTransportSessionOptionsTemplates."+main] != strconv.Itoa(sentOpts) {
		t.Errorf("ipfixTransportSessionTemplates %s, OptionsTemplates %s; the wire carried %d and %d",
			got["ipfixTransportSessionTemplates."+main], got["ipfixTransportSessionOptionsTemplates."+main], sentData, sentOpts)
	}
	recs, err := collector.DecodeIPFIX(msgs)
	if err != nil {
		t.Fatal(err)
	}
	if n := got["ipfixTemplateDataRecords."+main+".0.256"]; n != strconv.Itoa(len(recs)) || len(recs) != 4 {
		t.Errorf("ipfixTemplateDataRecords (template 256) %s; the collector decoded %d records", n, len(recs))
	}
	screen := d.cli(t, "ios", "show ip cache flow\n")
	if m := regexp.MustCompile(`(?m)^Total:\s+(\d+)`).FindStringSubmatch(screen); m == nil || m[1] != got["ipfixMeteringProcessCacheDataRecords.1"] {
		t.Errorf("ipfixMeteringProcessCacheDataRecords.1 %q; the screen's Total %v", got["ipfixMeteringProcessCacheDataRecords.1"], m)
	}

	// The sampler, three ways.
	if got["ipfixSelectionProcessStatsPacketsObserved.1.2.1"] != "20" || got["ipfixSelectionProcessStatsPacketsDropped.1.2.1"] != "10" {
		t.Errorf("HALF's selection process: observed %s, dropped %s; want 20 and 10 (show flow-sampler: 10 matched)",
			got["ipfixSelectionProcessStatsPacketsObserved.1.2.1"], got["ipfixSelectionProcessStatsPacketsDropped.1.2.1"])
	}
	fams := scrapeMetrics(t, "127.0.0.1", mport)
	metric := func(name string) string {
		for _, m := range fams[name].GetMetric() {
			if labelIs(m, "sampler", "HALF") {
				return fmt.Sprint(m.GetCounter().GetValue())
			}
		}
		return "none"
	}
	if o, s := metric("flowtap_sampler_packets_observed_total"), metric("flowtap_sampler_packets_selected_total"); o != "20" || s != "10" {
		t.Errorf("Prometheus: HALF observed %s, selected %s; want 20 and 10", o, s)
	}
	if got := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.4.1.9.9.387.1.4.1.0"); got != "10" {
		t.Errorf("cnfESSampledPacket %s, want 10 (HALF's packets matched)", got)
	}
	// And JunOS's view of the same samplers: HALF as SNMP counts it.
	jwant := "Instance: HALF, Id: 1\n  Mode: deterministic, Rate: 1 out of 2\n  Packets observed: 20, Packets selected: 10, Packets not selected: 10\n"
	if js := d.cli(t, "junos", "show forwarding-options sampling\n"); !strings.HasPrefix(js, "Instance: global, Id: 0\n") || !strings.HasSuffix(js, "\n\n"+jwant) {
		t.Errorf("JunOS show forwarding-options sampling:\n%s\nwant the global sampler, then\n%s", js, jwant)
	}
	var jdoc struct {
		Instances []struct {
			Name            string `json:"name"`
			PacketsObserved uint64 `json:"packets_observed"`
			PacketsSelected uint64 `json:"packets_selected"`
		} `json:"instances"`
	}
	js := d.cli(t, "junos", "show forwarding-options sampling | display json\n")
	if err := json.Unmarshal([]byte(js), &jdoc); err != nil || len(jdoc.Instances) != 2 ||
		jdoc.Instances[1].Name != "HALF" || jdoc.Instances[1].PacketsObserved != 20 || jdoc.Instances[1].PacketsSelected != 10 {
		t.Errorf("show forwarding-options sampling | display json (%v):\n%s", err, js)
	}

	// clear ip flow stats: the session and the cache count from 0, as the
	// screens do, and say when they started over.
	before := sysUpTime(t, agent)
	d.cli(t, "ios", "clear ip flow stats\n")
	// The agent reads the device at most once per 100 ms (snmp stateTTL).
	time.Sleep(150 * time.Millisecond)
	got = walk()
	exp = d.cli(t, "ios", "show ip flow export | include exported\n")
	if exp != "  0 flows exported in 0 udp datagrams\n" || got["ipfixTransportSessionPackets."+main] != "0" || got["ipfixTransportSessionRecords."+main] != "0" {
		t.Errorf("after clear ip flow stats: show ip flow export %q, ipfixTransportSessionPackets %s, Records %s",
			exp, got["ipfixTransportSessionPackets."+main], got["ipfixTransportSessionRecords."+main])
	}
	for _, name := range []string{"ipfixTransportSessionDiscontinuityTime." + main, "ipfixMeteringProcessCacheDiscontinuityTime.1"} {
		if n, err := strconv.Atoi(got[name]); err != nil || n < before {
			t.Errorf("%s = %q after the clear; sysUpTime was %d before it", name, got[name], before)
		}
	}
	if got["ipfixMeteringProcessCacheDataRecords.1"] != "0" {
		t.Errorf("ipfixMeteringProcessCacheDataRecords.1 = %q after the clear", got["ipfixMeteringProcessCacheDataRecords.1"])
	}
}

// udpCollector is a socket for the daemon to export to, closed when the
// test ends, and its port.
func udpCollector(t *testing.T) (net.PacketConn, int) {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, c.LocalAddr().(*net.UDPAddr).Port
}

// waitExported waits until show ip flow export says want (e.g. "  4
// flows") were exported.
func waitExported(t *testing.T, d *runningDaemon, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if strings.HasPrefix(d.cli(t, "ios", "show ip flow export | include exported\n"), want) {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("want %q exported:\n%s", want, d.cli(t, "ios", "show ip flow export\n"))
		}
	}
}

// ipfixSessions finds, in an IPFIX-MIB walk, the transport sessions of
// the main cache's collector and the aggregation cache's.
func ipfixSessions(t *testing.T, walk map[string]string, collPort, aggPort int) (main, agg string) {
	t.Helper()
	for k, val := range walk {
		if idx, ok := strings.CutPrefix(k, "ipfixTransportSessionDestinationPort."); ok {
			switch val {
			case strconv.Itoa(collPort):
				main = idx
			case strconv.Itoa(aggPort):
				agg = idx
			}
		}
	}
	if main == "" || agg == "" {
		t.Fatalf("no session for the main cache's destination (%q) or the aggregation cache's (%q)", main, agg)
	}
	return main, agg
}

// totalLen is how many bytes the datagrams hold.
func totalLen(msgs [][]byte) int {
	n := 0
	for _, m := range msgs {
		n += len(m)
	}
	return n
}

// readDatagrams reads what arrived on c until it is quiet for a second.
func readDatagrams(t *testing.T, c net.PacketConn) [][]byte {
	t.Helper()
	var out [][]byte
	buf := make([]byte, 65536)
	for {
		c.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			return out
		}
		out = append(out, append([]byte(nil), buf[:n]...))
	}
}

func sysUpTime(t *testing.T, agent string) int {
	t.Helper()
	n, err := strconv.Atoi(snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqvt", agent, "1.3.6.1.2.1.1.3.0"))
	if err != nil {
		t.Fatalf("sysUpTime: %v", err)
	}
	return n
}

func labelIs(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

// TestSNMPSetsAggregationMinMask: cnfCIMinSourceMask and
// cnfCIMinDestinationMask set by name are the prefix cache's `mask
// source|destination minimum` lines in the running config; out of range
// is wrongValue and changes nothing; 0 removes the line.
func TestSNMPSetsAggregationMinMask(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname masktap
username admin secret letmein
snmp-server community public RO
snmp-server community private RW
ip flow-aggregation cache prefix
 mask source minimum 16
 enabled
!
`)
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	set := func(args ...string) (string, error) {
		return mibfiles.Run(t, "CISCO-NETFLOW-MIB", "snmpset", append([]string{"-v2c", "-cprivate", "-t", "2", "-r", "0", agent}, args...)...)
	}
	section := func() string { return d.cli(t, "ios", "show running-config | section flow-aggregation\n") }
	if _, err := set("cnfCIMinSourceMask.prefix", "u", "20", "cnfCIMinDestinationMask.prefix", "u", "28"); err != nil {
		t.Fatalf("snmpset: %v", err)
	}
	want := "ip flow-aggregation cache prefix\n mask source minimum 20\n mask destination minimum 28\n enabled\n"
	if got := section(); got != want {
		t.Errorf("after the set:\n%s\nwant:\n%s", got, want)
	}
	out, err := testproc.CombinedOutput(exec.Command("snmpset", "-v2c", "-cprivate", "-t", "2", "-r", "0", "-m", "", agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.8.5", "u", "33"))
	if err == nil || !strings.Contains(string(out), "Reason: wrongValue") {
		t.Errorf("a 33-bit mask: %v\n%s", err, out)
	}
	if got := section(); got != want {
		t.Errorf("the refused set changed the config:\n%s", got)
	}
	if _, err := set("cnfCIMinSourceMask.prefix", "u", "0"); err != nil {
		t.Fatalf("snmpset: %v", err)
	}
	if got, want := section(), "ip flow-aggregation cache prefix\n mask destination minimum 28\n enabled\n"; got != want {
		t.Errorf("after setting 0:\n%s\nwant:\n%s", got, want)
	}
	if got := snmpTool(t, "snmpget", "-v2c", "-cprivate", "-Oqv", agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.9.5"); got != "28" {
		t.Errorf("cnfCIMinDestinationMask.prefix reads %q, want 28", got)
	}
}

// TestIPFIXSelectionProcessOfAnInputFilter: a port's input filter is a
// property-match selection process whose packets observed and dropped
// are the access list's matches; `clear access-list counters` restarts
// them and moves its discontinuity time.
func TestIPFIXSelectionProcessOfAnInputFilter(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname selfilt
username admin privilege 15 secret letmein
snmp-server community public RO
access-list 101 permit udp host 10.0.0.1 any eq 53
access-list 101 deny   udp 10.0.0.0 0.0.0.255 any
interface %s
 ip flow ingress input-filter 101
!
`, v.Mon))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	var frames [][]byte
	frames = append(frames, udpFrames([4]byte{10, 0, 0, 1}, 4000, 5)...) // permitted
	frames = append(frames, udpFrames([4]byte{10, 0, 0, 2}, 5000, 3)...) // denied
	frames = append(frames, udpFrames([4]byte{10, 0, 1, 6}, 7000, 2)...) // implicit deny
	v.Send(t, frames)
	want := "Extended IP access list 101\n" +
		"    10 permit udp host 10.0.0.1 any eq domain (5 matches)\n" +
		"    20 deny udp 10.0.0.0 0.0.0.255 any (3 matches)\n"
	if got := d.cliUntil(t, "ios", "show access-lists 101\n", want); got != want {
		t.Fatalf("show access-lists 101:\n%s\nwant:\n%s", got, want)
	}
	walk := func() map[string]string {
		out, err := mibfiles.Run(t, ipfixModules, "snmpbulkwalk", "-v2c", "-cpublic", "-Os", "-OQ", "-Ot", agent, "ipfixSelectionProcessStatsTable")
		if err != nil {
			t.Fatal(err)
		}
		sel, err := mibfiles.Run(t, ipfixModules, "snmpbulkwalk", "-v2c", "-cpublic", "-Os", "-OQ", agent, "ipfixSelectionProcessTable")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out+"\n"+sel), "\n") {
			if name, val, ok := strings.Cut(l, " = "); ok {
				got[name] = val
			}
		}
		return got
	}
	got := walk()
	// The filter's process: the one whose function is psampFiltPropMatch.
	var proc string
	for k, val := range got {
		if p, ok := strings.CutPrefix(k, "ipfixSelectionProcessSelectorFunction."); ok && val == "psampFiltPropMatch" {
			proc = p
		}
	}
	if proc == "" {
		t.Fatalf("no property-match selection process: %v", got)
	}
	if o, dr := got["ipfixSelectionProcessStatsPacketsObserved."+proc], got["ipfixSelectionProcessStatsPacketsDropped."+proc]; o != "10" || dr != "5" {
		t.Errorf("the filter's selection process %s: observed %s, dropped %s; the list saw 10 and let 5 through", proc, o, dr)
	}
	// What the filter passed went through the global sampler (1 in 1).
	if o, dr := got["ipfixSelectionProcessStatsPacketsObserved.1.1.1"], got["ipfixSelectionProcessStatsPacketsDropped.1.1.1"]; o != "5" || dr != "0" {
		t.Errorf("the global selection process: observed %s, dropped %s; want 5 and 0", o, dr)
	}
	before := sysUpTime(t, agent)
	d.cli(t, "ios", "clear access-list counters\n")
	// The agent reads the device at most once per 100 ms (snmp stateTTL).
	time.Sleep(150 * time.Millisecond)
	got = walk()
	if o := got["ipfixSelectionProcessStatsPacketsObserved."+proc]; o != "0" {
		t.Errorf("after clear access-list counters: observed %s", o)
	}
	if n, err := strconv.Atoi(got["ipfixSelectionProcessStatsDiscontinuityTime."+proc]); err != nil || n < before {
		t.Errorf("ipfixSelectionProcessStatsDiscontinuityTime %q after the clear; sysUpTime was %d before it", got["ipfixSelectionProcessStatsDiscontinuityTime."+proc], before)
	}
}

// TestIPFIXGlobalSamplerOnAPFC: a PFC's `mls sampling` is the global
// sampler, selection process 1, a count-based sampler whose parameters
// are the configured rate; what it observed is every parsed frame and
// what it passed is what `show ip flow datapath` says was metered (the
// per-CPU positions make which frames it takes depend on the CPU, not how
// the counts add up).
func TestIPFIXGlobalSamplerOnAPFC(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfcsamp
username admin privilege 15 secret letmein
snmp-server community public RO
platform pfc3bxl
mls flow ip interface-full
mls sampling packet-based 64
interface %s
 ip flow ingress
!
`, v.Mon))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	var frames [][]byte
	for i := range 10 {
		frames = append(frames, udpFrames([4]byte{10, 0, 3, byte(i + 1)}, 4000, 20)...)
	}
	v.Send(t, frames)
	var screen string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		screen = d.cli(t, "ios", "show ip flow datapath\n")
		if strings.Contains(screen, " 200 frames seen") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the meter never saw the 200 frames:\n%s", screen)
		}
	}
	time.Sleep(150 * time.Millisecond)
	metered := regexp.MustCompile(`(\d+) packets metered`).FindStringSubmatch(screen)
	sampledOut := regexp.MustCompile(`(\d+) packets sampled out`).FindStringSubmatch(screen)
	if metered == nil || sampledOut == nil {
		t.Fatalf("show ip flow datapath:\n%s", screen)
	}
	get := func(oid string) string {
		return snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, oid)
	}
	observed, dropped := get("1.3.6.1.2.1.193.1.2.4.1.1.1.1.1"), get("1.3.6.1.2.1.193.1.2.4.1.2.1.1.1")
	o, _ := strconv.Atoi(observed)
	dr, _ := strconv.Atoi(dropped)
	if o != 200 || strconv.Itoa(o-dr) != metered[1] || dropped != sampledOut[1] {
		t.Errorf("the global sampler observed %s and dropped %s; the datapath metered %s and sampled out %s of 200\n%s",
			observed, dropped, metered[1], sampledOut[1], screen)
	}
	out, err := mibfiles.Run(t, ipfixModules, "snmpget", "-v2c", "-cpublic", "-Os", "-OQ", agent,
		"ipfixSelectionProcessSelectorFunction.1.1.1", "psampSampCountBasedSpace.1")
	if err != nil {
		t.Fatal(err)
	}
	wantLines := "ipfixSelectionProcessSelectorFunction.1.1.1 = psampSampCountBasedInterval.1\npsampSampCountBasedSpace.1 = 63 packets\n"
	if out != wantLines {
		t.Errorf("the global sampler's function:\n%s\nwant:\n%s", out, wantLines)
	}
}

// ipfixWalk is IPFIX-MIB's transport session, template and metering
// process tables by name, as net-snmp reads them with the RFC's file.
func ipfixWalk(t *testing.T, agent string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, table := range []string{"ipfixTransportSessionTable", "ipfixTransportSessionStatsTable", "ipfixTemplateTable",
		"ipfixTemplateStatsTable", "ipfixMeteringProcessTable", "ipfixMeteringProcessStatsTable"} {
		out, err := mibfiles.Run(t, ipfixModules, "snmpbulkwalk", "-v2c", "-cpublic", "-Os", "-OQ", "-Ot", "-OU", agent, table)
		if err != nil {
			t.Fatalf("snmpbulkwalk %s: %v", table, err)
		}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if name, val, ok := strings.Cut(l, " = "); ok {
				got[name] = val
			}
		}
	}
	return got
}

// TestIPFIXMIBCountsAcrossReopenAndClear: a configuration change that
// reopens the main cache's exporter and replaces the aggregation cache
// (and its exporter) resets no IPFIX-MIB counter and moves no
// discontinuity time: the template's data records, the aggregation
// session's packets and records and the aggregation cache's data records
// count on, and agree with what the collectors received. `clear ip flow
// stats` then zeroes every one of them, as the screens, and moves their
// discontinuity times.
func TestIPFIXMIBCountsAcrossReopenAndClear(t *testing.T) {
	v := testnet.Enter(t)
	coll, collPort := udpCollector(t)
	aggColl, aggPort := udpCollector(t)
	d := startDaemon(t, fmt.Sprintf(`hostname reopentap
username admin secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version ipfix
ip flow-export destination 127.0.0.1 %d
ip flow-aggregation cache prefix
 export version 9
 export destination 127.0.0.1 %d
 enabled
!
`, v.Mon, collPort, aggPort))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	var frames [][]byte
	for i := range 4 {
		frames = append(frames, udpFrames([4]byte{10, 0, 2, byte(i + 1)}, 4000, 3)...)
	}
	v.Send(t, frames)
	d.cli(t, "ios", "clear mls netflow\n")
	waitExported(t, d, "  4 flows")
	msgs := readDatagrams(t, coll)
	time.Sleep(150 * time.Millisecond) // the agent's state is at most 100 ms old
	before := ipfixWalk(t, agent)
	main, agg := ipfixSessions(t, before, collPort, aggPort)
	prefixCache := strconv.Itoa(int(platform.SchemePrefix) + 1)
	tmpl := main + ".0.256"
	if before["ipfixTemplateDataRecords."+tmpl] != "4" {
		t.Fatalf("ipfixTemplateDataRecords.%s = %q before the change, want 4", tmpl, before["ipfixTemplateDataRecords."+tmpl])
	}

	// The change: the main exporter's template timeout (a new encoder,
	// the same collector) and the prefix cache's active timeout (a new
	// cache, which first exports what the old one holds).
	d.cli(t, "ios", "configure terminal\nip flow-export template timeout-rate 20\nip flow-aggregation cache prefix\n cache timeout active 20\nend\n")
	aggMsgs := readDatagrams(t, aggColl)
	if len(aggMsgs) == 0 {
		t.Fatal("the replaced prefix cache exported nothing")
	}
	msgs = append(msgs, readDatagrams(t, coll)...)
	time.Sleep(150 * time.Millisecond)
	after := ipfixWalk(t, agent)
	if after["ipfixTransportSessionDestinationPort."+main] != strconv.Itoa(collPort) || after["ipfixTransportSessionDestinationPort."+agg] != strconv.Itoa(aggPort) {
		t.Fatalf("the sessions changed index over the change: main %s, prefix %s", main, agg)
	}
	aggBytes, mainBytes := totalLen(aggMsgs), totalLen(msgs)
	for name, want := range map[string]string{
		"ipfixTemplateDataRecords." + tmpl:                          "4",
		"ipfixTransportSessionPackets." + main:                      strconv.Itoa(len(msgs)),
		"ipfixTransportSessionBytes." + main:                        strconv.Itoa(mainBytes),
		"ipfixTransportSessionPackets." + agg:                       strconv.Itoa(len(aggMsgs)),
		"ipfixTransportSessionBytes." + agg:                         strconv.Itoa(aggBytes),
		"ipfixTemplateDiscontinuityTime." + tmpl:                    before["ipfixTemplateDiscontinuityTime."+tmpl],
		"ipfixTransportSessionDiscontinuityTime." + main:            before["ipfixTransportSessionDiscontinuityTime."+main],
		"ipfixTransportSessionDiscontinuityTime." + agg:             before["ipfixTransportSessionDiscontinuityTime."+agg],
		"ipfixMeteringProcessCacheDiscontinuityTime." + prefixCache: before["ipfixMeteringProcessCacheDiscontinuityTime."+prefixCache],
		"ipfixMeteringProcessCacheDataRecords." + prefixCache:       after["ipfixTransportSessionRecords."+agg],
	} {
		if after[name] != want {
			t.Errorf("after the change: %s = %q, want %q", name, after[name], want)
		}
	}
	if n, _ := strconv.Atoi(after["ipfixTransportSessionRecords."+agg]); n == 0 {
		t.Errorf("the prefix session counts no records after the old cache's export")
	}
	// Whatever templates the new exporter sends count on top.
	if b, a := atoi(before["ipfixTransportSessionTemplates."+main]), atoi(after["ipfixTransportSessionTemplates."+main]); b < 1 || a < b {
		t.Errorf("ipfixTransportSessionTemplates %d before the change, %d after it", b, a)
	}

	// clear ip flow stats: each of them counts from 0 and says when.
	up := sysUpTime(t, agent)
	d.cli(t, "ios", "clear ip flow stats\n")
	time.Sleep(150 * time.Millisecond)
	cleared := ipfixWalk(t, agent)
	for _, name := range []string{"ipfixTemplateDataRecords." + tmpl, "ipfixTransportSessionTemplates." + main,
		"ipfixTransportSessionOptionsTemplates." + main, "ipfixTransportSessionPackets." + agg,
		"ipfixTransportSessionBytes." + agg, "ipfixTransportSessionRecords." + agg, "ipfixTransportSessionTemplates." + agg,
		"ipfixMeteringProcessCacheDataRecords." + prefixCache} {
		if cleared[name] != "0" {
			t.Errorf("after clear ip flow stats: %s = %q, want 0", name, cleared[name])
		}
	}
	for k := range cleared {
		if strings.HasPrefix(k, "ipfixTemplateDataRecords.") && cleared[k] != "0" {
			t.Errorf("after clear ip flow stats: %s = %q, want 0", k, cleared[k])
		}
	}
	for _, name := range []string{"ipfixTemplateDiscontinuityTime." + tmpl, "ipfixTransportSessionDiscontinuityTime." + main,
		"ipfixTransportSessionDiscontinuityTime." + agg, "ipfixMeteringProcessCacheDiscontinuityTime." + prefixCache} {
		if n, err := strconv.Atoi(cleared[name]); err != nil || n < up {
			t.Errorf("%s = %q after the clear; sysUpTime was %d before it", name, cleared[name], up)
		}
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
