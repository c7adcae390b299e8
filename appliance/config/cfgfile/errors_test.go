package cfgfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

// TestIOSErrors fixes the error text: file, line and word, then the IOS
// screen.
func TestIOSErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // the whole Error()
	}{
		{"range from the persona", "hostname r1\nip flow-cache timeout inactive 5\n",
			`t.conf:2: "5": expected <10-600> seconds
ip flow-cache timeout inactive 5
                               ^
% Invalid input detected at '^' marker.`},
		{"unknown keyword", "ip flow-export versoin 9",
			`t.conf:1: "versoin": invalid input
ip flow-export versoin 9
               ^
% Invalid input detected at '^' marker.`},
		{"ambiguous", "ip flow-c", `t.conf:1: "flow-c":
ip flow-c
% Ambiguous command:  "ip flow-c"`},
		{"incomplete", "ip flow-cache timeout", `t.conf:1: incomplete:
ip flow-cache timeout
% Incomplete command.`},
		{"caret in a sub-mode", "interface eth1\n ip flow sideways\n", `t.conf:2: "sideways": invalid input
 ip flow sideways
         ^
% Invalid input detected at '^' marker.`},
		{"persona later in the file", "mls aging normal 20\nplatform pfc3b\n", `t.conf:1: "20": expected <32-4092> seconds
mls aging normal 20
                 ^
% Invalid input detected at '^' marker.`},
		{"command the persona lacks", "mls flow ip full", `t.conf:1: "mls": the ios persona has no mls commands
mls flow ip full
^
% Invalid input detected at '^' marker.`},
		{"refused combination", "platform pfc2\nmls sampling time-based 64\n", `t.conf:2: "64": sampled NetFlow requires the interface-destination-source or interface-full flow mask, not destination
mls sampling time-based 64
% Sampled NetFlow requires the interface-destination-source or interface-full flow mask, not destination`},
		{"missing reference", "interface eth1\n flow-sampler FOO\n", `t.conf:2: "FOO": flow-sampler-map FOO is not configured
 flow-sampler FOO
% Flow-sampler-map FOO is not configured`},
		{"fixed table", "platform pfc3b\nip flow-cache entries 4096\n", `t.conf:2: "4096": the pfc3b flow table is fixed at 131072 entries
ip flow-cache entries 4096
% The pfc3b flow table is fixed at 131072 entries`},
		{"bad interface name", "interface eth2/3", `t.conf:1: "eth2/3": interface name "eth2/3": not a Linux interface name; flowtap's ports are the Linux links it taps (eth1, ens1f0), not a router's slot/port
interface eth2/3
          ^
% Invalid input detected at '^' marker.`},
		{"text after end", "hostname a\nend\nhostname b\n", `t.conf:3: configuration text after end
hostname b
% Configuration text after end`},
		{"value check of our own", "ip flow-export template refresh-rate 601", `t.conf:1: "601": invalid input
ip flow-export template refresh-rate 601
                                     ^
% Invalid input detected at '^' marker.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ios.Parse("t.conf", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			var le *config.LineError
			if !errors.As(err, &le) || le.File != "t.conf" {
				t.Fatalf("not a *LineError naming the file: %#v", err)
			}
		})
	}
}

func TestIOSReportsEveryBadLine(t *testing.T) {
	_, err := ios.Parse("t", []byte("bogus\ninterface eth1/0\n ip flow ingress\nip flow-cache entries 1\nhostname ok\n"))
	var es config.Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Fatalf("want 3 errors (the bad block's body skipped), got %v", err)
	}
	for i, line := range []int{1, 2, 4} {
		if le := es[i].(*config.LineError); le.Line != line {
			t.Errorf("error %d on line %d, want %d", i, le.Line, line)
		}
	}
}

func TestPlatformErrorCause(t *testing.T) {
	_, err := ios.Parse("t", []byte("ip flow-cache timeout active 61"))
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.Value != "61" && pe.Value != "1h1m0s" {
		t.Fatalf("the *platform.Error is not reachable: %#v", err)
	}
}

func TestJunOSErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"syntax", "set forwarding-options samplng input rate 10", `j:1: "samplng": invalid input
set forwarding-options samplng input rate 10
                       ^
syntax error.`},
		{"range", "set forwarding-options sampling input rate 0", `j:1: "0": value 0 is not within range (1..4294967295)
set forwarding-options sampling input rate 0
                                           ^
error: value 0 is not within range (1..4294967295)`},
		{"persona range at commit", "set forwarding-options sampling input rate 20000000", `j:1: "20000000": value 20000000 is not within range (1..16000000)
set forwarding-options sampling input rate 20000000
                                           ^
error: value 20000000 is not within range (1..16000000)`},
		{"ambiguous", "set f", `j:1: "f":
set f
    ^
'f' is ambiguous.`},
		{"missing port", "set forwarding-options sampling family inet output flow-server 192.0.2.1 version 9", `j:1: "192.0.2.1": collector 192.0.2.1: no port
set forwarding-options sampling family inet output flow-server 192.0.2.1 version 9
error: collector 192.0.2.1: no port`},
		{"brace syntax", "system {\n host-name x\n}\n", `j:3: syntax error: statement without ';' before '}'
error: syntax error: statement without ';' before '}'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := junos.Parse("j", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestAbbreviations(t *testing.T) {
	c, err := ios.Parse("t", []byte("ip flow-cache time act 5\nip flow-cache tim ina 20\nip flow-exp dest 192.0.2.1 2055 ver ipf\nint eth1\n ip fl ing\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Cache.Active.Minutes() != 5 || c.Cache.Inactive.Seconds() != 20 || c.Export.Destinations[0].Version != platform.IPFIX || !c.Interfaces[0].Ingress {
		t.Fatalf("abbreviated lines misread: %+v %+v %+v", c.Cache, c.Export, c.Interfaces)
	}
	j, err := junos.Parse("j", []byte("set forw samp inp rate 10\nset sys host-name jj\n"))
	if err != nil || j.Sampling.Rate != 10 || j.Hostname != "jj" {
		t.Fatalf("JunOS abbreviations: %v %+v", err, j)
	}
}

func TestNothingAppliedOnError(t *testing.T) {
	base := loadExample(t, "ios-router.conf")
	before := base.Clone()
	if _, err := ios.Apply(base, "t", []byte("hostname changed\nip flow-cache entries 7\n")); err == nil {
		t.Fatal("no error")
	}
	if _, err := junos.Apply(base, "t", []byte("set system host-name changed\nset bogus\n")); err == nil {
		t.Fatal("no error")
	}
	if !config.Equal(base, before) {
		t.Fatalf("the base changed: %v", config.Diff(before, base))
	}
}

func TestHelpCandidates(t *testing.T) {
	_, err := ios.Parse("t", []byte("ip flow-cache timeout"))
	var le *config.LineError
	if !errors.As(err, &le) || strings.Join(le.Expected, ",") != "active,inactive" {
		t.Fatalf("expected completions active, inactive: %#v", err)
	}
}
