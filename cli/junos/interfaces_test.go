package junos

import (
	"os"
	"strings"
	"testing"
)

// TestShowInterfaces: show interfaces terse lists every link, NAME,
// NAME brief, NAME detail and NAME extensive print one with the counters
// the backend gives (brief none, detail the traffic, extensive the
// errors too),
// descriptions lists the links that have one, an
// unknown name gets JunOS's error, and `?` lists each option and the
// box's links where a name may go.
func TestShowInterfaces(t *testing.T) {
	s := newTestSession(t)
	h := shell{s}
	for line, want := range map[string]string{
		"show interfaces ": `Possible completions:
  <interface-name>     Name of physical interface
  brief                Display brief output
  descriptions         Display interface description strings
  detail               Display detailed output
  eth0
  eth1
  extensive            Display extensive output
  terse                Display terse output
  <[Enter]>            Execute this command
  |                    Pipe through a command`,
		"show interfaces eth1 ": `Possible completions:
  brief                Display brief output
  detail               Display detailed output
  extensive            Display extensive output
  terse                Display terse output
  <[Enter]>            Execute this command
  |                    Pipe through a command`,
		// The start of a name: the links it begins, and the
		// keywords it begins too.
		"show interfaces e": `Possible completions:
  eth0
  eth1
  extensive            Display extensive output`,
		"show interfaces eth": `Possible completions:
  eth0
  eth1`,
		"show interfaces x": `syntax error.`,
	} {
		if got := strings.Join(h.Help(line), "\n"); got != want {
			t.Errorf("%q ?\n%s\nwant\n%s", line, got, want)
		}
	}
	got := transcript(s, `
show interfaces terse
show interfaces eth1
show interfaces eth1 brief
show interfaces eth1 detail
show interfaces eth1 extensive
show interfaces eth0 terse
show interfaces descriptions
show interfaces eth9`)
	want := `ops@jtap> show interfaces terse
Interface               Admin Link Proto    Local                 Remote
eth0                    up    up   inet     10.0.2.15/24
eth1                    up    up
ops@jtap> show interfaces eth1
Physical interface: eth1, Enabled, Physical link is Up
  Interface index: 3, SNMP ifIndex: 3
  Description: span from core1
  Link-level type: Ethernet, MTU: 1500, Link-mode: Full-duplex, Speed: 10Gbps
  Device flags   : Present Running
  Current address: aa:bb:cc:00:01:00, Hardware address: aa:bb:cc:00:01:00
  Last flapped   : Never
  Flow monitoring: ingress, passive tap, XDP native
  Input rate     : 8000 bps (10 pps)
  Output rate    : 0 bps (0 pps)
ops@jtap> show interfaces eth1 brief
Physical interface: eth1, Enabled, Physical link is Up
  Description: span from core1
  Link-level type: Ethernet, MTU: 1500, Link-mode: Full-duplex, Speed: 10Gbps
  Device flags   : Present Running
  Flow monitoring: ingress, passive tap, XDP native
ops@jtap> show interfaces eth1 detail
Physical interface: eth1, Enabled, Physical link is Up
  Interface index: 3, SNMP ifIndex: 3
  Description: span from core1
  Link-level type: Ethernet, MTU: 1500, Link-mode: Full-duplex, Speed: 10Gbps
  Device flags   : Present Running
  Current address: aa:bb:cc:00:01:00, Hardware address: aa:bb:cc:00:01:00
  Last flapped   : Never
  Flow monitoring: ingress, passive tap, XDP native
  Statistics last cleared: Never
  Traffic statistics:
   Input  bytes  :            812345678                 8000 bps
   Output bytes  :                  600                    0 bps
   Input  packets:               987654                   10 pps
   Output packets:                    5                    0 pps
ops@jtap> show interfaces eth1 extensive
Physical interface: eth1, Enabled, Physical link is Up
  Interface index: 3, SNMP ifIndex: 3
  Description: span from core1
  Link-level type: Ethernet, MTU: 1500, Link-mode: Full-duplex, Speed: 10Gbps
  Device flags   : Present Running
  Current address: aa:bb:cc:00:01:00, Hardware address: aa:bb:cc:00:01:00
  Last flapped   : Never
  Flow monitoring: ingress, passive tap, XDP native
  Statistics last cleared: Never
  Traffic statistics:
   Input  bytes  :            812345678                 8000 bps
   Output bytes  :                  600                    0 bps
   Input  packets:               987654                   10 pps
   Output packets:                    5                    0 pps
  Input errors:
    Errors: 2, Drops: 3, Framing errors: 4, CRC errors: 2, FIFO errors: 1, Resource errors: 7
    XDP drops: 987640 (tap: dropped after metering)
  Output errors:
    Carrier transitions: 13, Errors: 6, Drops: 8, Collisions: 9, Carrier errors: 11
ops@jtap> show interfaces eth0 terse
Interface               Admin Link Proto    Local                 Remote
eth0                    up    up   inet     10.0.2.15/24
ops@jtap> show interfaces descriptions
Interface       Admin Link Description
eth1            up    up   span from core1
ops@jtap> show interfaces eth9
error: device eth9 not found
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}

// TestShowInterfacesJSON: | display json carries every number of the
// extensive screen, for one interface and for all.
func TestShowInterfacesJSON(t *testing.T) {
	s := newTestSession(t)
	got := transcript(s, `
show interfaces eth1 | display json
show interfaces terse | display json`)
	path := "testdata/interfaces-json.golden"
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs; got:\n%s", got)
	}
}

// TestInterfaceNamesInConfigHelp: in configuration mode `?` where an
// interface name goes lists the box's links too (their start typed,
// those it begins), but not for the services interface (sp-*), which is
// no link of the box.
func TestInterfaceNamesInConfigHelp(t *testing.T) {
	s := newTestSession(t)
	h := shell{s}
	s.Exec("configure")
	for line, want := range map[string]string{
		"set interfaces ": `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  <interface-name>     Interface name
  eth0
  eth1`,
		"set interfaces eth": `Possible completions:
  <interface-name>     Interface name
  eth0
  eth1`,
		"run show interfaces eth": `Possible completions:
  eth0
  eth1`,
	} {
		if got := strings.Join(h.Help(line), "\n"); got != want {
			t.Errorf("%q ?\n%s\nwant\n%s", line, got, want)
		}
	}
	if got := strings.Join(h.Help("set forwarding-options sampling family inet output interface "), "\n"); strings.Contains(got, "eth0") {
		t.Errorf("the services interface's ? lists the box's links:\n%s", got)
	}
}

// TestCompleteInterfaceName: Tab after the start of an interface name
// completes the one link it picks out (not when a keyword begins so, or
// two links do), in operational mode, after run, and after set in
// configuration mode.
func TestCompleteInterfaceName(t *testing.T) {
	s := newTestSession(t)
	h := shell{s}
	for line, want := range map[string]string{
		"show interfaces eth1":      "show interfaces eth1 ",
		"show interfaces eth":       "show interfaces eth",
		"show interfaces e":         "show interfaces e",
		"show interfaces eth0 ter":  "show interfaces eth0 terse ",
		"show services accounting ": "show services accounting ",
	} {
		if got := h.Complete(line); got != want {
			t.Errorf("%q Tab: %q, want %q", line, got, want)
		}
	}
	s.Exec("configure")
	for line, want := range map[string]string{
		"run show interfaces eth0": "run show interfaces eth0 ",
		"run show inter":           "run show interfaces ",
		"set interfaces eth1":      "set interfaces eth1 ",
		"set forwarding-options s": "set forwarding-options sampling ",
	} {
		if got := h.Complete(line); got != want {
			t.Errorf("%q Tab: %q, want %q", line, got, want)
		}
	}
}
