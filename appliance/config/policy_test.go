package config

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
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
	rng := rand.New(rand.NewPCG(13, 13))
	prefixes := []string{"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "192.168.0.0/16"}
	ports := []PortMatch{{}, {Op: PortEq, Lo: 22}, {Op: PortEq, Lo: 53}, {Op: PortRange, Lo: 20, Hi: 80}, {Op: PortGt, Lo: 1023}, {Op: PortNeq, Lo: 53}}
	protos := []uint8{0, 6, 17}
	entry := func() ACE {
		src := netip.MustParsePrefix(prefixes[rng.IntN(len(prefixes))])
		dst := netip.MustParsePrefix(prefixes[rng.IntN(len(prefixes))])
		e := ACE{Permit: rng.IntN(3) > 0, Protocol: protos[rng.IntN(len(protos))],
			Addr: src.Addr(), Wildcard: wild4(src.Bits()), DstAddr: dst.Addr(), DstWild: wild4(dst.Bits())}
		if e.Protocol != 0 {
			e.DstPort = ports[rng.IntN(len(ports))]
		}
		return e
	}
	laidOut, refused, matchAll, split := 0, 0, 0, 0
	for round := 0; round < 300; round++ {
		var c Config
		var p PolicyMap
		c.Samplers = []SamplerMap{{Name: "S1", Rate: 1}, {Name: "S2", Rate: 1}}
		for k := 0; k < 1+rng.IntN(3); k++ {
			cm := ClassMap{Name: fmt.Sprintf("C%d", k), MatchAny: rng.IntN(2) == 0}
			for j := 0; j < 1+rng.IntN(3); j++ {
				l := AccessList{Name: fmt.Sprintf("L%d%d", k, j), Extended: true}
				for n := 0; n < 1+rng.IntN(4); n++ {
					e := entry()
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
		terms, err := c.PolicyTerms(p, 4)
		if err != nil {
			if !strings.Contains(err.Error(), "filter terms a NetFlow input filter holds") {
				t.Fatalf("round %d: refused for a reason other than the term budget: %v", round, err)
			}
			refused++
			continue
		}
		laidOut++
		for _, cm := range c.ClassMaps {
			if !cm.MatchAny && len(cm.AccessGroups) > 1 {
				matchAll++
				break
			}
		}
		for i, ct := range terms {
			if i > 0 && ct.Match != nil && !strings.Contains(ct.group, "&") && terms[i-1].Match != nil && ct.Entry == terms[i-1].Entry && ct.List == terms[i-1].List && ct.Class == terms[i-1].Class && ct.Sampler == terms[i-1].Sampler {
				split++ // one deny's part in two terms: ports in two ranges
				break
			}
		}
		for n := 0; n < 200; n++ {
			pk := Packet{Src: randAddr(rng), Dst: randAddr(rng), Protocol: protos[1+rng.IntN(2)], SrcPort: uint16(rng.IntN(2000)), DstPort: []uint16{22, 53, 80, 443, 5000}[rng.IntN(5)]}
			wantClass, wantSampler, wantRefs := iosWalk(c, p, pk)
			gotClass, gotMeter := ClassDefault, false
			gotSampler := ""
			def, _ := findPolicyClass(p, ClassDefault)
			gotSampler = def.Sampler
			gotMeter = def.Sampler != ""
			var gotRefs []string
			for _, ct := range terms {
				if ct.List == "" || ct.MatchACE().Matches(pk, true) {
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
				t.Fatalf("round %d packet %+v: the terms count entries %v, IOS's walk %v\npolicy %+v\nlists %+v", round, pk, gotRefs, wantRefs, p, c.AccessLists)
			}
			if !gotMeter {
				gotSampler = ""
			}
			if gotClass != wantClass || gotSampler != wantSampler {
				t.Fatalf("round %d packet %+v: terms say class %s sampler %q, IOS's walk %s %q\npolicy %+v\nlists %+v", round, pk, gotClass, gotSampler, wantClass, wantSampler, p, c.AccessLists)
			}
		}
	}
	t.Logf("%d policies laid out (%d with a match-all class of two or three lists, %d splitting a deny's part into several terms), %d refused", laidOut, matchAll, split, refused)
	if laidOut < 280 || matchAll < 50 || split == 0 {
		t.Errorf("%d of 300 random policies laid out, %d with match-all of several lists, %d with a multi-term split: the draw does not test them", laidOut, matchAll, split)
	}
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
			ok, i := l.Decide(pk)
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
