package main

import (
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowSNMPCommunity: an operator checks the communities an NMS polls
// with and the access list guarding each; show snmp community was
// refused as invalid input. It is privileged (the strings are the
// passwords): a level-1 login is refused, as for show snmp host.
func TestShowSNMPCommunity(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname nms
username admin privilege 15 secret adminpass
username oper privilege 1 secret operpass
access-list 10 permit 192.0.2.0 0.0.0.255
snmp-server community public RO 10
snmp-server community private RW
`)
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show snmp community\n")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	want := "\nCommunity name: public\nCommunity Index: public\nCommunity SecurityName: public\nstorage-type: nonvolatile        active access-list: 10\n\n\n" +
		"Community name: private\nCommunity Index: private\nCommunity SecurityName: private\nstorage-type: nonvolatile        active\n\n\n"
	if out != want {
		t.Errorf("show snmp community at level 15:\n%q\nwant:\n%q", out, want)
	}
	out, _ = openSSH(t, d.sshAddr, "oper", "operpass", false, "show snmp community\n")
	// No echo without a terminal; the caret is under "community" after
	// the prompt nms>.
	if want := "              ^\n% Invalid input detected at '^' marker.\n"; out != want {
		t.Errorf("show snmp community at level 1:\n%q\nwant:\n%q", out, want)
	}
}
