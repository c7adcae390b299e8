package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

// TestCaptureLines: every `ip flow-capture` field flowtap records and
// `ip flow-cache mpls label-positions` read back from the running-config;
// nbar, a position past 6 or named twice are refused.
func TestCaptureLines(t *testing.T) {
	text := "ip flow-cache mpls label-positions 1 3\nip flow-capture ip-id\nip flow-capture packet-length\nip flow-capture icmp\nip flow-capture fragment-offset\n"
	c, err := Parse("capture", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if want := config.CaptureIPID | config.CapturePacketLength | config.CaptureICMP | config.CaptureFragmentOffset; c.Capture&^want != 0 || c.Capture != want {
		t.Errorf("capture %#x, want %#x", c.Capture, want)
	}
	if c.Cache.MPLSLabelPositions != [3]uint8{1, 3, 0} || c.Cache.MPLSLabels() != 2 {
		t.Errorf("label positions %v", c.Cache.MPLSLabelPositions)
	}
	got := RunningConfig(c)
	for _, l := range []string{"ip flow-cache mpls label-positions 1 3", "ip flow-capture fragment-offset", "ip flow-capture icmp", "ip flow-capture ip-id", "ip flow-capture packet-length"} {
		if !strings.Contains(got, "\n"+l+"\n") {
			t.Errorf("running-config lacks %q:\n%s", l, got)
		}
	}
	back, err := Parse("back", []byte(got))
	if err != nil || back.Capture != c.Capture || back.Cache.MPLSLabelPositions != c.Cache.MPLSLabelPositions {
		t.Errorf("read back: %#x %v, %v", back.Capture, back.Cache.MPLSLabelPositions, err)
	}
	s := NewSession(c, "console")
	for _, l := range []string{"no ip flow-capture ip-id", "no ip flow-cache mpls label-positions"} {
		if err := s.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	if c := s.Config(); c.Capture&config.CaptureIPID != 0 || c.Cache.MPLSLabels() != 0 {
		t.Errorf("after no: %#x %v", c.Capture, c.Cache.MPLSLabelPositions)
	}
	for _, bad := range []string{"ip flow-capture nbar", "ip flow-cache mpls label-positions 7", "ip flow-cache mpls label-positions 1 1",
		"ip flow-cache mpls label-positions", "ip flow-cache mpls label-positions 1 2 3 4"} {
		if _, err := Parse("bad", []byte(bad+"\n")); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// TestMLSFlowIPv6: `mls flow ipv6 MASK` sets the IPv6 flows' own mask on
// a PFC3 or PFC4 persona and reads back; a PFC2 and a router refuse it
// with the reason.
func TestMLSFlowIPv6(t *testing.T) {
	for _, p := range []string{"pfc3a", "pfc3b", "pfc3bxl", "pfc4", "pfc4xl"} {
		s := NewSession(config.Config{Platform: p}, "console")
		if err := s.Exec("mls flow ipv6 destination"); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		c := s.Config()
		if c.Cache.Mask6 != platform.MaskDestination || c.Cache.Mask != 0 {
			t.Errorf("%s: masks %v / %v", p, c.Cache.Mask, c.Cache.Mask6)
		}
		if got := RunningConfig(c); !strings.Contains(got, "\nmls flow ipv6 destination\n") {
			t.Errorf("%s: running-config lacks the line:\n%s", p, got)
		}
		if err := s.Exec("no mls flow ipv6"); err != nil || s.Config().Cache.Mask6 != 0 {
			t.Errorf("%s: no mls flow ipv6: %v %v", p, err, s.Config().Cache.Mask6)
		}
	}
	for p, why := range map[string]string{"pfc2": "no IPv6 NetFlow in hardware", "": "has no mls commands"} {
		s := NewSession(config.Config{Platform: p}, "console")
		if err := s.Exec("mls flow ipv6 destination"); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: mls flow ipv6: %v, want %q", p, err, why)
		}
	}
}

// TestLayer2SwitchedExport: `ip flow export layer2-switched vlan LIST`
// adds VLANs on a PFC3B or later and reads back as one list; `no ... vlan
// LIST` takes some out, `no ip flow export layer2-switched` all; a
// router, a PFC2 and a PFC3A refuse it with the reason.
func TestLayer2SwitchedExport(t *testing.T) {
	for _, p := range []string{"pfc3b", "pfc3bxl", "pfc4", "pfc4xl"} {
		s := NewSession(config.Config{Platform: p}, "console")
		for _, l := range []string{"ip flow export layer2-switched vlan 10,20-30", "ip flow export layer2-switched vlan 31,100"} {
			if err := s.Exec(l); err != nil {
				t.Fatalf("%s: %s: %v", p, l, err)
			}
		}
		c := s.Config()
		if got := c.Export.Layer2VLANs.String(); got != "10,20-31,100" {
			t.Errorf("%s: VLANs %q", p, got)
		}
		rc := RunningConfig(c)
		if !strings.Contains(rc, "\nip flow export layer2-switched vlan 10,20-31,100\n") {
			t.Errorf("%s: running-config lacks the line:\n%s", p, rc)
		}
		back, err := Parse("back", []byte(rc))
		if err != nil || back.Export.Layer2VLANs.String() != "10,20-31,100" {
			t.Errorf("%s: read back %v, %v", p, back.Export.Layer2VLANs, err)
		}
		if err := s.Exec("no ip flow export layer2-switched vlan 20-25"); err != nil || s.Config().Export.Layer2VLANs.String() != "10,26-31,100" {
			t.Errorf("%s: no ... vlan 20-25: %v %v", p, err, s.Config().Export.Layer2VLANs)
		}
		if err := s.Exec("no ip flow export layer2-switched"); err != nil || s.Config().Export.Layer2VLANs != nil {
			t.Errorf("%s: no ip flow export layer2-switched: %v %v", p, err, s.Config().Export.Layer2VLANs)
		}
		for _, bad := range []string{"ip flow export layer2-switched vlan 0", "ip flow export layer2-switched vlan 5000", "ip flow export layer2-switched vlan 30-20", "ip flow export layer2-switched"} {
			if err := s.Exec(bad); err == nil {
				t.Errorf("%s: %q accepted", p, bad)
			}
		}
	}
	for p, why := range map[string]string{"": "routes: it has no layer 2-switched flows", "pfc2": "no NetFlow for layer 2-switched traffic", "pfc3a": "no NetFlow for layer 2-switched traffic"} {
		s := NewSession(config.Config{Platform: p}, "console")
		if err := s.Exec("ip flow export layer2-switched vlan 10"); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v, want %q", p, err, why)
		}
	}
}

// TestJunOSFlowServerBiflow: `flow-server A port P biflow` (with `version
// ipfix`) asks a JunOS flow-server for RFC 5103 biflows; it reads back
// from the set form and from IOS's ` biflow`, is deleted on its own, and
// a server of another version refuses it with the reason.
func TestJunOSFlowServerBiflow(t *testing.T) {
	pre := "set forwarding-options sampling family inet output flow-server 192.0.2.10 "
	c, err := junos.Parse("j", []byte(pre+"port 4739\n"+pre+"version ipfix\n"+pre+"biflow\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Export.Destinations) != 1 || !c.Export.Destinations[0].Biflow {
		t.Fatalf("destinations %+v", c.Export.Destinations)
	}
	set := junos.RenderSet(c)
	if !strings.Contains(set, pre+"biflow\n") {
		t.Errorf("set form lacks biflow:\n%s", set)
	}
	if ios := RunningConfig(c); !strings.Contains(ios, "\nip flow-export destination 192.0.2.10 4739 version ipfix biflow family ipv4\n") {
		t.Errorf("IOS form:\n%s", ios)
	}
	back, err := junos.Parse("back", []byte(set))
	if err != nil || !back.Export.Destinations[0].Biflow {
		t.Errorf("read back: %+v %v", back.Export.Destinations, err)
	}
	fromIOS, err := Parse("ios", []byte("ip flow-export destination 192.0.2.10 4739 version ipfix biflow\n"))
	if err != nil || !strings.Contains(junos.RenderSet(fromIOS), pre+"biflow\n") {
		t.Errorf("IOS biflow in JunOS: %v\n%s", err, junos.RenderSet(fromIOS))
	}
	del, err := junos.Parse("del", []byte(set+"delete forwarding-options sampling family inet output flow-server 192.0.2.10 biflow\n"))
	if err != nil || len(del.Export.Destinations) != 1 || del.Export.Destinations[0].Biflow || del.Export.Destinations[0].Version != platform.IPFIX {
		t.Errorf("delete biflow: %+v %v", del.Export.Destinations, err)
	}
	if _, err := junos.Parse("v9", []byte(pre+"port 2055\n"+pre+"version 9\n"+pre+"biflow\n")); err == nil || !strings.Contains(err.Error(), "biflows are IPFIX") {
		t.Errorf("biflow on version 9: %v", err)
	}
}
