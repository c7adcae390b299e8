package main

import (
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSDualStackFlowServerTemplate: Junos's dual-stack inline
// J-Flow names one collector under family inet with an ipv4 template and
// under family inet6 with an ipv6 one. flowtap's flow-server serves every
// family with one template, and the inet6 line silently replaced the
// inet one's template (show | compare showed `template ipv4` gone and a
// flow-active-timeout nobody typed). The inet6 line is refused with the
// reason; the inet server keeps its template.
func TestJunOSDualStackFlowServerTemplate(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nplatform cflowd\nusername admin privilege 15 secret adminpass\n")
	got := d.cli(t, "junos", `configure
load merge terminal
services {
    flow-monitoring {
        version-ipfix {
            template ipv4 {
                flow-active-timeout 60;
                ipv4-template;
            }
            template ipv6 {
                flow-active-timeout 60;
                ipv6-template;
            }
        }
    }
}
forwarding-options {
    sampling {
        instance {
            SI {
                input {
                    rate 1;
                }
                family inet {
                    output {
                        flow-server 192.0.2.9 {
                            port 4739;
                            version-ipfix {
                                template {
                                    ipv4;
                                }
                            }
                        }
                    }
                }
                family inet6 {
                    output {
                        flow-server 192.0.2.9 {
                            port 4739;
                            version-ipfix {
                                template {
                                    ipv6;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
`+"\x04\n"+`show forwarding-options | display set
commit check
`)
	want := `Entering configuration mode

[Type ^D at a new line to end input]
set forwarding-options sampling instance SI family inet6 output flow-server 192.0.2.9 version-ipfix template ipv6
error: flow-server 192.0.2.9 uses template ipv4 for every family (set under family inet): flowtap's flow-server has one template, which carries its IPv6 flows too
load complete (1 errors)
set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet output flow-server 192.0.2.9 port 4739
set forwarding-options sampling instance SI family inet output flow-server 192.0.2.9 version-ipfix template ipv4
configuration check succeeds
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
