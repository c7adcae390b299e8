package main

import (
	"fmt"
	"maps"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestInterfaceNamesFollowPorts: `ip flow-export interface-names` names
// each port under the ifindex its flows carry now. A port deleted and
// added again (vmonb: a driver reloaded, a NIC replaced) has another
// ifindex, and a port missing at the start (vlate) gets one when it
// appears (vnever never does: it is named by no row); both are metered again by the port pass without an operator,
// and the table tshark decodes from the last v9 packet names them under
// their new ifindexes, as the flows they carry. Before, the table was
// resolved once per configuration: a box left alone for months while its
// ports came and went kept naming ifindexes no flow had any more and
// never named the ones its flows carried.
func TestInterfaceNamesFollowPorts(t *testing.T) {
	collector.RequireTool(t, "tshark", "tshark")
	v := testnet.Enter(t)
	oldB, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	port, stop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname ifnames
username admin secret letmein
interface %s
 ip flow ingress
!
interface vmonb
 ip flow ingress
!
interface vlate
 ip flow ingress
!
interface vnever
 ip flow ingress
!
ip flow-cache timeout inactive 10
ip flow-export version 9
ip flow-export interface-names
ip flow-export destination 127.0.0.1 %d
`, v.Mon, port))
	d.waitMetering(t, v.Mon)
	d.waitMeteringN(t, "vmonb", 1)
	b.Send(t, udpFrames([4]byte{10, 9, 0, 2}, 4000, 2))
	// Its flow leaves at the inactive timeout, in the start's table's
	// company.
	const sent = "  1 flows exported in 1 udp datagrams\n"
	for deadline := time.Now().Add(30 * time.Second); d.cli(t, "ios", "show ip flow export | include exported in") != sent; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the first flow was not exported: %q", d.cli(t, "ios", "show ip flow export"))
		}
	}

	if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "link", "del", "vmonb")); err != nil {
		t.Fatalf("ip link del: %v %s", err, out)
	}
	newB, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b.SrcIndex = srcB
	late, srcL := v.AddPair(t, "vlate", "vsrcl")
	l := *v
	l.SrcIndex = srcL
	// The port pass that meters a port again moves its row in the same
	// pass, before the stop below can take the daemon.
	d.waitMeteringN(t, "vmonb", 2)
	d.waitMetering(t, "vlate")
	b.Send(t, udpFrames([4]byte{10, 9, 0, 3}, 4000, 3))
	l.Send(t, udpFrames([4]byte{10, 9, 0, 4}, 4000, 4))
	v.Send(t, udpFrames([4]byte{10, 9, 0, 1}, 4000, 1))
	d.stop(t, syscall.SIGTERM)
	// vnever, missing all along, is the configuration's news (logged at
	// the start), not the moved rows'.
	if strings.Contains(d.log.String(), "interface names not moved") {
		t.Errorf("the rows' move is logged as failed:\n%s", d.log)
	}

	// Each packet's options rows come before its flow records, so its
	// first ifindexes are those the names go with.
	var tables []map[string]int
	inputs := map[string]int{} // the flows' input ifindex by source
	for _, p := range collector.TsharkCflow(t, stop(), port, "cflow.if_name", "cflow.inputint", "cflow.srcaddr", "cflow.packets") {
		names, ifs, srcs := p["cflow.if_name"], p["cflow.inputint"], p["cflow.srcaddr"]
		if len(ifs) != len(names)+len(srcs) {
			t.Fatalf("a packet with %d names and %d flows has %d ifindexes: %v", len(names), len(srcs), len(ifs), p)
		}
		if len(names) > 0 {
			table := map[string]int{}
			for i, n := range names {
				table[n], _ = strconv.Atoi(ifs[i])
			}
			tables = append(tables, table)
		}
		for i, s := range srcs {
			inputs[s], _ = strconv.Atoi(ifs[len(names)+i])
		}
	}
	if len(tables) == 0 {
		t.Fatal("no interface-names table exported")
	}
	first, last := tables[0], tables[len(tables)-1]
	if want := map[string]int{v.Mon: v.MonIndex, "vmonb": oldB}; !maps.Equal(first, want) {
		t.Errorf("the start's interface names %v, want %v (vlate is not there yet)", first, want)
	}
	if want := map[string]int{v.Mon: v.MonIndex, "vmonb": newB, "vlate": late}; !maps.Equal(last, want) {
		t.Errorf("the last interface names %v, want %v", last, want)
	}
	if want := map[string]int{"10.9.0.1": v.MonIndex, "10.9.0.2": oldB, "10.9.0.3": newB, "10.9.0.4": late}; !maps.Equal(inputs, want) {
		t.Errorf("the flows' input ifindexes by source %v, want %v", inputs, want)
	}
}
