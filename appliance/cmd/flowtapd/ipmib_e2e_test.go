package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestSNMPIPMIBAddresses: the addresses an NMS discovers a device by,
// read from the kernel as flowtapd runs: ipAddrTable (IPv4, with the
// ifIndex and mask), ipAddressTable (both families, each pointing at its
// ipAddressPrefixTable row, whose index ends with the prefix length) and
// the prefix rows themselves, as net-snmp walks them. Before, flowtap
// served no IP-MIB and an NMS listed no address for it.
func TestSNMPIPMIBAddresses(t *testing.T) {
	v := testnet.Enter(t)
	for _, args := range [][]string{
		{"addr", "add", "192.0.2.1/24", "dev", v.Src},
		{"addr", "add", "198.51.100.7/25", "dev", v.Mon},
	} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	if out, err := testproc.CombinedOutput(exec.Command("sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/"+v.Src+"/disable_ipv6 && ip addr add 2001:db8::1/64 dev "+v.Src+" nodad")); err != nil {
		t.Fatalf("IPv6 address: %v\n%s", err, out)
	}
	d := startDaemon(t, `hostname iptap
username admin secret letmein
snmp-server community public RO
`)
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	out := snmpTool(t, "snmpwalk", "-v2c", "-cpublic", "-On", "-OQ", agent, "1.3.6.1.2.1.4")
	src, mon := v.SrcIndex, v.MonIndex
	v6 := "32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1" // 2001:db8::1
	for _, w := range []string{
		// ipAddrTable
		".1.3.6.1.2.1.4.20.1.1.192.0.2.1 = 192.0.2.1",
		fmt.Sprintf(".1.3.6.1.2.1.4.20.1.2.192.0.2.1 = %d", src),
		".1.3.6.1.2.1.4.20.1.3.192.0.2.1 = 255.255.255.0",
		fmt.Sprintf(".1.3.6.1.2.1.4.20.1.2.198.51.100.7 = %d", mon),
		".1.3.6.1.2.1.4.20.1.3.198.51.100.7 = 255.255.255.128",
		".1.3.6.1.2.1.4.20.1.1.127.0.0.1 = 127.0.0.1",
		// ipAddressTable: ifIndex, unicast, the prefix row, manual, preferred
		fmt.Sprintf(".1.3.6.1.2.1.4.34.1.3.1.4.192.0.2.1 = %d", src),
		fmt.Sprintf(".1.3.6.1.2.1.4.34.1.5.1.4.192.0.2.1 = .1.3.6.1.2.1.4.32.1.5.%d.1.4.192.0.2.0.24", src),
		".1.3.6.1.2.1.4.34.1.6.1.4.192.0.2.1 = 2",
		fmt.Sprintf(".1.3.6.1.2.1.4.34.1.3.2.16.%s = %d", v6, src),
		fmt.Sprintf(".1.3.6.1.2.1.4.34.1.5.2.16.%s = .1.3.6.1.2.1.4.32.1.5.%d.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.0.64", v6, src),
		fmt.Sprintf(".1.3.6.1.2.1.4.34.1.7.2.16.%s = 1", v6),
		// ipAddressPrefixTable: the rows the pointers name
		fmt.Sprintf(".1.3.6.1.2.1.4.32.1.5.%d.1.4.192.0.2.0.24 = 2", src),
		fmt.Sprintf(".1.3.6.1.2.1.4.32.1.5.%d.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.0.64 = 2", src),
	} {
		if !strings.Contains(out+"\n", w+"\n") {
			t.Errorf("IP-MIB lacks %q:\n%s", w, out)
		}
	}
}
