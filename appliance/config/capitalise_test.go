package config

import "testing"

// A reason is capitalised as IOS's messages are, but one that starts with
// an address or a name keeps it: "% Fe80::1 on port 2055 ..." was printed.
func TestCapitaliseLeavesNamesAlone(t *testing.T) {
	for in, want := range map[string]string{
		"configured twice":                   "Configured twice",
		"template refresh-rate 700 is wrong": "Template refresh-rate 700 is wrong",
		"interface: eth9":                    "Interface: eth9",
		"time-based sampling":                "Time-based sampling",
		"fe80::1 on port 2055":               "fe80::1 on port 2055",
		"eth1 is not a port":                 "eth1 is not a port",
		"collector.example.net is unknown":   "collector.example.net is unknown",
		"ip flow-export source is eth0":      "ip flow-export source is eth0",
		"ipv6 flow monitor M6 is bound":      "ipv6 flow monitor M6 is bound",
		"ipsec is not metered":               "Ipsec is not metered",
		"":                                   "",
	} {
		if got := capitalise(in); got != want {
			t.Errorf("capitalise(%q) = %q, want %q", in, got, want)
		}
	}
}
