package main

import (
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
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
		if _, err := exec.Command("snmpget", "-v2c", "-cpublic", "-t1", "-r0", agent, "1.3.6.1.2.1.1.5.0").CombinedOutput(); err == nil {
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
username admin secret letmein
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
