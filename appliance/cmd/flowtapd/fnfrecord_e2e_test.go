package main

import (
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowFlowRecordPredefined: show flow record lists a predefined
// record a monitor uses by its three-word name, but the name itself was
// refused as invalid input (show flow record netflow ipv4
// original-input), and the record was called User defined. It is shown
// with IOS-XE's description, used or not.
func TestShowFlowRecordPredefined(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname fnfrec
username admin privilege 15 secret letmein
flow monitor M6
 record netflow ipv6 original-input
!
`)
	fields := func(fam, tos string) string {
		return "  Fields:\n" +
			"    match " + fam + " " + tos + "\n    match " + fam + " protocol\n    match " + fam + " source address\n    match " + fam + " destination address\n" +
			"    match transport source-port\n    match transport destination-port\n    match interface input\n" +
			"    collect routing source as\n    collect routing destination as\n    collect routing next-hop address " + fam + "\n" +
			"    collect " + fam + " source mask\n    collect " + fam + " destination mask\n    collect transport tcp flags\n    collect interface output\n" +
			"    collect counter bytes\n    collect counter packets\n    collect timestamp sys-uptime first\n    collect timestamp sys-uptime last\n"
	}
	for _, c := range []struct{ cmd, want string }{
		{"show flow record netflow ipv4 original-input\n", "flow record netflow ipv4 original-input:\n" +
			"  Description:        Traditional IPv4 input NetFlow\n  No. of users:       0\n  Total field space:  54 bytes\n" + fields("ipv4", "tos")},
		{"show flow record netflow ipv6 original-input\n", "flow record netflow ipv6 original-input:\n" +
			"  Description:        Traditional IPv6 input NetFlow\n  No. of users:       1\n  Total field space:  90 bytes\n" + fields("ipv6", "traffic-class")},
	} {
		if got := d.cli(t, "ios", c.cmd); got != c.want {
			t.Errorf("%s%s\nwant:\n%s", c.cmd, got, c.want)
		}
	}
}
