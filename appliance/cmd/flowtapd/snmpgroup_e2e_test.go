package main

import (
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowSNMPGroupViews: an operator reads which views each SNMPv3 group
// has. A group configured without a read view showed "<every object>",
// a name IOS never prints: IOS names the default view v1default, so a
// script or an operator comparing with a router saw a view that does
// not exist. A named read and write view print as configured.
func TestShowSNMPGroupViews(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname nms
username admin privilege 15 secret adminpass
snmp-server view NOSYS iso included
snmp-server view NOSYS system excluded
snmp-server group OPS v3 priv
snmp-server group RW v3 auth read NOSYS write NOSYS access 10
`)
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show snmp group\n")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	want := "groupname: OPS                              security model:v3 priv\n" +
		"contextname: <no context specified>         storage-type: nonvolatile\n" +
		"readview : v1default                        writeview: <no writeview specified>\n" +
		"notifyview: <no notifyview specified>\n" +
		"row status: active\n\n" +
		"groupname: RW                               security model:v3 auth\n" +
		"contextname: <no context specified>         storage-type: nonvolatile\n" +
		"readview : NOSYS                            writeview: NOSYS\n" +
		"notifyview: <no notifyview specified>\n" +
		"row status: active\taccess-list: 10\n\n"
	if out != want {
		t.Errorf("show snmp group:\n%q\nwant:\n%q", out, want)
	}
}
