package main

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSDualStackFlowServerTemplate: Junos's dual-stack inline
// J-Flow names one collector under family inet with an ipv4 template and
// under family inet6 with an ipv6 one. flowtap refused the inet6 line (its
// flow-server had one template); now each family keeps its template, the
// configuration shows both as loaded, commit folds both (they agree), and
// the collector gets the IPv4 and the IPv6 flows with their exact
// packets and bytes. Deleting the inet6 family's server, or the inet6
// family, leaves the inet one, and a version9 template under inet6 is
// refused with the reason.
func TestJunOSDualStackFlowServerTemplate(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, "hostname e2e\nplatform cflowd\nusername admin privilege 15 secret adminpass\n")
	srv, port := capd.Addr.Addr(), capd.Addr.Port()
	got := d.cli(t, "junos", fmt.Sprintf(`configure
load merge terminal
services {
    flow-monitoring {
        version-ipfix {
            template ipv4 {
                flow-inactive-timeout 15;
                ipv4-template;
            }
            template ipv6 {
                flow-inactive-timeout 15;
                ipv6-template;
            }
        }
    }
}
interfaces {
    %s {
        unit 0 {
            family inet {
                sampling {
                    input;
                }
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
                        flow-server %s {
                            port %d;
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
                        flow-server %s {
                            port %d;
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
`, v.Mon, srv, port, srv, port)+"\x04\n"+`show forwarding-options | display set
commit
`)
	want := fmt.Sprintf(`Entering configuration mode

[Type ^D at a new line to end input]
load complete
set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet output flow-server %[1]s port %[2]d
set forwarding-options sampling instance SI family inet output flow-server %[1]s version-ipfix template ipv4
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s port %[2]d
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s version-ipfix template ipv6
commit complete
`, srv, port)
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	var frames [][]byte
	for i := range 3 {
		frames = append(frames, udpFrame([4]byte{10, 0, 9, 1}, 4000, 10))
		frames = append(frames, l4Frame6("2001:db8:9::1", 17, 4000))
		if i < 2 {
			frames = append(frames, l4Frame6("2001:db8:9::2", 17, 4001))
		}
	}
	v.Send(t, frames)
	exp := collector.Tuples{}
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.9.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 3, 3*38)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("2001:db8:9::1"), Dst: netip.MustParseAddr("2001:db8::9"), SrcPort: 4000, DstPort: 53}, 3, 3*58)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("2001:db8:9::2"), Dst: netip.MustParseAddr("2001:db8::9"), SrcPort: 4001, DstPort: 53}, 2, 2*58)
	// The flows leave at the templates' 15 s inactive timeout.
	for deadline := time.Now().Add(40 * time.Second); !strings.Contains(d.cli(t, "ios", "show ip flow export\n"), " 3 flows exported"); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the 3 flows were not exported:\n%s", d.cli(t, "ios", "show ip flow export\n"))
		}
	}
	expectCollected(t, capd, exp)

	got = d.cli(t, "junos", fmt.Sprintf(`configure
delete forwarding-options sampling instance SI family inet6 output flow-server %[1]s
show forwarding-options | display set
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s port %[2]d version9 template ipv6
`, srv, port))
	want = fmt.Sprintf(`Entering configuration mode

set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet output flow-server %[1]s port %[2]d
set forwarding-options sampling instance SI family inet output flow-server %[1]s version-ipfix template ipv4
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s port %[2]d version9 template ipv6
error: flow-server %[1]s exports version-ipfix with template ipv4 under family inet: flowtap sends one format to a flow-server, so this family's template must be a version-ipfix one too
`, srv, port)
	if !strings.HasPrefix(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Dropping IPv6 export: the family inet6 part goes, the inet server
	// stays (the delete took every server with it).
	got = d.cli(t, "junos", "configure\ndelete forwarding-options sampling instance SI family inet6\nshow forwarding-options | display set\n")
	want = fmt.Sprintf(`Entering configuration mode

set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet output flow-server %[1]s port %[2]d
set forwarding-options sampling instance SI family inet output flow-server %[1]s version-ipfix template ipv4
`, srv, port)
	if !strings.HasPrefix(got, want) {
		t.Errorf("delete family inet6:\n%s\nwant:\n%s", got, want)
	}
}
