package main

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestVTYAccessClass: `line vty` `access-class` decides who may log in
// with the real OpenSSH client, standard or extended; an extended entry
// naming the box's own address as the destination matches a connection
// to that address. Before, the destination was not known to the list,
// so `permit tcp host ADMIN host BOX eq 22` refused everyone and locked
// the operators out.
func TestVTYAccessClass(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
access-list 5 permit 127.0.0.1
access-list 6 deny 127.0.0.1
access-list 6 permit any
access-list 120 permit tcp host 127.0.0.1 host 127.0.0.1 eq 22
access-list 121 permit tcp host 127.0.0.1 host 192.0.2.1 eq 22
access-list 122 permit tcp host 127.0.0.1 host 127.0.0.1 eq 23
`)
	for _, c := range []struct {
		acl   string
		login bool
	}{
		{"5", true},
		{"6", false},
		{"120", true},  // to this box's address: permitted
		{"121", false}, // to another address: not this connection
		{"122", false}, // another port
		{"", true},
	} {
		conf := "configure terminal\nline vty 0 4\nno access-class\nend\n"
		if c.acl != "" {
			conf = "configure terminal\nline vty 0 4\naccess-class " + c.acl + " in\nend\n"
		}
		if out := d.cli(t, "ios", conf); strings.Contains(out, "%") {
			t.Fatalf("%s:\n%s", conf, out)
		}
		out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n")
		if got := err == nil && strings.Contains(out, "Current privilege level is 15"); got != c.login {
			t.Errorf("access-class %q: logged in %v (%v), want %v:\n%s", c.acl, got, err, c.login, out)
		}
	}
}
