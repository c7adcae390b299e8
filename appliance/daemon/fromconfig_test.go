package daemon

import (
	"reflect"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/datapath"
)

// TestDatapathConversions: the model's mask and a port's flow-sampler
// become the datapath's; its AS mode and top talkers the engines'.
func TestDatapathConversions(t *testing.T) {
	c, err := cfgfile.Load("../../configs/cat6500-sup720.conf")
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := c.Setting()
	if err != nil {
		t.Fatal(err)
	}
	if m := s.Mask; m.String() != "interface-full" {
		t.Fatalf("datapath mask %v", m)
	}
	ios, err := cfgfile.Load("../../configs/ios-router.conf")
	if err != nil {
		t.Fatal(err)
	}
	eth2, _ := ios.Interface("eth2")
	if got := interfaceSampling(ios, eth2); got.Interval != 100 {
		t.Fatalf("eth2 sampling %+v", got)
	}
	if asFillMode(ios).String() != "origin-as" || topTalkers(ios, ios.TopTalkers).Validate() != nil {
		t.Fatal("AS mode or top talkers")
	}
}

// TestSamplerMapDeterministicDatapath: IOS's `mode deterministic
// one-out-of N` reaches the datapath as exact 1-in-N; `random` stays
// random.
func TestSamplerMapDeterministicDatapath(t *testing.T) {
	src := "flow-sampler-map D\n mode deterministic one-out-of 7\n!\nflow-sampler-map R\n mode random one-out-of 9\n!\ninterface eth1\n flow-sampler D\n!\ninterface eth2\n flow-sampler R\n"
	c, err := cfgfile.Parse("t.cfg", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := interfaceSampling(c, c.Interfaces[0]); got != (datapath.Sampling{Mode: datapath.SampleDeterministic, Interval: 7}) {
		t.Errorf("eth1 samples %+v", got)
	}
	if got := interfaceSampling(c, c.Interfaces[1]); got != (datapath.Sampling{Mode: datapath.SampleRandom, Interval: 9}) {
		t.Errorf("eth2 samples %+v", got)
	}
}

// TestSamplersPerPort: ports sample at their own rates; the maps in use
// are numbered from 1 in configuration order, an unsampled port selects
// none, and the exporters announce each sampler (no single one for the
// v5 header, since the ports differ).
func TestSamplersPerPort(t *testing.T) {
	src := `flow-sampler-map UNUSED
 mode random one-out-of 3
!
flow-sampler-map D
 mode deterministic one-out-of 7
!
flow-sampler-map R
 mode random one-out-of 9
!
interface eth1
 flow-sampler D
!
interface eth2
 flow-sampler R
!
interface eth3
 ip flow ingress
!
interface eth4
 flow-sampler D
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 9995
`
	c, err := cfgfile.Parse("t.cfg", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	wantSamplers := map[uint16]datapath.SamplerConfig{
		1: {Mode: datapath.SampleDeterministic, Interval: 7},
		2: {Mode: datapath.SampleRandom, Interval: 9},
	}
	if !reflect.DeepEqual(s.Samplers, wantSamplers) || s.Sampling != (datapath.Sampling{}) {
		t.Errorf("samplers %+v global %+v, want %+v and none", s.Samplers, s.Sampling, wantSamplers)
	}
	got := map[string]uint16{}
	for _, p := range s.Ports {
		got[p.Name] = p.Sampler
	}
	if want := map[string]uint16{"eth1": 1, "eth2": 2, "eth3": 0, "eth4": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("port samplers %v, want %v", got, want)
	}
	if len(s.Exports) != 1 {
		t.Fatalf("%d exporters", len(s.Exports))
	}
	enc := s.Exports[0].Encoder
	wantExp := []export.Sampler{{ID: 1, Mode: export.SamplingDeterministic, Interval: 7}, {ID: 2, Mode: export.SamplingRandom, Interval: 9}}
	if enc.Sampler != (export.Sampler{}) || !reflect.DeepEqual(enc.Samplers, wantExp) {
		t.Errorf("exporter announces %+v and %+v, want none and %+v", enc.Sampler, enc.Samplers, wantExp)
	}

	// One map on every metered port: the v5 header can carry it.
	one, err := cfgfile.Parse("t.cfg", []byte("flow-sampler-map R\n mode random one-out-of 9\n!\ninterface eth1\n flow-sampler R\n!\nip flow-export destination 127.0.0.1 9995\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s, err = SettingsFrom(one); err != nil {
		t.Fatal(err)
	}
	if enc := s.Exports[0].Encoder; enc.Sampler != (export.Sampler{ID: 1, Mode: export.SamplingRandom, Interval: 9}) || enc.Samplers != nil {
		t.Errorf("one sampler announced as %+v and %+v", enc.Sampler, enc.Samplers)
	}
}

// TestJunOSSamplingCaps: JunOS sampling input's run-length and
// max-packets-per-second reach the datapath as a sampler on every port.
func TestJunOSSamplingCaps(t *testing.T) {
	src := `set flowtap platform cflowd
set interfaces eth1 unit 0 family inet sampling input
set forwarding-options sampling input rate 10
set forwarding-options sampling input run-length 2
set forwarding-options sampling input max-packets-per-second 10
`
	c, err := junos.Parse("t.set", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint16]datapath.SamplerConfig{1: {Mode: datapath.SampleDeterministic, Interval: 10, RunLength: 2, MaxPPS: 10}}
	if !reflect.DeepEqual(s.Samplers, want) || len(s.Ports) != 1 || s.Ports[0].Sampler != 1 {
		t.Errorf("samplers %+v ports %+v, want %+v on eth1", s.Samplers, s.Ports, want)
	}
}

// TestCaptureMaskAndLayer2Settings: the examples' ip flow-capture lines,
// mls flow ipv6 and layer 2-switched VLANs reach the datapath and the
// exporters: the datapath records ip-id and packet-length only (ttl and
// vlan-id are in the table's entry), IPv6 flows get their own mask, and
// every main-cache destination gets the VLAN list.
func TestCaptureMaskAndLayer2Settings(t *testing.T) {
	ios, err := cfgfile.Load("../../configs/ios-router.conf")
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFrom(ios)
	if err != nil {
		t.Fatal(err)
	}
	if want := (datapath.CaptureSettings{Fields: flow.CapIPID | flow.CapPacketLength}); s.Capture != want {
		t.Errorf("router capture %+v, want %+v", s.Capture, want)
	}
	for _, d := range s.Exports {
		if c := d.Encoder.Capture; c != export.CaptureTTL|export.CaptureVLAN|export.CaptureIPID|export.CapturePacketLength {
			t.Errorf("%v: encoder capture %#x", d.Collector, c)
		}
	}
	cat, err := cfgfile.Load("../../configs/cat6500-sup720.conf")
	if err != nil {
		t.Fatal(err)
	}
	if s, err = SettingsFrom(cat); err != nil {
		t.Fatal(err)
	}
	if s.Mask.String() != "interface-full" || s.Mask6.String() != "destination-source" {
		t.Errorf("masks %v / %v", s.Mask, s.Mask6)
	}
	if len(s.Exports) == 0 {
		t.Fatal("no destinations")
	}
	for _, d := range s.Exports {
		if d.Layer2VLANs.String() != "10,20" {
			t.Errorf("%v: layer 2 VLANs %v", d.Collector, d.Layer2VLANs)
		}
	}
}

// TestTimeoutChangeKeepsExporters: `ip flow-cache timeout inactive` is
// the cache's; an exporter that does not pair biflows does not depend on
// it, so a change must leave its settings equal (reconcileExporters then
// keeps it: socket, sequence numbers). It reopened every exporter, and
// the collector saw the sequence start over (nfcapd: sequence errors).
// A biflow destination, which holds directions that long, does change.
func TestTimeoutChangeKeepsExporters(t *testing.T) {
	settings := func(inactive string) Settings {
		t.Helper()
		src := "ip flow-cache timeout inactive " + inactive + "\nip flow-cache timeout active 5\n" +
			"ip flow-export version 9\nip flow-export destination 127.0.0.1 9995\n" +
			"ip flow-export destination 127.0.0.1 4739 version ipfix biflow\n"
		c, err := cfgfile.Parse("t.cfg", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		s, err := SettingsFrom(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Exports) != 2 {
			t.Fatalf("%d destinations, want 2", len(s.Exports))
		}
		return s
	}
	a, b := settings("15"), settings("30")
	if !sameDestination(a.Exports[0], b.Exports[0]) {
		t.Errorf("an inactive timeout change changes a v9 destination: %+v -> %+v", a.Exports[0], b.Exports[0])
	}
	if sameDestination(a.Exports[1], b.Exports[1]) || b.Exports[1].BiflowHold != b.Aging.Inactive {
		t.Errorf("the biflow destination holds %v after the change, want the inactive timeout %v", b.Exports[1].BiflowHold, b.Aging.Inactive)
	}
}

// TestPFCNDEInterface: a PFC persona's v5 and v7 destinations write next
// hop and output ifIndex 0 unless `mls nde interface` asks for them, and
// under the source-only flow mask even then (the PFC's table, vendor-
// behaviour 1.4); the router exports what it has.
func TestPFCNDEInterface(t *testing.T) {
	for _, c := range []struct {
		name, src string
		zero      bool
	}{
		{"router", "ip flow-export version 5\nip flow-export destination 127.0.0.1 9995\n", false},
		{"pfc3b", "platform pfc3b\nmls nde sender version 5\nip flow-export destination 127.0.0.1 9995\n", true},
		{"pfc3bxl interface", "platform pfc3bxl\nmls flow ip interface-full\nmls nde sender version 5\nmls nde interface\nip flow-export destination 127.0.0.1 9995\n", false},
		{"pfc2 v7 interface", "platform pfc2\nmls nde sender version 7\nmls nde interface\nip flow-export destination 127.0.0.1 9995\n", false},
		{"pfc3b source mask", "platform pfc3b\nmls flow ip source\nmls nde sender version 5\nmls nde interface\nip flow-export destination 127.0.0.1 9995\n", true},
	} {
		cfg, err := cfgfile.Parse("t.cfg", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s, err := SettingsFrom(cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(s.Exports) != 1 {
			t.Fatalf("%s: %d destinations, want 1", c.name, len(s.Exports))
		}
		if got := s.Exports[0].Encoder.ZeroNextHopOutput; got != c.zero {
			t.Errorf("%s: ZeroNextHopOutput %v, want %v", c.name, got, c.zero)
		}
	}
}

// TestPFCZeroTCPFlags: a PFC persona's destinations write tcp_flags 0
// (its NDE does for hardware-switched flows) unless `mls nde tcp-flags`
// asks for the flags; the router exports the flags it OR'd. `show mls
// nde` says which.
func TestPFCZeroTCPFlags(t *testing.T) {
	for _, c := range []struct {
		name, src string
		zero      bool
	}{
		{"router", "ip flow-export version 5\nip flow-export destination 127.0.0.1 9995\n", false},
		{"pfc3b", "platform pfc3b\nmls nde sender version 5\nip flow-export destination 127.0.0.1 9995\n", true},
		{"pfc2 v7", "platform pfc2\nmls nde sender version 7\nip flow-export destination 127.0.0.1 9995\n", true},
		{"pfc3b tcp-flags", "platform pfc3b\nmls nde sender version 5\nmls nde tcp-flags\nip flow-export destination 127.0.0.1 9995\n", false},
	} {
		cfg, err := cfgfile.Parse("t.cfg", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s, err := SettingsFrom(cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(s.Exports) != 1 {
			t.Fatalf("%s: %d destinations, want 1", c.name, len(s.Exports))
		}
		if got := s.Exports[0].Encoder.ZeroTCPFlags; got != c.zero {
			t.Errorf("%s: ZeroTCPFlags %v, want %v", c.name, got, c.zero)
		}
		// `show mls nde` says what the encoder does.
		want := "  TCP flags exported\n"
		if c.zero {
			want = "  TCP flags exported as 0 (mls nde tcp-flags not configured)\n"
		}
		if got := (&CLI{&Manager{cfg: cfg}}).NDE(); !strings.HasSuffix(got, want) {
			t.Errorf("%s: show mls nde:\n%s\nwant it to end %q", c.name, got, want)
		}
	}
}

// TestPFCMLSNetflowSampling: a PFC's global `mls sampling` samples every
// metered port until an interface has `mls netflow sampling`; from then
// only such interfaces are sampled (through a sampler of their own, at the
// global rate and mode) and the others are metered unsampled, and the
// exports announce the sampler per record (v9) rather than in the v5
// header, where one rate would be wrong for the unsampled ports.
func TestPFCMLSNetflowSampling(t *testing.T) {
	base := "platform pfc3bxl\nmls flow ip interface-full\nmls sampling packet-based 64\nmls nde sender\nip flow-export version 9\nip flow-export destination 127.0.0.1 9995\n"
	for _, c := range []struct {
		name, ifs string
		global    datapath.Sampling
		samplers  map[uint16]datapath.SamplerConfig
		ports     map[string]uint16
	}{
		{"global only", "interface eth1\n ip flow ingress\ninterface eth2\n ip flow ingress\n",
			datapath.Sampling{Mode: datapath.SampleDeterministic, Interval: 64}, nil, map[string]uint16{"eth1": 0, "eth2": 0}},
		{"eth2 sampled", "interface eth1\n ip flow ingress\ninterface eth2\n ip flow ingress\n mls netflow sampling\n",
			datapath.Sampling{}, map[uint16]datapath.SamplerConfig{1: {Mode: datapath.SampleDeterministic, Interval: 64}}, map[string]uint16{"eth1": 0, "eth2": 1}},
		{"both sampled", "interface eth1\n ip flow ingress\n mls netflow sampling\ninterface eth2\n ip flow ingress\n mls netflow sampling\n",
			datapath.Sampling{}, map[uint16]datapath.SamplerConfig{1: {Mode: datapath.SampleDeterministic, Interval: 64}}, map[string]uint16{"eth1": 1, "eth2": 1}},
	} {
		cfg, err := cfgfile.Parse("t.cfg", []byte(base+"mls netflow interface\n"+c.ifs))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s, err := SettingsFrom(cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s.Sampling != c.global {
			t.Errorf("%s: global sampling %+v, want %+v", c.name, s.Sampling, c.global)
		}
		if !reflect.DeepEqual(s.Samplers, c.samplers) {
			t.Errorf("%s: samplers %+v, want %+v", c.name, s.Samplers, c.samplers)
		}
		got := map[string]uint16{}
		for _, p := range s.Ports {
			got[p.Name] = p.Sampler
			if !p.Meter {
				t.Errorf("%s: %s not metered", c.name, p.Name)
			}
		}
		if !reflect.DeepEqual(got, c.ports) {
			t.Errorf("%s: port samplers %v, want %v", c.name, got, c.ports)
		}
		one, several := exportSamplers(s)
		switch c.name {
		case "eth2 sampled":
			if one.Interval != 0 || len(several) != 1 || several[0].Interval != 64 || several[0].ID != 1 {
				t.Errorf("%s: export samplers %+v %+v, want 1-in-64 by id only", c.name, one, several)
			}
			if s.SamplerNames[1] != MLSSamplingName {
				t.Errorf("%s: sampler name %q", c.name, s.SamplerNames[1])
			}
		default:
			if one.Interval != 64 || len(several) != 0 {
				t.Errorf("%s: export samplers %+v %+v, want 1-in-64 for every record", c.name, one, several)
			}
		}
	}
}

// TestPFCNDEFlowFilterSettings: a PFC's `mls nde flow include|exclude`
// reach every main-cache destination, which applies them.
func TestPFCNDEFlowFilterSettings(t *testing.T) {
	cfg, err := cfgfile.Parse("t.cfg", []byte("platform pfc3b\nmls nde sender version 5\nmls nde flow include protocol udp\nmls nde flow exclude dest-port 53\n"+
		"ip flow-export destination 127.0.0.1 9995\nip flow-export destination 127.0.0.1 9996\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFrom(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := platform.NDEFilters{Include: platform.NDEFlowFilter{Protocol: 17}, Exclude: platform.NDEFlowFilter{DestPort: 53}}
	if len(s.Exports) != 2 {
		t.Fatalf("%d destinations, want 2", len(s.Exports))
	}
	for _, d := range s.Exports {
		if d.NDEFilters != want {
			t.Errorf("%s: filters %+v, want %+v", d.Collector, d.NDEFilters, want)
		}
	}
}
