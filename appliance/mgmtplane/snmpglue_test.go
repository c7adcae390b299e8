package mgmtplane

import (
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/mgmt/snmp"
)

// TestSNMPAccess: the model's snmp-server lines become the agent's
// communities (with their access lists), local USM users (group list
// inherited) and receivers: a v2c trap host, a v3 trap host using a local
// user, and a v3 inform host using the remote user and engine ID.
func TestSNMPAccess(t *testing.T) {
	src := "access-list 10 permit 192.0.2.0 0.0.0.255\n" +
		"access-list 11 permit 198.51.100.1\n" +
		"snmp-server engineID local 80007ED905000102030405060708\n" +
		"snmp-server community public RO 10\n" +
		"snmp-server community private RW\n" +
		"snmp-server group NMS v3 priv access 11\n" +
		"snmp-server user ops NMS v3 auth sha Ops-Auth-1234 priv aes 128 Ops-Priv-5678\n" +
		"snmp-server engineID remote 192.0.2.50 udp-port 1162 80001F8805AABBCCDD11223344\n" +
		"snmp-server user inf NMS remote 192.0.2.50 udp-port 1162 v3 auth sha Remote-Auth-77 priv aes 128 Remote-Priv-88\n" +
		"snmp-server host 192.0.2.40 traps version 2c public\n" +
		"snmp-server host 192.0.2.41 traps version 3 priv ops\n" +
		"snmp-server host 192.0.2.50 informs version 3 priv inf udp-port 1162\n" +
		"snmp-server host 192.0.2.42 informs version 2c public\n" +
		"snmp-server host 192.0.2.43 public\n"
	c, err := ios.Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var acl daemon.ACLCounts
	comms, users, recv := snmpAccess(c, &acl)

	if len(comms) != 2 || comms[0].Name != "public" || comms[0].Write || comms[1].Name != "private" || !comms[1].Write {
		t.Fatalf("communities %+v", comms)
	}
	agent := netip.MustParseAddrPort("192.0.2.1:161")
	if !comms[0].Allow(netip.MustParseAddrPort("192.0.2.9:40000"), agent) || comms[0].Allow(netip.MustParseAddrPort("203.0.113.9:40000"), agent) {
		t.Error("public's access-list 10 not applied")
	}
	if comms[1].Allow != nil {
		t.Error("private has no list, yet an Allow")
	}

	if len(users) != 1 || users[0].Name != "ops" || users[0].Auth != snmp.AuthSHA || users[0].Priv != snmp.PrivAES {
		t.Fatalf("local users %+v", users)
	}
	var u config.SNMPUser
	for _, x := range c.SNMP.Users {
		if x.Name == "ops" {
			u = x
		}
	}
	if hex.EncodeToString(users[0].AuthKey) != string(u.AuthKey) || hex.EncodeToString(users[0].PrivKey) != string(u.PrivKey) {
		t.Error("the agent's keys are not the model's localized keys")
	}
	if users[0].Allow == nil || !users[0].Allow(netip.MustParseAddrPort("198.51.100.1:5000"), agent) ||
		users[0].Allow(netip.MustParseAddrPort("198.51.100.2:5000"), agent) {
		t.Error("the group's access 11 is not the user's list")
	}

	if len(recv) != 5 {
		t.Fatalf("receivers %+v", recv)
	}
	if r := recv[0]; r.Addr != netip.MustParseAddrPort("192.0.2.40:162") || r.Community != "public" || r.User != nil || r.Inform || r.V1 {
		t.Errorf("v2c trap host %+v", r)
	}
	if r := recv[3]; r.Addr != netip.MustParseAddrPort("192.0.2.42:162") || r.Community != "public" || r.User != nil || !r.Inform || r.V1 {
		t.Errorf("v2c inform host %+v", r)
	}
	// No version is IOS's version 1.
	if r := recv[4]; r.Addr != netip.MustParseAddrPort("192.0.2.43:162") || r.Community != "public" || r.Inform || !r.V1 {
		t.Errorf("v1 trap host %+v", r)
	}
	if r := recv[1]; r.Addr != netip.MustParseAddrPort("192.0.2.41:162") || r.User == nil || r.User.Name != "ops" || !r.Trap {
		t.Errorf("v3 trap host %+v", r)
	}
	r := recv[2]
	if r.Addr != netip.MustParseAddrPort("192.0.2.50:1162") || r.User == nil || r.User.Name != "inf" || r.Trap ||
		hex.EncodeToString(r.EngineID) != "80001f8805aabbccdd11223344" {
		t.Errorf("v3 inform host %+v", r)
	}
	if got := hex.EncodeToString(snmpEngineID(c)); got != "80007ed905000102030405060708" {
		t.Errorf("engine ID %s", got)
	}
	if snmpEngineID(config.Config{}) != nil {
		t.Error("no engineID configured, yet one")
	}
}
