package datapath

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/testnet"
)

// pkt is a test packet as the reference matcher sees it.
type pkt struct {
	src, dst     netip.Addr
	proto        uint8
	sport, dport uint16
	flags        uint8
}

func (p pkt) frame() []byte {
	var l4 []byte
	switch p.proto {
	case 6:
		l4 = tcpHdr(p.sport, p.dport, p.flags)
	case 17:
		l4 = udpHdr(p.sport, p.dport, 10)
	case 1:
		l4 = cat(icmpHdr(uint8(p.dport>>8), uint8(p.dport)), make([]byte, 8))
	default:
		l4 = make([]byte, 12)
	}
	if p.src.Is4() {
		return cat(ethHdr(0x0800), ip4{src: p.src, dst: p.dst, proto: p.proto}.bytes(l4))
	}
	return cat(ethHdr(0x86dd), ip6{src: p.src, dst: p.dst, nh: p.proto}.bytes(l4))
}

// refMatch is the plain first-match walk the datapath's bitmaps must
// agree with: term index, or -1.
func refMatch(f Filter, p pkt) int {
	inPrefixes := func(ps []netip.Prefix, a netip.Addr) bool {
		return len(ps) == 0 || slices.ContainsFunc(ps, func(q netip.Prefix) bool { return q.Contains(a) })
	}
	inPorts := func(rs []PortRange, v uint16) bool {
		return len(rs) == 0 || slices.ContainsFunc(rs, func(r PortRange) bool { return r.Lo <= v && v <= r.Hi })
	}
	for i, t := range f.Terms {
		protos := t.Protos
		if t.Flags != nil && len(protos) == 0 {
			protos = []uint8{6}
		}
		if len(protos) > 0 && !slices.Contains(protos, p.proto) {
			continue
		}
		flags := p.flags
		if p.proto != 6 {
			flags = 0
		}
		if t.Flags != nil && (flags&t.Flags.Mask != t.Flags.Value || (t.Flags.AnyOf != 0 && flags&t.Flags.AnyOf == 0)) {
			continue
		}
		if inPrefixes(t.Src, p.src) && inPrefixes(t.Dst, p.dst) && inPorts(t.SrcPorts, p.sport) && inPorts(t.DstPorts, p.dport) {
			return i
		}
	}
	return -1
}

// refCount adds packet p, sent as frame fr, to want, the counts per term
// the reference walk expects (the last: matched no term), and says
// whether the datapath meters it.
func refCount(f Filter, p pkt, fr []byte, want []TermCount) (metered bool) {
	idx := len(f.Terms)
	if m := refMatch(f, p); m >= 0 {
		idx = m
		metered = f.Terms[m].Action != Ignore
	} // no term: not metered, as a list's implicit deny
	want[idx].Packets++
	want[idx].Bytes += uint64(len(fr) - 14)
	return metered
}

// checkTermCounts checks filter id's term counters and its no-match
// counter against want (refCount's), and that every term was hit; it
// returns the counters.
func checkTermCounts(t *testing.T, d *Datapath, id FilterID, f Filter, want []TermCount) []TermCount {
	t.Helper()
	got, err := d.FilterCounts(id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Terms {
		t.Logf("term %d: %d packets, %d bytes", i, got[i].Packets, got[i].Bytes)
		if got[i] != want[i] {
			t.Errorf("term %d counted %+v, want %+v", i, got[i], want[i])
		}
		if want[i].Packets == 0 {
			t.Errorf("term %d: the packets never hit it; the test proves nothing about it", i)
		}
	}
	if got[MaxTerms] != want[len(f.Terms)] {
		t.Errorf("no match counted %+v, want %+v", got[MaxTerms], want[len(f.Terms)])
	}
	return got
}

// checkMetered checks that the meter metered exactly metered packets,
// none sampled out, and that a forced harvest's flows carry them all.
func checkMetered(t *testing.T, d *Datapath, metered uint64) {
	t.Helper()
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.MeteredPackets != metered || st.SampledOut != 0 {
		t.Errorf("metered %d (sampled out %d), want %d", st.MeteredPackets, st.SampledOut, metered)
	}
	var exported uint64
	if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) { exported += r.Packets }); err != nil {
		t.Fatal(err)
	}
	if exported != metered {
		t.Errorf("flows carry %d packets, metered %d", exported, metered)
	}
}

func pfx(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, x := range s {
		out = append(out, netip.MustParsePrefix(x))
	}
	return out
}

// TestFilterTermsMeterWhatTheyMatch: a filter of overlapping terms on
// every field, random packets drawn to hit every term's edges; the term
// counters, the metered total and the exported flows must equal a plain
// first-match walk over the same terms.
func TestFilterTermsMeterWhatTheyMatch(t *testing.T) {
	d := openTest(t, 8192)
	f := Filter{Family: 4, Terms: []Term{
		{Protos: []uint8{6}, Dst: pfx("10.1.2.3/32"), DstPorts: []PortRange{{22, 22}}, Action: Meter},             // ssh to the box
		{Src: pfx("10.1.0.0/16"), Dst: pfx("10.2.0.0/16", "192.0.2.0/25"), Action: Ignore},                        // internal
		{Protos: []uint8{6}, Flags: &FlagMatch{Mask: tcpSYN | tcpACK, Value: tcpSYN}, Action: Sample, Sampler: 0}, // initial SYNs
		{Protos: []uint8{17}, SrcPorts: []PortRange{{1000, 1999}}, DstPorts: []PortRange{{53, 53}, {5000, 5100}}, Action: Meter},
		{Src: pfx("10.0.0.0/8"), Protos: []uint8{6}, Flags: &FlagMatch{AnyOf: tcpACK | tcpRST}, Action: Meter}, // established
		{Protos: []uint8{1}, DstPorts: []PortRange{{0x0800, 0x0800}}, Action: Ignore},                          // echo requests
		{Src: pfx("10.1.128.0/17"), Action: Meter},
	}}
	id, err := d.InstallFilter(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(1, PortSelect{Filter4: id}); err != nil {
		t.Fatal(err)
	}
	addrs := []netip.Addr{
		netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("10.1.0.0"), netip.MustParseAddr("10.1.255.255"),
		netip.MustParseAddr("10.1.128.0"), netip.MustParseAddr("10.1.127.255"), netip.MustParseAddr("10.2.0.1"),
		netip.MustParseAddr("10.3.0.1"), netip.MustParseAddr("192.0.2.127"), netip.MustParseAddr("192.0.2.128"),
		netip.MustParseAddr("11.0.0.1"), netip.MustParseAddr("9.255.255.255"),
	}
	ports := []uint16{0, 21, 22, 23, 53, 999, 1000, 1999, 2000, 4999, 5000, 5050, 5100, 5101, 65535}
	protos := []uint8{6, 17, 1, 47}
	flagsets := []uint8{0, tcpSYN, tcpSYN | tcpACK, tcpACK, tcpRST, tcpFIN | tcpACK, tcpPSH}
	rng := rand.New(rand.NewPCG(13, 13))
	want := make([]TermCount, len(f.Terms)+1)
	var metered uint64
	const n = 3000
	for i := 0; i < n; i++ {
		p := pkt{
			src: addrs[rng.IntN(len(addrs))], dst: addrs[rng.IntN(len(addrs))],
			proto: protos[rng.IntN(len(protos))], sport: ports[rng.IntN(len(ports))],
			dport: ports[rng.IntN(len(ports))], flags: flagsets[rng.IntN(len(flagsets))],
		}
		if p.proto == 1 {
			p.sport = 0
			p.dport = []uint16{0x0800, 0x0000, 0x0303}[rng.IntN(3)]
		} else if p.proto == 47 {
			p.sport, p.dport = 0, 0
		}
		fr := p.frame()
		feed(t, d, fr, 1)
		if refCount(f, p, fr, want) {
			metered++
		}
	}
	got := checkTermCounts(t, d, id, f, want)
	for i := len(f.Terms); i < MaxTerms; i++ {
		if got[i] != (TermCount{}) {
			t.Errorf("unused term %d counted %+v", i, got[i])
		}
	}
	checkMetered(t, d, metered)
	t.Logf("%d packets: %d metered, %d matched no term", n, metered, want[len(f.Terms)].Packets)

	// A changed filter applies at once, with no reload: install, repoint,
	// remove the old one.
	id2, err := d.InstallFilter(Filter{Family: 4, Terms: []Term{{Protos: []uint8{17}, Action: Ignore}, {Action: Meter}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(1, PortSelect{Filter4: id2}); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveFilter(id); err != nil {
		t.Fatal(err)
	}
	feed(t, d, pkt{src: addrs[0], dst: addrs[1], proto: 17, sport: 1, dport: 2}.frame(), 1)
	feed(t, d, pkt{src: addrs[0], dst: addrs[1], proto: 6, sport: 1, dport: 2}.frame(), 1)
	got, err = d.FilterCounts(id2)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Packets != 1 || got[1].Packets != 1 || got[MaxTerms].Packets != 0 {
		t.Errorf("new filter counted %v %v %v, want 1 1 0", got[0], got[1], got[MaxTerms])
	}
}

// TestFilterIPv6: the same tries hold IPv6 prefixes, in their own slot.
func TestFilterIPv6(t *testing.T) {
	d := openTest(t, 1024)
	f := Filter{Family: 6, Terms: []Term{
		{Src: pfx("2001:db8::/32"), Dst: pfx("2001:db8:1::/48"), Action: Ignore},
		{Src: pfx("2001:db8::/32"), Action: Meter},
	}}
	id, err := d.InstallFilter(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(1, PortSelect{Filter6: id}); err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddr("2001:db8::1")
	ps := []pkt{
		{src: a, dst: netip.MustParseAddr("2001:db8:1::5"), proto: 17, sport: 1, dport: 2},
		{src: a, dst: netip.MustParseAddr("2001:db8:2::5"), proto: 17, sport: 1, dport: 2},
		{src: a, dst: netip.MustParseAddr("2001:db8:2::5"), proto: 17, sport: 1, dport: 2},
		{src: netip.MustParseAddr("2001:db9::1"), dst: a, proto: 17, sport: 1, dport: 2},
	}
	for _, p := range ps {
		feed(t, d, p.frame(), 1)
	}
	// An IPv4 packet on the port: no IPv4 filter, so metered.
	feed(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	got, err := d.FilterCounts(id)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Packets != 1 || got[1].Packets != 2 || got[MaxTerms].Packets != 1 {
		t.Errorf("counted %d %d, no match %d; want 1 2 1", got[0].Packets, got[1].Packets, got[MaxTerms].Packets)
	}
	st, _ := d.Stats()
	if st.MeteredPackets != 3 {
		t.Errorf("metered %d, want 3", st.MeteredPackets)
	}
}

// TestSamplersPerTermExact: two terms sample with their own
// deterministic samplers, the rest goes through the port's; each picks
// exactly 1 in N of what it is offered, and every record names its
// sampler.
func TestSamplersPerTermExact(t *testing.T) {
	d := openTest(t, 4096)
	for id, n := range map[uint16]uint32{2: 5, 3: 3, 4: 7} {
		if err := d.SetSampler(id, SamplerConfig{Mode: SampleDeterministic, Interval: n}); err != nil {
			t.Fatal(err)
		}
	}
	id, err := d.InstallFilter(Filter{Family: 4, Terms: []Term{
		{Protos: []uint8{17}, Action: Sample, Sampler: 2},
		{Protos: []uint8{6}, Action: Sample, Sampler: 3},
		{Action: Meter},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(1, PortSelect{Filter4: id, Sampler: 4}); err != nil {
		t.Fatal(err)
	}
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	sent := map[uint8]int{17: 500, 6: 300, 47: 700}
	for i := 0; i < 700; i++ {
		for _, proto := range []uint8{17, 6, 47} {
			if i < sent[proto] {
				feed(t, d, pkt{src: a, dst: b, proto: proto, sport: uint16(i % 13), dport: 80}.frame(), 1)
			}
		}
	}
	want := map[uint16]uint64{2: 100, 3: 100, 4: 100}
	for sid, w := range want {
		s, err := d.SamplerStats(sid)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("sampler %d: %+v", sid, s)
		if s.Taken != w || s.Taken+s.Skipped != s.Seen {
			t.Errorf("sampler %d: %+v, want %d taken", sid, s, w)
		}
	}
	bySampler := map[uint16]uint64{}
	protoOf := map[uint16]uint8{2: 17, 3: 6, 4: 47}
	if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) {
		bySampler[r.SamplerID] += r.Packets
		if protoOf[r.SamplerID] != r.Proto {
			t.Errorf("protocol %d flow carries sampler %d", r.Proto, r.SamplerID)
		}
	}); err != nil {
		t.Fatal(err)
	}
	for sid, w := range want {
		if bySampler[sid] != w {
			t.Errorf("records of sampler %d carry %d packets, want %d", sid, bySampler[sid], w)
		}
	}
}

// TestSamplerPPSCapVeth: a sampler capped at 200 packets a second gets a
// burst of 2000 real frames into a veth. Each one-second window takes at
// most the cap, and every frame is taken or counted as capped.
func TestSamplerPPSCapVeth(t *testing.T) {
	n := testnet.Enter(t)
	d := openTest(t, 4096)
	p, err := d.Attach(n.Mon, ModeNative, PortSettings{Verdict: platform.Passive, Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Detach(p)
	const capPPS, burst = 200, 2000
	if err := d.SetSampler(9, SamplerConfig{Mode: SampleNone, MaxPPS: capPPS}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(n.MonIndex, PortSelect{Sampler: 9}); err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	for i := 0; i < burst; i++ {
		frames = append(frames, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, uint16(i%50), 53, 0))
	}
	n.Send(t, frames)
	st := waitFrames(t, d, burst)
	s, err := d.SamplerStats(9)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("burst of %d at a cap of %d/s: %d taken in %d window(s), %d capped", burst, capPPS, s.Taken, s.Windows, s.Capped)
	if s.Seen != burst || s.Taken+s.Capped != burst || st.MeteredPackets != s.Taken || st.SampledOut != s.Capped {
		t.Errorf("sampler %+v, meter metered %d sampled out %d: do not add up to %d", s, st.MeteredPackets, st.SampledOut, burst)
	}
	if s.Windows == 0 || s.Taken < capPPS || float64(s.Taken) > 1.05*float64(capPPS*s.Windows) {
		t.Errorf("%d taken over %d window(s): the cap of %d/s does not hold within 5%%", s.Taken, s.Windows, capPPS)
	}
}

// TestPortSelectSwitch: the meter reads a port's filter and sampler only
// while some port has one (meter_cfg.selects, which SetPortSelect keeps):
// on from the first port's filter, still on while another port keeps
// one, off once the last is cleared, and every port's filter applies
// throughout.
func TestPortSelectSwitch(t *testing.T) {
	d := openTest(t, 1024)
	id, err := d.InstallFilter(Filter{Family: 4, Terms: []Term{{Action: Ignore}}})
	if err != nil {
		t.Fatal(err)
	}
	fr := pkt{src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("10.0.0.2"), proto: 17, sport: 1000, dport: 53}.frame()
	var metered uint64
	step := func(name string, selects uint32, wantMetered1, wantMetered2 bool) {
		t.Helper()
		var cfg meterMeterCfg
		if err := d.objs.Cfg.Get(&cfg); err != nil {
			t.Fatal(err)
		}
		if cfg.Selects != selects {
			t.Errorf("%s: meter_cfg.selects %d, want %d", name, cfg.Selects, selects)
		}
		for port, want := range map[uint32]bool{1: wantMetered1, 2: wantMetered2} {
			feed(t, d, fr, port)
			if want {
				metered++
			}
			st, err := d.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if st.MeteredPackets != metered {
				t.Errorf("%s: a packet on port %d: metered %d, want %d", name, port, st.MeteredPackets, metered)
				metered = st.MeteredPackets
			}
		}
	}
	step("no filters", 0, true, true)
	for _, port := range []int{1, 2} {
		if err := d.SetPortSelect(port, PortSelect{Filter4: id}); err != nil {
			t.Fatal(err)
		}
	}
	step("both ports filtered", 1, false, false)
	if err := d.SetPortSelect(1, PortSelect{}); err != nil {
		t.Fatal(err)
	}
	step("port 2 filtered", 1, true, false)
	if err := d.SetPortSelect(1, PortSelect{}); err != nil { // again: no change
		t.Fatal(err)
	}
	step("port 1 cleared twice", 1, true, false)
	if err := d.SetPortSelect(2, PortSelect{}); err != nil {
		t.Fatal(err)
	}
	step("both cleared", 0, true, true)
	if err := d.SetPortSelect(2, PortSelect{Filter4: id}); err != nil {
		t.Fatal(err)
	}
	step("port 2 filtered again", 1, true, false)
}

// TestSelectsFollowsSettings: the meter runs its select stage (port
// filters and samplers, the global sampler, the overload sampler) only
// while meter_cfg.selects has a bit set, so each setting must keep its
// bit: SetSampling the sampler's, SetOverloadRate the overload's (over 1
// only), SetPortSelect the ports'. Each step checks the word and what a
// run of packets meters: a setting whose bit were left clear would meter
// every packet.
func TestSelectsFollowsSettings(t *testing.T) {
	onOneCPU(t)
	d := openTest(t, 1024)
	id, err := d.InstallFilter(Filter{Family: 4, Terms: []Term{{Action: Ignore}}})
	if err != nil {
		t.Fatal(err)
	}
	fr := pkt{src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("10.0.0.2"), proto: 17, sport: 1000, dport: 53}.frame()
	var metered uint64
	step := func(name string, selects uint32, sent, wantMetered uint64) {
		t.Helper()
		var cfg meterMeterCfg
		if err := d.objs.Cfg.Get(&cfg); err != nil {
			t.Fatal(err)
		}
		if cfg.Selects != selects {
			t.Errorf("%s: meter_cfg.selects %d, want %d", name, cfg.Selects, selects)
		}
		for range sent {
			feed(t, d, fr, 1)
		}
		st, err := d.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if got := st.MeteredPackets - metered; got != wantMetered {
			t.Errorf("%s: %d packets metered %d, want %d", name, sent, got, wantMetered)
		}
		metered = st.MeteredPackets
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	step("nothing set", 0, 8, 8)
	must(d.SetSampling(Sampling{Mode: SampleDeterministic, Interval: 2}))
	step("global sampler 1 in 2", selectsSampler, 8, 4)
	must(d.SetOverloadRate(2))
	step("and overload 1 in 2", selectsSampler|selectsOverload, 8, 2)
	must(d.SetSampling(Sampling{Mode: SampleNone}))
	step("overload alone", selectsOverload, 8, 4)
	must(d.SetOverloadRate(1)) // 1: off
	step("overload 1 in 1", 0, 8, 8)
	must(d.SetOverloadRate(4))
	must(d.SetPortSelect(1, PortSelect{Filter4: id}))
	step("port filtered, overload 1 in 4", selectsPorts|selectsOverload, 8, 0)
	must(d.SetOverloadRate(0))
	step("port filtered", selectsPorts, 8, 0)
	must(d.SetPortSelect(1, PortSelect{}))
	step("all cleared", 0, 8, 8)
}

// TestMeterHitSelectsOneTest walks flowtap_meter's batched IPv4 hit (the
// daemon's and the bench object) with nothing selected: the select stage
// is the one test of meter_cfg.selects, so the path reads neither the
// global sampler's mode nor the overload sampler's rate, and tests
// selects once (session 16's objects read all three: three words in two
// lines and three branches).
func TestMeterHitSelectsOneTest(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		spec, err := load()
		if err != nil {
			t.Fatal(err)
		}
		w := walkMeterHit(t, spec)
		tests := 0
		for k, i := range w.path {
			src := w.sourceAt(i)
			if strings.Contains(src, "cfg.sample_mode") || strings.Contains(src, "overload.n") {
				t.Errorf("%s: the hit runs instruction %d (%s)", name, i, src)
			}
			if strings.Contains(src, "cfg.selects") && w.insns[i].OpCode.Class().IsJump() &&
				(k == 0 || w.sourceAt(w.path[k-1]) != src || !w.insns[w.path[k-1]].OpCode.Class().IsJump()) {
				tests++
			}
		}
		if tests != 1 {
			t.Errorf("%s: the hit tests cfg.selects %d times, want 1", name, tests)
		}
	}
}
