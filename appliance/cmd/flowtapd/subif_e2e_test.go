package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// tagged puts an 802.1Q tag with vlan on an Ethernet frame.
func tagged(frame []byte, vlan uint16) []byte {
	out := append([]byte(nil), frame[:12]...)
	out = append(out, 0x81, 0x00, byte(vlan>>8), byte(vlan))
	return append(out, frame[12:]...)
}

// TestSubinterfaceIsItsOwnInterface: `interface vmon.190` makes VLAN 190's
// frames on vmon input on the subinterface: `show ip cache flow` names it
// as the source interface, and the v9 export carries its ifIndex (63001,
// no kernel device has its name) and names it in the interface-names
// table, and IF-MIB lists it, while untagged frames stay on vmon. VLAN
// 191 (vmon.191, 63002) carries the same 5-tuple as VLAN 190: two flows.
func TestSubinterfaceIsItsOwnInterface(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname vlantest
username admin secret letmein
snmp-server community public RO
interface %[1]s
 ip flow ingress
!
interface %[1]s.190
 ip flow ingress
!
interface %[1]s.191
 ip flow ingress
!
ip flow-export version 9
ip flow-export interface-names
ip flow-export destination %[2]s %[3]d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	d.waitMetering(t, v.Mon)
	// A veth runs native XDP; that offload failed first is no news for
	// the operator's console.
	for _, l := range strings.Split(d.log.String(), "\n") {
		if strings.Contains(l, `msg="metering port" port=`+v.Mon) && strings.Contains(l, "xdp-mode=native") && strings.Contains(l, "tried=") {
			t.Errorf("a port metering in native mode logs the modes tried first: %s", l)
		}
	}
	var frames [][]byte
	for range 3 {
		frames = append(frames, tagged(udpFrame([4]byte{10, 9, 0, 1}, 1000, 20), 190))
	}
	for range 2 {
		frames = append(frames, udpFrame([4]byte{10, 9, 0, 3}, 1001, 30))
	}
	for range 4 {
		frames = append(frames, tagged(udpFrame([4]byte{10, 9, 0, 1}, 1000, 20), 191))
	}
	v.Send(t, frames)
	want := "vmon.190      10.9.0.1        Null          192.0.2.9       11 03E8 0035     3\n" +
		"vmon.191      10.9.0.1        Null          192.0.2.9       11 03E8 0035     4\n" +
		"vmon          10.9.0.3        Null          192.0.2.9       11 03E9 0035     2\n"
	var got string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got = d.cli(t, "ios", "show ip cache flow | include 192.0.2.9\n")
		if got == want || time.Now().After(deadline) {
			break
		}
	}
	if got != want {
		t.Fatalf("show ip cache flow:\n%s\nwant:\n%s", got, want)
	}
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	if got := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-On", "-Oqv", agent, "1.3.6.1.2.1.31.1.1.1.1.63001", "1.3.6.1.2.1.2.2.1.8.63001"); got != "\"vmon.190\"\n1" && got != "vmon.190\n1" {
		t.Errorf("IF-MIB ifName.63001, ifOperStatus.63001: %q, want vmon.190, 1 (up)", got)
	}
	d.stop(t, syscall.SIGTERM)
	files, _ := capd.Close(t)
	lines := nfdumpRows(t, files, "%sa|%in|%pkt")
	wantRecs := map[string]bool{"10.9.0.1|63001|3": true, "10.9.0.1|63002|4": true, fmt.Sprintf("10.9.0.3|%d|2", v.MonIndex): true}
	if len(lines) != 3 || !wantRecs[lines[0]] || !wantRecs[lines[1]] || !wantRecs[lines[2]] {
		t.Fatalf("nfdump (source|input|packets): %q, want %v", lines, wantRecs)
	}
}
