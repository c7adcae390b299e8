package config

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// TestPolicyTermsAgreeWithIOS: random policies of classes over random
// lists, denies included, laid out as first-match terms, must put every
// random packet in the class IOS's own walk does (each class in order,
// each of its lists first-match, a deny or no match going on to the next
// list and class; a match-all class needing every list to permit) and
// meter it alike, counting the same entries (show access-lists).
// Match-all classes of several lists and denies split into
// several terms are laid out; only a policy past the term budget may be
// refused, never approximated.
func TestPolicyTermsAgreeWithIOS(t *testing.T) {
	r := agreeWithIOS(t, rand.New(rand.NewPCG(13, 13)), false)
	t.Logf("%d policies laid out (%d with a match-all class of two or three lists, %d splitting a deny's part into several terms), %d refused", r.laidOut, r.matchAll, r.split, r.refused)
	if r.laidOut < 280 || r.matchAll < 50 || r.split == 0 {
		t.Errorf("%d of 300 random policies laid out, %d with match-all of several lists, %d with a multi-term split: the draw does not test them", r.laidOut, r.matchAll, r.split)
	}
}

// TestPolicyTermsAgreeWithIOS6 is TestPolicyTermsAgreeWithIOS over
// `ipv6 access-list`s: most lists are IPv6, some IPv4, so classes mix
// the families (a match-any class classifies each family by its own
// lists; a match-all class naming a list of the other family takes no
// packet, but IOS's walk still counts the entries it met before that
// list), and some lists are named by two classes (each counts what its
// walk met). Each family is laid out on its own, and random IPv6 and
// IPv4 packets must fall in the class, sampler and entries IOS's walk
// gives.
func TestPolicyTermsAgreeWithIOS6(t *testing.T) {
	r := agreeWithIOS(t, rand.New(rand.NewPCG(6, 6)), true)
	t.Logf("%d policies laid out (%d with a match-all class of two or three lists, %d of them of both families, %d with a list in two classes, %d splitting a deny's part into several terms), %d refused",
		r.laidOut, r.matchAll, r.mixed, r.shared, r.split, r.refused)
	if r.laidOut < 280 || r.matchAll < 50 || r.mixed < 20 || r.shared < 20 || r.split == 0 {
		t.Errorf("%d of 300 random policies laid out, %d with match-all of several lists (%d of both families), %d sharing a list, %d with a multi-term split: the draw does not test them",
			r.laidOut, r.matchAll, r.mixed, r.shared, r.split)
	}
}

type agreement struct{ laidOut, refused, matchAll, mixed, shared, split int }

// agreeWithIOS draws 300 policies and 200 packets for each and fails t
// where the terms and IOS's walk disagree. With six, lists are IPv6 three
// times in four and packets IPv6 twice in three.
func agreeWithIOS(t *testing.T, rng *rand.Rand, six bool) agreement {
	t.Helper()
	prefixes := map[bool][]string{
		false: {"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "192.168.0.0/16"},
		true:  {"::/0", "2001:db8::/32", "2001:db8:1::/48", "2001:db8:1:2::/64", "2001:db8:1:2::3/128", "fd00::/8"},
	}
	ports := []PortMatch{{}, {Op: PortEq, Lo: 22}, {Op: PortEq, Lo: 53}, {Op: PortRange, Lo: 20, Hi: 80}, {Op: PortGt, Lo: 1023}, {Op: PortNeq, Lo: 53}}
	protos := []uint8{0, 6, 17}
	wild := func(p netip.Prefix) netip.Addr {
		if p.Addr().Is6() {
			return Wildcard6(p.Bits())
		}
		return wild4(p.Bits())
	}
	entry := func(v6 bool) ACE {
		src := netip.MustParsePrefix(prefixes[v6][rng.IntN(len(prefixes[v6]))])
		dst := netip.MustParsePrefix(prefixes[v6][rng.IntN(len(prefixes[v6]))])
		e := ACE{Permit: rng.IntN(3) > 0, Protocol: protos[rng.IntN(len(protos))],
			Addr: src.Addr(), Wildcard: wild(src), DstAddr: dst.Addr(), DstWild: wild(dst)}
		if e.Protocol != 0 {
			e.DstPort = ports[rng.IntN(len(ports))]
		}
		return e
	}
	var r agreement
	for round := 0; round < 300; round++ {
		var c Config
		var p PolicyMap
		shared := false
		c.Samplers = []SamplerMap{{Name: "S1", Rate: 1}, {Name: "S2", Rate: 1}}
		for k := 0; k < 1+rng.IntN(3); k++ {
			cm := ClassMap{Name: fmt.Sprintf("C%d", k), MatchAny: rng.IntN(2) == 0}
			for j := 0; j < 1+rng.IntN(3); j++ {
				if six && len(c.AccessLists) > 0 && rng.IntN(4) == 0 {
					// A list an earlier class names too (a class names
					// a list once: validation refuses it twice).
					if l := c.AccessLists[rng.IntN(len(c.AccessLists))]; !slices.Contains(cm.AccessGroups, l.Name) {
						cm.AccessGroups = append(cm.AccessGroups, l.Name)
						shared = true
						continue
					}
				}
				v6 := six && rng.IntN(4) > 0
				l := AccessList{Name: fmt.Sprintf("L%d%d", k, j), Extended: true, IPv6: v6}
				for n := 0; n < 1+rng.IntN(4); n++ {
					e := entry(v6)
					e.Seq = 10 * (n + 1)
					l.Entries = append(l.Entries, e.Masked())
				}
				c.AccessLists = append(c.AccessLists, l)
				cm.AccessGroups = append(cm.AccessGroups, l.Name)
			}
			c.ClassMaps = append(c.ClassMaps, cm)
			pc := PolicyClass{Class: cm.Name}
			if rng.IntN(4) > 0 {
				pc.Sampler = []string{"S1", "S2"}[rng.IntN(2)]
			}
			p.Classes = append(p.Classes, pc)
		}
		if rng.IntN(2) == 0 {
			p.Classes = append(p.Classes, PolicyClass{Class: ClassDefault, Sampler: "S2"})
		}
		terms := map[bool][]ClassTerm{}
		var err error
		if terms[false], err = c.PolicyTerms(p, 4); err == nil {
			terms[true], err = c.PolicyTerms(p, 6)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "filter terms a NetFlow input filter holds") {
				t.Fatalf("round %d: refused for a reason other than the term budget: %v", round, err)
			}
			r.refused++
			continue
		}
		r.laidOut++
		all, mixed := false, false
		for _, cm := range c.ClassMaps {
			if !cm.MatchAny && len(cm.AccessGroups) > 1 {
				all = true
				fams := map[int]bool{}
				for _, ref := range cm.AccessGroups {
					l, _ := c.FindAccessList(ref)
					fams[l.Family()] = true
				}
				mixed = mixed || len(fams) == 2
			}
		}
		if all {
			r.matchAll++
		}
		if mixed {
			r.mixed++
		}
		if shared {
			r.shared++
		}
	splits:
		for _, ts := range terms {
			for i, ct := range ts {
				if i > 0 && ct.Match != nil && !strings.Contains(ct.group, "&") && ts[i-1].Match != nil && ct.Entry == ts[i-1].Entry && ct.List == ts[i-1].List && ct.Class == ts[i-1].Class && ct.Sampler == ts[i-1].Sampler {
					r.split++ // one deny's part in two terms: ports in two ranges
					break splits
				}
			}
		}
		for n := 0; n < 200; n++ {
			pk := Packet{Src: randAddr(rng), Dst: randAddr(rng), Protocol: protos[1+rng.IntN(2)], SrcPort: uint16(rng.IntN(2000)), DstPort: []uint16{22, 53, 80, 443, 5000}[rng.IntN(5)]}
			if six && rng.IntN(3) > 0 {
				pk.Src, pk.Dst = randAddr6(rng), randAddr6(rng)
			}
			wantClass, wantSampler, wantRefs := iosWalk(c, p, pk)
			def, _ := findPolicyClass(p, ClassDefault)
			gotClass, gotSampler, gotMeter := ClassDefault, def.Sampler, def.Sampler != ""
			var gotRefs []string
			for _, ct := range terms[pk.Src.Is6()] {
				if ct.List == "" || matches(ct.MatchACE(), pk, true) {
					gotClass, gotMeter, gotSampler = ct.Class, ct.Meter, ct.Sampler
					if ct.List != "" {
						for _, r := range append([]EntryRef{{ct.List, ct.Entry}}, ct.Also...) {
							gotRefs = append(gotRefs, fmt.Sprintf("%s/%d", r.List, r.Entry.Seq))
						}
					}
					break
				}
			}
			if fmt.Sprint(gotRefs) != fmt.Sprint(wantRefs) {
				t.Fatalf("round %d packet %+v: the terms count entries %v, IOS's walk %v\npolicy %+v\nclasses %+v\nlists %+v", round, pk, gotRefs, wantRefs, p, c.ClassMaps, c.AccessLists)
			}
			if !gotMeter {
				gotSampler = ""
			}
			if gotClass != wantClass || gotSampler != wantSampler {
				t.Fatalf("round %d packet %+v: terms say class %s sampler %q, IOS's walk %s %q\npolicy %+v\nclasses %+v\nlists %+v", round, pk, gotClass, gotSampler, wantClass, wantSampler, p, c.ClassMaps, c.AccessLists)
			}
		}
	}
	return r
}

// matches is ACE.Matches, for IPv6 too: Matches reads IPv4 lists only
// (the management plane's), while the datapath matches an IPv6 entry's
// prefixes, protocol and ports, as this does.
func matches(e ACE, pk Packet, extended bool) bool {
	if pk.Src.Is4() {
		return e.Matches(pk, extended)
	}
	if !e.Addr.Is6() || !e.SrcPrefix().Contains(pk.Src) || !e.DstPrefix().Contains(pk.Dst) {
		return false
	}
	if e.Protocol != 0 && e.Protocol != pk.Protocol {
		return false
	}
	return e.SrcPort.Matches(pk.SrcPort) && e.DstPort.Matches(pk.DstPort)
}

// decide is AccessList.Decide with matches.
func decide(l AccessList, pk Packet) (permit bool, i int) {
	if pk.Src.Is4() {
		return l.Decide(pk)
	}
	for i, e := range l.Entries {
		if e.Remark == "" && matches(e, pk, l.Extended) {
			return e.Permit, i
		}
	}
	return false, -1
}

// iosWalk is IOS's evaluation of policy p: the class a packet falls in,
// the sampler that meters it ("" none) and the entries it matched on its
// way (list/seq), which show access-lists counts. A match-any class asks
// its lists in order until one permits; a match-all class until one does
// not.
func iosWalk(c Config, p PolicyMap, pk Packet) (class, sampler string, refs []string) {
	for _, pc := range p.OrderedClasses() {
		if pc.Class == ClassDefault {
			return pc.Class, pc.Sampler, refs
		}
		cm, _ := c.FindClassMap(pc.Class)
		in := !cm.MatchAny
		for _, ref := range cm.AccessGroups {
			l, _ := c.FindAccessList(ref)
			ok, i := decide(l, pk)
			if i >= 0 {
				refs = append(refs, fmt.Sprintf("%s/%d", l.Ref(), l.Entries[i].Seq))
			}
			if ok == cm.MatchAny {
				in = ok
				break
			}
		}
		if in {
			return pc.Class, pc.Sampler, refs
		}
	}
	return ClassDefault, "", refs
}

func wild4(bits int) netip.Addr {
	v := uint32(0xffffffff) >> bits
	if bits == 32 {
		v = 0
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func randAddr(rng *rand.Rand) netip.Addr {
	bases := [][4]byte{{10, 1, 2, 3}, {10, 1, 2, 9}, {10, 1, 7, 1}, {10, 9, 9, 9}, {192, 168, 1, 1}, {172, 16, 0, 1}}
	return netip.AddrFrom4(bases[rng.IntN(len(bases))])
}

func randAddr6(rng *rand.Rand) netip.Addr {
	bases := []string{"2001:db8:1:2::3", "2001:db8:1:2::9", "2001:db8:1:7::1", "2001:db8:9::9", "fd00::1", "2001:db9::1"}
	return netip.MustParseAddr(bases[rng.IntN(len(bases))])
}
