package ios

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// fnfFull is an IOS-XE Flexible NetFlow section as `show running-config`
// prints it: two records (one per family), two exporters, an IPv4 and an
// IPv6 monitor that agree, bound to one port.
const fnfFull = `flow record V4
 description key and counters
 match ipv4 tos
 match ipv4 protocol
 match ipv4 source address
 match ipv4 destination address
 match transport source-port
 match transport destination-port
 match interface input
 collect routing source as
 collect routing next-hop address ipv4 bgp
 collect ipv4 source mask
 collect transport tcp flags
 collect interface output
 collect counter bytes long
 collect counter packets long
 collect timestamp sys-uptime first
 collect timestamp sys-uptime last
 collect ipv4 ttl minimum
 collect datalink mac source address input
!
flow record V6
 match ipv6 traffic-class
 match ipv6 protocol
 match ipv6 source address
 match ipv6 destination address
 match transport source-port
 match transport destination-port
 match interface input
 collect counter bytes long
!
flow exporter COLL1
 description nfcapd
 destination 192.0.2.10
 source eth0
 ttl 32
 transport udp 2055
 export-protocol ipfix
 template data timeout 60
 option interface-table timeout 300
 option sampler-table
 option exporter-stats
!
flow exporter COLL2
 destination 192.0.2.11
 template data timeout 60
!
flow monitor M4
 description IPv4
 exporter COLL1
 exporter COLL2
 cache timeout inactive 10
 cache timeout active 60
 cache entries 8192
 record V4
!
flow monitor M6
 exporter COLL1
 exporter COLL2
 cache timeout inactive 10
 cache timeout active 60
 record V6
!
interface eth1
 ip flow monitor M4 input
 ipv6 flow monitor M6 input
!
interface eth2
 ip flow monitor M4 output
!
`

// TestFNFRoundTrip: a Flexible NetFlow section reads in, prints back
// line for line in IOS's order and indentation, and reads back the same;
// folded, it is the main cache's settings and its collectors.
func TestFNFRoundTrip(t *testing.T) {
	c, err := Parse("fnf", []byte(fnfFull))
	if err != nil {
		t.Fatal(err)
	}
	out := Render(c)
	if !strings.Contains(out, strings.TrimSuffix(fnfFull[:strings.Index(fnfFull, "interface eth1")], "!\n")) {
		t.Errorf("running-config lacks the flow blocks as written:\n%s", out)
	}
	for _, l := range []string{"interface eth1\n ip flow monitor M4 input\n ipv6 flow monitor M6 input\n", "interface eth2\n ip flow monitor M4 output\n"} {
		if !strings.Contains(out, l) {
			t.Errorf("running-config lacks %q:\n%s", l, out)
		}
	}
	back, err := Parse("back", []byte(out))
	if err != nil {
		t.Fatalf("running-config does not read back: %v\n%s", err, out)
	}
	if d := config.Diff(c, back); len(d) != 0 {
		t.Errorf("read back differs: %v", d)
	}
	e := c.Effective()
	want := []config.Destination{{Addr: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.IPFIX, TTL: 32, ExporterStats: true},
		{Addr: netip.MustParseAddrPort("192.0.2.11:9995"), Version: platform.V9}}
	if !slices.Equal(e.Export.Destinations, want) {
		t.Errorf("collectors %+v, want %+v", e.Export.Destinations, want)
	}
	if e.Cache.Active != time.Minute || e.Cache.Inactive != 10*time.Second || e.Cache.Entries != 8192 {
		t.Errorf("cache %+v, want active 60 s, inactive 10 s, 8192 entries", e.Cache)
	}
	if e.Export.Source != "eth0" || e.Export.TemplateTimeout != time.Minute || !e.Export.InterfaceNames || !e.Export.BGPNextHop || e.Export.OptionsTimeout != 300*time.Second {
		t.Errorf("export %+v, want source eth0, templates every 60 s, interface names every 300 s, BGP next hop", e.Export)
	}
	if e.Capture != config.CaptureTTL|config.CaptureMAC {
		t.Errorf("capture %v, want TTL and MAC (the record's collect fields)", e.Capture)
	}
	if !e.Interfaces[0].Ingress || e.Interfaces[0].Egress || !e.Interfaces[1].Egress || e.Interfaces[1].Ingress {
		t.Errorf("ports %+v, want eth1 metered input, eth2 output", e.Interfaces)
	}
	// The written model keeps no traditional line: the fold is not saved.
	if c.Cache != (config.Cache{}) || len(c.Export.Destinations) != 0 || c.Interfaces[0].Ingress {
		t.Errorf("the model took the fold: %+v %+v", c.Cache, c.Export)
	}
}

// TestFNFNoForms: `no` of each line takes back exactly that line, and the
// running-config reads back the same after each.
func TestFNFNoForms(t *testing.T) {
	base, err := Parse("fnf", []byte(fnfFull))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ block, no, gone string }{
		{"flow record V4", "no description", " description key and counters\n"},
		{"flow record V4", "no collect ipv4 ttl minimum", " collect ipv4 ttl minimum\n"},
		{"flow record V4", "no collect datalink mac source address input", " collect datalink mac source address input\n"},
		{"flow exporter COLL1", "no description", " description nfcapd\n"},
		{"flow exporter COLL1", "no transport udp 2055", " transport udp 2055\n"},
		{"flow exporter COLL1", "no export-protocol ipfix", " export-protocol ipfix\n"},
		{"flow exporter COLL1", "no option interface-table", " option interface-table timeout 300\n"},
		{"flow exporter COLL1", "no option sampler-table", " option sampler-table\n"},
		{"flow exporter COLL1", "no option exporter-stats", " option exporter-stats\n"},
		{"flow exporter COLL1", "no source eth0", " source eth0\n"},
		{"flow exporter COLL1", "no ttl 32", " ttl 32\n"},
		{"flow exporter COLL1", "no destination 192.0.2.10", " destination 192.0.2.10\n"},
		{"flow monitor M4", "no description", " description IPv4\n"},
		{"flow monitor M4", "no cache entries 8192", " cache entries 8192\n"},
		{"interface eth2", "no ip flow monitor M4 output", " ip flow monitor M4 output\n"},
		{"interface eth1", "no ipv6 flow monitor M6 input", " ipv6 flow monitor M6 input\n"},
	} {
		s := NewSession(base, "console")
		for _, l := range []string{tc.block, tc.no} {
			if err := s.Exec(l); err != nil {
				t.Fatalf("%s / %s: %v", tc.block, l, err)
			}
		}
		out := Render(s.Config())
		if strings.Contains(out, tc.gone) {
			t.Errorf("%s / %s: still shows %q", tc.block, tc.no, tc.gone)
		}
		if len(out) >= len(Render(base)) {
			t.Errorf("%s / %s: nothing taken away", tc.block, tc.no)
		}
		if _, err := Parse("back", []byte(out)); err != nil {
			t.Errorf("%s / %s: running-config does not read back: %v", tc.block, tc.no, err)
		}
	}
	// A record no monitor binds may lose a key field; a bound one may
	// not, as its key would no longer be a mask.
	s0 := NewSession(base, "console")
	for _, l := range []string{"flow record SPARE", "match ipv4 tos", "match ipv4 protocol", "no match ipv4 tos", "exit", "flow record V4"} {
		if err := s0.Exec(l); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
	if err := s0.Exec("no match ipv4 tos"); err == nil || !strings.Contains(err.Error(), "keeps exactly that") {
		t.Errorf("no match ipv4 tos in the bound record V4: %v, want refused (no mask keeps the rest)", err)
	}
	if out := Render(s0.Config()); !strings.Contains(out, "flow record SPARE\n match ipv4 protocol\n!") || !strings.Contains(out, "flow record V4\n description key and counters\n match ipv4 tos\n") {
		t.Errorf("no match: %s", out)
	}
	// Whole blocks: a monitor in use, or a record or exporter a monitor
	// names, is refused until its users let go; then it goes.
	s := NewSession(base, "console")
	// One monitor's exporter alone would part it from the other's.
	for _, l := range []string{"flow monitor M4", "no exporter COLL2"} {
		if err := s.Exec(l); l == "no exporter COLL2" && (err == nil || !strings.Contains(err.Error(), "flowtap's collectors get every flow of its one cache")) {
			t.Errorf("%s: %v, want refused (M6 still exports to COLL2)", l, err)
		}
	}
	for _, l := range []string{"no flow monitor M6", "no flow record V4", "no flow exporter COLL2"} {
		if err := s.Exec(l); err == nil || !strings.Contains(err.Error(), "not configured") {
			t.Errorf("%s: %v, want refused (in use)", l, err)
		}
	}
	for _, l := range []string{"interface eth1", "no ipv6 flow monitor M6 input", "exit", "no flow monitor M6", "no flow record V6"} {
		if err := s.Exec(l); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
	if out := Render(s.Config()); strings.Contains(out, "M6") || strings.Contains(out, "flow record V6") {
		t.Errorf("monitor M6 and record V6 still shown:\n%s", out)
	}
}

// TestFNFRefusals: what flowtap's one cache cannot carry is refused with
// the reason, as a `% reason` at the CLI and file:line in a file, and the
// good lines still apply.
func TestFNFRefusals(t *testing.T) {
	for _, tc := range []struct{ src, why string }{
		// The router's only mask is the 7-tuple: a record without ToS has
		// no mask.
		{"flow record R\n match ipv4 source address\n match ipv4 destination address\nflow monitor M\n record R\n",
			"record R keys on source address, destination address; no flow mask of the ios persona keeps exactly that"},
		{"flow record R\n match ipv4 source address\n match transport source-port\nflow monitor M\n record R\n", "matches one transport port"},
		{"flow record R\n match ipv4 source address\n match ipv6 destination address\n", "mixes IPv4 and IPv6 fields"},
		{"flow record R\n match ipv4 source address\n collect ipv6 source mask\n", "mixes IPv4 and IPv6 fields (ipv6 source mask)"},
		{"flow record R\n match interface output\n", "no flow mask keeps the output interface"},
		{"flow record R\n match ipv4 dscp\n", "No flowtap flow mask keys on DSCP alone: the cache keys on the whole ToS byte (match ipv4 tos), so flows that differ only in ECN stay apart (match ipv4 dscp)"},
		{"flow record R\n match ipv6 dscp\n", "(match ipv6 traffic-class), so flows that differ only in ECN stay apart (match ipv6 dscp)"},
		{"flow record R\n collect counter flows\n", "no flow count field"},
		{"flow exporter E\n option application-table\n", "exporter statistics (option exporter-stats)"},
		{"flow exporter E\n dscp 46\n", "DSCP"},
		{"flow monitor M\n cache timeout active 90\n", "cache timeout active 90: flowtap's main cache ages active flows after 60-3600 seconds on the ios persona (ip flow-cache timeout active), in whole minutes"},
		{"flow monitor M\n cache timeout inactive 5\n", "ages inactive flows after 10-600 seconds"},
		{"flow exporter E\n option interface-table timeout 300\n option sampler-table timeout 60\n", "other option resends every 300 seconds"},
		{"flow exporter E\n destination 192.0.2.1 vrf Mgmt-intf\n", "no VRFs"},
		{"flow monitor M\n cache type permanent\n", "a normal cache"},
		{"flow monitor M\n cache timeout update 60\n", "active and inactive timeouts only"},
		{"flow monitor M\n record netflow ipv4 original-output\n", "keys on the output interface"},
		{"flow monitor M\n exporter NONE\n", "flow exporter NONE is not configured"},
		{"flow monitor M\n record R\n", "flow record R is not configured"},
		{"flow exporter E\n export-protocol netflow-v5\nflow monitor M\n exporter E\n record netflow ipv6 original-input\n", "netflow-v5, which has no IPv6 records"},
		{"flow monitor M\ninterface eth1\n ip flow monitor M input\n", "has no record"},
		{"flow monitor M\n record netflow ipv6 original-input\ninterface eth1\n ip flow monitor M input\n", "ip flow monitor takes an IPv4 record"},
		// Two monitors that cannot share the cache: the second is refused.
		{"flow monitor A\n record netflow ipv4 original-input\n cache timeout active 60\nflow monitor B\n record netflow ipv4 original-input\n" +
			"interface eth1\n ip flow monitor A input\ninterface eth2\n ip flow monitor B input\n",
			"flow monitor B ages active flows after 1800 seconds and flow monitor A after 60 seconds; flowtap has one main cache"},
		{"flow exporter E1\n destination 192.0.2.1\nflow monitor A\n record netflow ipv4 original-input\n exporter E1\nflow monitor B\n record netflow ipv6 original-input\n" +
			"interface eth1\n ip flow monitor A input\n ipv6 flow monitor B input\n",
			"flow monitor B exports to no collector and flow monitor A to 192.0.2.1:9995 v9"},
		{"ip flow-cache timeout active 5\nflow monitor A\n record netflow ipv4 original-input\n cache timeout active 60\ninterface eth1\n ip flow monitor A input\n",
			"ip flow-cache timeout active is 300 seconds and flow monitor A asks 60 seconds"},
		{"flow exporter E1\n destination 192.0.2.1\n template data timeout 60\nflow exporter E2\n destination 192.0.2.2\n" +
			"flow monitor A\n record netflow ipv4 original-input\n exporter E1\n exporter E2\ninterface eth1\n ip flow monitor A input\n",
			"flow monitor A's exporters resend templates every 60 and 600 seconds; flowtap's collectors share one template timeout"},
		{"flow monitor A\n record netflow ipv4 original-input\nflow monitor B\n record netflow-original\ninterface eth1\n ip flow monitor A input\n ip flow monitor B input\n",
			"eth1 already has flow monitor A input"},
		// The other family's input monitor named once, as configured.
		{"sampler S\n mode random 1 out-of 2\nflow monitor A\n record netflow ipv4 original-input\nflow monitor B\n record netflow ipv6 original-input\n" +
			"interface eth1\n ip flow monitor A sampler S input\n ipv6 flow monitor B input\n",
			"flowtap samples a port's packets of both families through one sampler: ip flow monitor A input has sampler S; give both input monitors the same sampler"},
	} {
		_, err := Parse("t", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), "% ") || !strings.Contains(err.Error(), "t:") {
			t.Errorf("%q: %v\nwant a file:line refusal with %% %q", tc.src, err, tc.why)
		}
	}
}

// TestFNFRefusalKeepsGoodLines: booting a file with an unmappable second
// monitor keeps the first, the exporters and the bindings that fold.
func TestFNFRefusalKeepsGoodLines(t *testing.T) {
	src := fnfFull + "flow monitor BAD\n record netflow ipv4 original-input\n cache timeout active 120\ninterface eth3\n ip flow monitor BAD input\n"
	s := NewSession(config.Config{}, "console")
	var refused []string
	for _, l := range strings.Split(src, "\n") {
		if err := s.Exec(l); err != nil {
			refused = append(refused, err.Error())
		}
	}
	if len(refused) != 1 || !strings.Contains(refused[0], "flow monitor BAD ages active flows after 120 seconds") {
		t.Fatalf("refused %q, want only eth3's binding", refused)
	}
	e := s.Config().Effective()
	if len(e.Export.Destinations) != 2 || e.Cache.Active != time.Minute {
		t.Errorf("the good monitors did not apply: %+v %+v", e.Export, e.Cache)
	}
}

// TestFNFSampler: IOS-XE's `sampler` block and `ip flow monitor M
// sampler S input` read back as written and sample the port through that
// sampler (the port's flow-sampler in the fold); what one port sampler
// cannot do is refused.
func TestFNFSampler(t *testing.T) {
	const src = `sampler S1
 description one in 100
 mode random 1 out-of 100
!
flow monitor M4
 record netflow ipv4 original-input
!
flow monitor M6
 record netflow ipv6 original-input
!
interface eth1
 ip flow monitor M4 sampler S1 input
 ipv6 flow monitor M6 sampler S1 input
!
`
	c, err := Parse("s", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := Render(c)
	for _, want := range []string{"sampler S1\n description one in 100\n mode random 1 out-of 100\n",
		"interface eth1\n ip flow monitor M4 sampler S1 input\n ipv6 flow monitor M6 sampler S1 input\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("running-config lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "flow-sampler") {
		t.Errorf("the FNF sampler shows as a flow-sampler-map:\n%s", out)
	}
	back, err := Parse("back", []byte(out))
	if err != nil || len(config.Diff(c, back)) != 0 {
		t.Errorf("read back: %v %v", err, config.Diff(c, back))
	}
	if e := c.Effective(); e.Interfaces[0].Sampler != "S1" {
		t.Errorf("the port does not sample through S1: %+v", e.Interfaces[0])
	}
	for _, tc := range []struct{ src, why string }{
		{src + "interface eth1\n ip flow monitor M4 sampler S1 output\n", "flowtap samples ingress only"},
		{"sampler S1\n mode random 1 out-of 100\nflow monitor M4\n record netflow ipv4 original-input\nflow monitor M6\n record netflow ipv6 original-input\n" +
			"interface eth1\n ip flow monitor M4 sampler S1 input\n ipv6 flow monitor M6 input\n", "both families through one sampler"},
		{"flow monitor M4\n record netflow ipv4 original-input\ninterface eth1\n ip flow monitor M4 sampler NONE input\n", "sampler NONE is not configured"},
		{"flow-sampler-map S1\n mode random one-out-of 10\nsampler S1\n", "flow-sampler-map S1 has that name; a sampler and a flow-sampler-map share their names"},
		{"sampler S1\n mode random 1 out-of 10\nflow-sampler-map S1\n", "sampler S1 has that name; a sampler and a flow-sampler-map share their names"},
	} {
		if _, err := Parse("t", []byte(tc.src)); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%q: %v, want a refusal with %q", tc.src, err, tc.why)
		}
	}
	// no of the binding takes the sampler with it.
	s := NewSession(c, "console")
	for _, l := range []string{"interface eth1", "no ipv6 flow monitor M6 sampler S1 input", "no ip flow monitor M4 sampler S1 input"} {
		if err := s.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	if it, _ := s.Config().Interface("eth1"); it.MonitorSampler != "" || it.MonitorIn != "" {
		t.Errorf("eth1 keeps %+v", it)
	}
}

// TestFNFCatalystMasks: on a PFC persona a record's match set picks the
// PFC's mask that keeps exactly it (interface-destination-source here);
// the 7-tuple record, with ToS, which no PFC mask keeps, is refused.
func TestFNFCatalystMasks(t *testing.T) {
	c, err := Parse("pfc", []byte("platform pfc3bxl\nflow record R\n match ipv4 source address\n match ipv4 destination address\n match interface input\n"+
		"flow monitor M\n record R\ninterface eth1\n ip flow monitor M input\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Effective().Cache.Mask; m != platform.MaskInterfaceDestinationSource {
		t.Errorf("mask %v, want interface-destination-source", m)
	}
	_, err = Parse("pfc", []byte("platform pfc3bxl\nflow monitor M\n record netflow ipv4 original-input\n"))
	if err == nil || !strings.Contains(err.Error(), "no flow mask of the pfc3bxl persona keeps exactly that") {
		t.Errorf("the 7-tuple on a PFC: %v", err)
	}
}

// TestFNFCollectDSCP: `collect ipv4|ipv6 dscp` is taken (the exported
// ToS carries it: its top 6 bits), prints back as typed and folds into
// the 7-tuple with no capture field added; a DSCP of the other family is
// refused as a mix.
func TestFNFCollectDSCP(t *testing.T) {
	src := "flow record R4\n" + strings.Join(prefixEach(" match ", config.FNFPredefined[0].Match), "") + " collect counter bytes long\n collect ipv4 dscp\n" +
		"flow record R6\n" + strings.Join(prefixEach(" match ", config.FNFPredefined[1].Match), "") + " collect ipv6 dscp\n" +
		"flow monitor M4\n record R4\nflow monitor M6\n record R6\ninterface eth1\n ip flow monitor M4 input\n ipv6 flow monitor M6 input\n"
	c, err := Parse("dscp", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := Render(c)
	for _, want := range []string{" collect counter bytes long\n collect ipv4 dscp\n", " match interface input\n collect ipv6 dscp\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("running-config lacks %q:\n%s", want, out)
		}
	}
	for _, r := range c.FNF.Records {
		s, why := r.Shape()
		if why != "" || s.Key != platform.MaskSevenTuple.Fields() || s.Capture != 0 {
			t.Errorf("record %s: shape %+v %q, want the 7-tuple and no capture", r.Name, s, why)
		}
	}
	if e := c.Effective(); (e.Cache.Mask != 0 && e.Cache.Mask != platform.MaskSevenTuple) || e.Capture != 0 {
		t.Errorf("folded mask %v capture %v, want the 7-tuple and none", e.Cache.Mask, e.Capture)
	}
	if _, err := Parse("mix", []byte("flow record R\n match ipv4 source address\n collect ipv6 dscp\n")); err == nil || !strings.Contains(err.Error(), "mixes IPv4 and IPv6 fields (ipv6 dscp)") {
		t.Errorf("ipv6 dscp in an IPv4 record: %v", err)
	}
}

func prefixEach(p string, ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = p + l + "\n"
	}
	return out
}
