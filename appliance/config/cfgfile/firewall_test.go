package cfgfile

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// TestJunOSFirewallFilter: the seed's brace form and the set form give
// the same filter, applied to a port; it renders back in both forms and
// reads back the same.
func TestJunOSFirewallFilter(t *testing.T) {
	braces := `interfaces {
    eth1 {
        unit 0 {
            family inet {
                filter {
                    input catch_all;
                }
            }
        }
    }
}
firewall {
    family inet {
        filter catch_all {
            term ssh {
                from {
                    destination-address {
                        192.0.2.0/24;
                    }
                    protocol tcp;
                    destination-port [ ssh 8000-8080 ];
                }
                then {
                    count ssh-in;
                    sample;
                    accept;
                }
            }
            term default {
                then {
                    sample;
                    accept;
                }
            }
        }
    }
}
`
	c, err := junos.Parse("seed.conf", []byte(braces))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.FirewallFilter{{Family: "inet", Name: "catch_all", Terms: []config.FilterTerm{
		{Name: "ssh", DestinationAddresses: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, Protocols: []uint8{6},
			DestinationPorts: []appclass.PortRange{{Lo: 22, Hi: 22}, {Lo: 8000, Hi: 8080}}, Count: "ssh-in", Sample: true, Accept: true},
		{Name: "default", Sample: true, Accept: true},
	}}}
	if !reflect.DeepEqual(c.Firewall, want) {
		t.Fatalf("firewall %+v\nwant %+v", c.Firewall, want)
	}
	if len(c.Interfaces) != 1 || c.Interfaces[0].FilterInput4 != "catch_all" || !c.Interfaces[0].Metered() {
		t.Fatalf("interfaces %+v", c.Interfaces)
	}
	set := junos.RenderSet(c)
	for _, l := range []string{
		"set interfaces eth1 unit 0 family inet filter input catch_all\n",
		"set firewall family inet filter catch_all term ssh from destination-address 192.0.2.0/24\n",
		"set firewall family inet filter catch_all term ssh from destination-port ssh\n",
		"set firewall family inet filter catch_all term ssh from destination-port 8000-8080\n",
		"set firewall family inet filter catch_all term ssh then count ssh-in\n",
		"set firewall family inet filter catch_all term default then sample\n",
	} {
		if !strings.Contains(set, l) {
			t.Errorf("display set lacks %q:\n%s", l, set)
		}
	}
	for name, text := range map[string]string{"set": set, "braces": junos.Render(c)} {
		back, err := junos.Parse(name, []byte(text))
		if err != nil {
			t.Fatalf("%s form does not read back: %v\n%s", name, err, text)
		}
		if !reflect.DeepEqual(back.Firewall, c.Firewall) || back.Interfaces[0].FilterInput4 != "catch_all" {
			t.Errorf("%s form reads back as %+v", name, back.Firewall)
		}
	}
	// delete a term, a filter in use is refused.
	s := junos.NewSession(c, "cli")
	for _, l := range []string{"delete firewall family inet filter catch_all term ssh"} {
		if err := s.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Firewall[0].Terms) != 1 || got.Firewall[0].Terms[0].Name != "default" {
		t.Errorf("after delete term: %+v", got.Firewall)
	}
	s = junos.NewSession(c, "cli")
	s.Exec("delete firewall family inet filter catch_all")
	if _, err := s.Commit(); err == nil || !strings.Contains(err.Error(), "catch_all is not configured") {
		t.Errorf("deleting a filter in use: %v", err)
	}
}
