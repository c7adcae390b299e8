package main

import (
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// walkOIDs runs a net-snmp walk tool with the given options over the
// whole tree and returns each line's OID and value, in the order the
// agent gave them; -Cc keeps net-snmp from stopping at a loop, so that the
// test sees one.
func walkOIDs(t *testing.T, tool string, args ...string) (oids [][]uint32, vals []string) {
	t.Helper()
	full := append([]string{"-On", "-OQ", "-Ot", "-t", "5", "-r", "1"}, args...)
	out, err := testproc.CombinedOutput(exec.Command(tool, full...))
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, full, err, tail(string(out), 2000))
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, val, ok := strings.Cut(l, " = ")
		if !ok || !strings.HasPrefix(name, ".") {
			continue // a value's continuation line
		}
		var oid []uint32
		for _, p := range strings.Split(name[1:], ".") {
			n, err := strconv.ParseUint(p, 10, 32)
			if err != nil {
				t.Fatalf("%s: OID %q", tool, name)
			}
			oid = append(oid, uint32(n))
		}
		oids, vals = append(oids, oid), append(vals, val)
	}
	// net-snmp prints the end of the MIB view (v2c/v3 endOfMibView) as
	// a last line repeating the last OID.
	if n := len(vals); n > 0 && strings.HasPrefix(vals[n-1], "No more variables left") {
		oids, vals = oids[:n-1], vals[:n-1]
	}
	return oids, vals
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func oidString(o []uint32) string {
	var b strings.Builder
	for _, n := range o {
		fmt.Fprintf(&b, ".%d", n)
	}
	return b.String()
}

// TestSNMPWholeTreeWalk walks a metering, exporting flowtapd as an NMS
// does: snmpwalk (GetNext) and snmpbulkwalk at several max-repetitions,
// v2c and v3, over the whole tree, -Cc so net-snmp does not hide a loop.
// Every walk must be in strictly increasing order, end (no loop), carry
// no noSuchObject/noSuchInstance inside the tree, and name the same
// instances as the GetNext walk. The community and the group read a view
// of iso, so the walk holds what IOS's v1default leaves out (usmStats).
func TestSNMPWholeTreeWalk(t *testing.T) {
	v := testnet.Enter(t)
	_, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname walktap
username admin secret letmein
snmp-server view ALL iso included
snmp-server community public view ALL RO
snmp-server group NMS v3 priv read ALL
snmp-server user nms NMS v3 auth sha authpass123 priv aes 128 privpass123
interface %s
 ip flow ingress
!
ip flow-cache timeout inactive 600
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-aggregation cache protocol-port
 export destination 127.0.0.1 %d
 enabled
!
ip flow-top-talkers
 top 5
 sort-by bytes
`, v.Mon, port, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)
	var frames [][]byte
	for i := range 4 {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, byte(i + 1)}, 4000, 100))
	}
	v.Send(t, frames)
	// The main cache's active flows (cnfCIActiveFlows.0), so the walks
	// meet the flow tables filled.
	for deadline := time.Now().Add(20 * time.Second); snmpCounter(t, agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.4.0") < 4; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cache never held the 4 flows sent")
		}
	}

	v2 := []string{"-v2c", "-cpublic"}
	v3 := []string{"-v3", "-l", "authPriv", "-u", "nms", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123"}
	ref, refVals := walkOIDs(t, "snmpwalk", append(v2, "-Cc", agent, ".1")...)
	t.Logf("the GetNext walk: %d instances", len(ref))
	if len(ref) < 500 {
		t.Fatalf("the GetNext walk gave %d instances", len(ref))
	}
	check := func(name string, oids [][]uint32, vals []string) {
		for i := range oids {
			if strings.Contains(vals[i], "No Such") || strings.Contains(vals[i], "No more variables") {
				t.Errorf("%s: %s = %s", name, oidString(oids[i]), vals[i])
			}
			if i > 0 && slices.Compare(oids[i-1], oids[i]) >= 0 {
				t.Errorf("%s: %s after %s: not increasing", name, oidString(oids[i]), oidString(oids[i-1]))
			}
		}
	}
	check("snmpwalk v2c", ref, refVals)
	probeEdges(t, agent, ref)
	type run struct {
		name string
		tool string
		args []string
	}
	var runs []run
	for _, r := range []int{1, 7, 25, 60, 200, 1000} {
		runs = append(runs, run{fmt.Sprintf("snmpbulkwalk v2c -Cr%d", r), "snmpbulkwalk", append(slices.Clone(v2), "-Cc", fmt.Sprintf("-Cr%d", r), agent, ".1")})
	}
	runs = append(runs, run{"snmpbulkwalk v3 -Cr50", "snmpbulkwalk", append(slices.Clone(v3), "-Cc", "-Cr50", agent, ".1")})
	runs = append(runs, run{"snmpwalk v1", "snmpwalk", []string{"-v1", "-cpublic", "-Cc", agent, ".1"}})
	for _, r := range runs {
		oids, vals := walkOIDs(t, r.tool, r.args...)
		check(r.name, oids, vals)
		if r.tool == "snmpwalk" {
			continue // v1 skips the Counter64s
		}
		a, b := names(ref), names(oids)
		if diff := setDiff(a, b); len(diff) > 0 {
			t.Errorf("%s: %d instances the GetNext walk had are missing, e.g. %v", r.name, len(diff), diff[:min(5, len(diff))])
		}
		if diff := setDiff(b, a); len(diff) > 0 {
			t.Errorf("%s: %d instances the GetNext walk did not have, e.g. %v", r.name, len(diff), diff[:min(5, len(diff))])
		}
	}
	checkWalkTypes(t, agent)
}

// checkWalkTypes walks the whole tree once more (snmpbulkwalk, v2c) and
// checks it against every MIB file flowtap relies on (mibfiles.CheckWalk):
// it ends at the end of the MIB view, strictly increasing, and every
// instance is of an accessible object with that object's SYNTAX, its
// range, enumeration and size.
func checkWalkTypes(t *testing.T, agent string) {
	t.Helper()
	args := append(append([]string{}, mibfiles.WalkArgs...), "-v2c", "-cpublic", "-Cc", "-Cr30", "-t", "5", "-r", "1", agent, ".1")
	cmd := exec.Command("snmpbulkwalk", args...)
	cmd.Env = append(cmd.Environ(), "MIBS=", "MIBDIRS=/nonexistent", "SNMPCONFPATH=/nonexistent", "SNMP_PERSISTENT_DIR="+t.TempDir())
	out, err := testproc.Output(cmd)
	if err != nil {
		t.Fatalf("snmpbulkwalk: %v", err)
	}
	insts, defs := mibfiles.CheckWalk(t, string(out))
	seen := map[string]bool{}
	for _, in := range insts {
		seen[defs[in.Name].Module] = true
	}
	for _, m := range []string{"SNMPv2-MIB", "IF-MIB", "ENTITY-MIB", "CISCO-PROCESS-MIB", "CISCO-ENHANCED-MEMPOOL-MIB", "CISCO-NETFLOW-MIB", "IPFIX-MIB", "FLOWTAP-MIB", "SNMP-USER-BASED-SM-MIB"} {
		if !seen[m] {
			t.Errorf("the walk has no instance of %s", m)
		}
	}
	t.Logf("%d instances, all as the MIB files define them", len(insts))
}

// probeEdges asks GetNext of OIDs between each instance and the next the
// walk gave: the instance with a sub-identifier 2^32-1 appended (just
// past it, inside any subtree it heads) and the instance's last
// sub-identifier plus one (past a row, at a column's or table's edge).
// Each must answer the first instance of the walk past the probe.
func probeEdges(t *testing.T, agent string, ref [][]uint32) {
	t.Helper()
	type probe struct{ oid, want []uint32 }
	var probes []probe
	next := func(x []uint32) []uint32 {
		i, _ := slices.BinarySearchFunc(ref, x, func(a, b []uint32) int { return slices.Compare(a, b) })
		for i < len(ref) && slices.Compare(ref[i], x) <= 0 {
			i++
		}
		if i == len(ref) {
			return nil
		}
		return ref[i]
	}
	for _, o := range ref {
		probes = append(probes, probe{append(slices.Clone(o), 4294967295), next(append(slices.Clone(o), 4294967295))})
		if last := o[len(o)-1]; last < 4294967295 {
			bumped := slices.Clone(o)
			bumped[len(bumped)-1]++
			probes = append(probes, probe{bumped, next(bumped)})
		}
	}
	checked := 0
	defer func() { t.Logf("GetNext at %d edges, %d answers checked", len(probes), checked) }()
	for start := 0; start < len(probes); start += 20 {
		batch := probes[start:min(start+20, len(probes))]
		args := []string{"-v2c", "-cpublic", "-On", "-OQ", "-Ot", "-t", "5", "-r", "1", agent}
		for _, p := range batch {
			args = append(args, oidString(p.oid))
		}
		out, _ := testproc.CombinedOutput(exec.Command("snmpgetnext", args...))
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if name, _, ok := strings.Cut(l, " = "); ok && strings.HasPrefix(name, ".") {
				got = append(got, name)
			}
		}
		if len(got) != len(batch) {
			t.Errorf("snmpgetnext of %d probes from %s: %d answers:\n%s", len(batch), oidString(batch[0].oid), len(got), tail(string(out), 1500))
			continue
		}
		for i, p := range batch {
			want := "(end of the MIB view)"
			if p.want != nil {
				want = oidString(p.want)
			}
			if p.want == nil && strings.Contains(string(out), "No more variables") {
				continue
			}
			checked++
			if got[i] != want {
				t.Errorf("GetNext(%s) = %s, want %s", oidString(p.oid), got[i], want)
			}
		}
	}
}

func names(oids [][]uint32) []string {
	var s []string
	for _, o := range oids {
		s = append(s, oidString(o))
	}
	return s
}

func setDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}
