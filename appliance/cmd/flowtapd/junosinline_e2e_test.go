package main

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSInlineJflowDocExampleOverOpenSSH: over the real OpenSSH
// client, a Juniper operator pastes the inline J-Flow IPFIX template of
// Juniper's own example, which resends templates and options every 1000
// packets or 10 seconds (`template-refresh-rate { packets 1000; seconds
// 10; }`), and commits it with a flow-server that uses it: packets was a
// syntax error and 10 seconds "not a whole number of 1m0s". The
// exporter then resends at those rates (IOS's show ip flow export
// template reads what is in force). A load with two bad lines names
// both, not the first alone.
func TestJunOSInlineJflowDocExampleOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := junosDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	example := []string{
		"services {",
		"    flow-monitoring {",
		"        version-ipfix {",
		"            template ipv4 {",
		"                flow-active-timeout 60;",
		"                flow-inactive-timeout 60;",
		"                template-refresh-rate {",
		"                    packets 1000;",
		"                    seconds 10;",
		"                }",
		"                option-refresh-rate {",
		"                    packets 1000;",
		"                    seconds 10;",
		"                }",
		"                ipv4-template;",
		"            }",
		"        }",
		"    }",
		"}",
		"forwarding-options {",
		"    sampling {",
		"        instance {",
		"            sample-ins1 {",
		"                input {",
		"                    rate 1;",
		"                }",
		"                family inet {",
		"                    output {",
		"                        flow-server 192.0.2.9 {",
		"                            port 4739;",
		"                            version-ipfix {",
		"                                template {",
		"                                    ipv4;",
		"                                }",
		"                            }",
		"                        }",
		"                    }",
		"                }",
		"            }",
		"        }",
		"    }",
		"}",
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure\r"+
		"load merge terminal\rset snmp bogus 1\rset system bogus 2\r\x04"+
		"load merge terminal\r"+strings.Join(example, "\r")+"\r\x04"+
		"show services | display set\r"+
		"commit and-quit\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	want := `
admin@e2e> configure
Entering configuration mode

[edit]
admin@e2e# load merge terminal
[Type ^D at a new line to end input]
set snmp bogus 1
set system bogus 2
set snmp bogus 1
         ^
syntax error.
set system bogus 2
           ^
syntax error.
load complete (2 errors)

[edit]
admin@e2e# load merge terminal
[Type ^D at a new line to end input]
` + strings.Join(example, "\n") + `
load complete

[edit]
admin@e2e# show services | display set
set services flow-monitoring version-ipfix template ipv4 flow-active-timeout 60
set services flow-monitoring version-ipfix template ipv4 flow-inactive-timeout 60
set services flow-monitoring version-ipfix template ipv4 template-refresh-rate packets 1000
set services flow-monitoring version-ipfix template ipv4 template-refresh-rate seconds 10
set services flow-monitoring version-ipfix template ipv4 option-refresh-rate packets 1000
set services flow-monitoring version-ipfix template ipv4 option-refresh-rate seconds 10
set services flow-monitoring version-ipfix template ipv4 ipv4-template

[edit]
admin@e2e# commit and-quit
commit complete
Exiting configuration mode
admin@e2e> exit
`
	if screen != want {
		t.Fatalf("over SSH:\n%s\nwant:\n%s", screen, want)
	}
	tpl := d.cli(t, "ios", "show ip flow export template\n")
	if want := "Main cache IPFIX export is enabled\n" +
		"  Template export information\n  Template timeout = 10 seconds\n  Template refresh rate = 1000\n" +
		"  Option export information\n  Option timeout = 10 seconds\n  Option refresh rate = 1000\n"; tpl != want {
		t.Errorf("show ip flow export template:\n%s\nwant:\n%s", tpl, want)
	}
	if set, want := d.cli(t, "junos", "show configuration forwarding-options | display set\n"), `set forwarding-options sampling instance sample-ins1 input rate 1
set forwarding-options sampling instance sample-ins1 family inet output flow-server 192.0.2.9 port 4739
set forwarding-options sampling instance sample-ins1 family inet output flow-server 192.0.2.9 version-ipfix template ipv4
`; set != want {
		t.Errorf("show configuration forwarding-options | display set:\n%s\nwant:\n%s", set, want)
	}
}
