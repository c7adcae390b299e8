package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestJunOSShowInterfacesAgrees: after a known burst into the veth pair,
// the JunOS CLI's show interfaces NAME extensive and its | display json,
// IOS's show interfaces NAME and IF-MIB's ifXTable give the same bytes
// and packets for each end (received on the monitored end, sent on the
// source end), and JunOS's Interface index and SNMP ifIndex are the
// ifIndex IF-MIB answers under.
func TestJunOSShowInterfacesAgrees(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "hostname ifstap\nusername admin secret letmein\nsnmp-server community public RO\n")
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	var frames [][]byte
	for n := range 7 {
		frames = append(frames, udpFrame([4]byte{198, 51, 100, 1}, uint16(1000+n), 100+10*n))
	}
	v.Send(t, frames)
	num := func(what, screen, re string) uint64 {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(screen)
		if m == nil {
			t.Fatalf("%s: no %q in\n%s", what, re, screen)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		return n
	}
	// The burst is in once IOS counts it on the monitored end.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ios := d.cli(t, "ios", "show interfaces "+v.Mon+"\n")
		if num("ios", ios, `(\d+) packets input`) == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the burst never arrived:\n%s", ios)
		}
	}
	snmp := func(oid string, index int) uint64 {
		t.Helper()
		out, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", fmt.Sprintf("1.3.6.1.2.1.31.1.1.1.%s.%d", oid, index))
		if err != nil {
			t.Fatalf("snmpget ifXTable %s.%d: %v: %s", oid, index, err, out)
		}
		n, err := strconv.ParseUint(out, 10, 64)
		if err != nil {
			t.Fatalf("snmpget ifXTable %s.%d: %q", oid, index, out)
		}
		return n
	}
	for _, end := range []struct {
		name  string
		index int
		dir   string // JunOS's and IOS's word for the burst's direction there
	}{{v.Mon, v.MonIndex, "Input"}, {v.Src, v.SrcIndex, "Output"}} {
		junos := d.cli(t, "junos", "show interfaces "+end.name+" extensive\n")
		ios := d.cli(t, "ios", "show interfaces "+end.name+"\n")
		if got := num("junos ifIndex", junos, `SNMP ifIndex: (\d+)`); got != uint64(end.index) {
			t.Errorf("%s: JunOS says SNMP ifIndex %d, IF-MIB's is %d:\n%s", end.name, got, end.index, junos)
		}
		if got := num("junos index", junos, `Interface index: (\d+)`); got != uint64(end.index) {
			t.Errorf("%s: JunOS says Interface index %d, want %d", end.name, got, end.index)
		}
		type reading struct{ inB, inP, outB, outP uint64 }
		jr := reading{
			num("junos", junos, `Input  bytes  :\s+(\d+)`), num("junos", junos, `Input  packets:\s+(\d+)`),
			num("junos", junos, `Output bytes  :\s+(\d+)`), num("junos", junos, `Output packets:\s+(\d+)`),
		}
		ir := reading{
			num("ios", ios, `\d+ packets input, (\d+) bytes`), num("ios", ios, `(\d+) packets input`),
			num("ios", ios, `\d+ packets output, (\d+) bytes`), num("ios", ios, `(\d+) packets output`),
		}
		mr := reading{snmp("6", end.index), snmp("7", end.index) + snmp("8", end.index), snmp("10", end.index), snmp("11", end.index)}
		var js struct {
			InterfaceInformation struct {
				PhysicalInterface []struct {
					SNMPIndex         int `json:"snmp_index"`
					TrafficStatistics struct {
						InputBytes    uint64 `json:"input_bytes"`
						InputPackets  uint64 `json:"input_packets"`
						OutputBytes   uint64 `json:"output_bytes"`
						OutputPackets uint64 `json:"output_packets"`
					} `json:"traffic_statistics"`
				} `json:"physical_interface"`
			} `json:"interface_information"`
		}
		raw := d.cli(t, "junos", "show interfaces "+end.name+" | display json\n")
		if err := json.Unmarshal([]byte(raw), &js); err != nil || len(js.InterfaceInformation.PhysicalInterface) != 1 {
			t.Fatalf("show interfaces %s | display json: %v\n%s", end.name, err, raw)
		}
		p := js.InterfaceInformation.PhysicalInterface[0]
		jsr := reading{p.TrafficStatistics.InputBytes, p.TrafficStatistics.InputPackets, p.TrafficStatistics.OutputBytes, p.TrafficStatistics.OutputPackets}
		if jr != ir || jr != mr || jr != jsr || p.SNMPIndex != end.index {
			t.Errorf("%s: JunOS %+v, its json %+v (ifIndex %d), IOS %+v, IF-MIB %+v; want all the same\n%s\n%s", end.name, jr, jsr, p.SNMPIndex, ir, mr, junos, ios)
		}
		// Nothing else moves on the pair (no IPv6 autoconfiguration):
		// the burst exactly, 7 frames of 142..202 bytes.
		pkts, bytes := jr.inP, jr.inB
		if end.dir == "Output" {
			pkts, bytes = jr.outP, jr.outB
		}
		if pkts != 7 || bytes != 1204 {
			t.Errorf("%s: %s %d packets, %d bytes; want the burst's 7 and 1204\n%s", end.name, end.dir, pkts, bytes, junos)
		}
	}
}

// TestJunOSShowInterfacesFlapAndRate: a port taken down and up between
// two looks gets a Last flapped time, the flap's (heard from netlink as it
// happened, a second and more before the look), and two more Carrier
// transitions; a burst between two looks a second or
// more apart gives an input rate no more than the burst over a second.
func TestJunOSShowInterfacesFlapAndRate(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "hostname flaptap\nusername admin secret letmein\n")
	look := func() string { return d.cli(t, "junos", "show interfaces "+v.Mon+" extensive\n") }
	num := func(screen, re string) uint64 {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(screen)
		if m == nil {
			t.Fatalf("no %q in\n%s", re, screen)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		return n
	}
	first := look()
	if !strings.Contains(first, "  Last flapped   : Never\n") {
		t.Errorf("a port the daemon has not seen flap:\n%s", first)
	}
	for _, state := range []string{"down", "up"} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", "link", "set", v.Mon, state)); err != nil {
			t.Fatalf("ip link set %s %s: %v\n%s", v.Mon, state, err, out)
		}
	}
	time.Sleep(1100 * time.Millisecond) // the rate's sample is over a second old
	v.Send(t, [][]byte{udpFrame([4]byte{198, 51, 100, 1}, 1000, 100), udpFrame([4]byte{198, 51, 100, 1}, 1001, 100)})
	var second string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		second = look()
		if num(second, `Input  packets:\s+(\d+)`) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(second, "Physical link is Up") || strings.Contains(second, "Last flapped   : Never") ||
		!regexp.MustCompile(`Last flapped   : \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(00:00:0[1-9] ago\)`).MatchString(second) {
		t.Errorf("after down and up:\n%s", second)
	}
	if a, b := num(first, `Carrier transitions: (\d+)`), num(second, `Carrier transitions: (\d+)`); b != a+2 {
		t.Errorf("Carrier transitions went from %d to %d, want 2 more", a, b)
	}
	bytes := num(second, `Input  bytes  :\s+(\d+)`)
	if bps := num(second, `Input  bytes  :\s+\d+\s+(\d+) bps`); bps == 0 || bps > bytes*8 {
		t.Errorf("input rate %d bps after %d bytes over more than a second\n%s", bps, bytes, second)
	}
	if pps := num(second, `Input  packets:\s+\d+\s+(\d+) pps`); pps == 0 || pps > 2 {
		t.Errorf("input rate %d pps after 2 packets over more than a second\n%s", pps, second)
	}
}
