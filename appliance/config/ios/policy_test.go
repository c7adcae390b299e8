package ios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

const policyConfig = `access-list 101 permit tcp any any eq 22
access-list 102 permit udp 10.0.0.0 0.0.0.255 any
ip access-list extended WEB
 permit tcp any any eq 80
 permit tcp any any eq 443
flow-sampler-map ALL
 mode deterministic one-out-of 1
flow-sampler-map TENTH
 mode deterministic one-out-of 10
flow-sampler-map HUNDREDTH
 mode random one-out-of 100
class-map match-all SSH
 match access-group 101
class-map match-any BULK
 match access-group 102
 match access-group name WEB
policy-map NF
 class SSH
  netflow-sampler ALL
 class BULK
  netflow-sampler TENTH
 class class-default
  netflow-sampler HUNDREDTH
interface eth1
 service-policy input NF
`

// TestNetFlowInputFilterPolicy: class maps, policy maps and the
// interface's service-policy parse into the model, render back as IOS
// prints them (and round-trip), and lay out as first-match terms in
// class order.
func TestNetFlowInputFilterPolicy(t *testing.T) {
	c, err := Parse("t", []byte(policyConfig))
	if err != nil {
		t.Fatal(err)
	}
	r := Render(c)
	for _, want := range []string{
		"!\nclass-map match-all SSH\n match access-group 101\n!\nclass-map match-any BULK\n match access-group 102\n match access-group name WEB\n!\n" +
			"policy-map NF\n class SSH\n  netflow-sampler ALL\n class BULK\n  netflow-sampler TENTH\n class class-default\n  netflow-sampler HUNDREDTH\n!\n",
		"interface eth1\n service-policy input NF\n!\n",
	} {
		if !strings.Contains(r, want) {
			t.Errorf("rendering lacks\n%s\nin\n%s", want, r)
		}
	}
	back, err := Parse("r", []byte(r))
	if err != nil {
		t.Fatalf("rendering does not parse: %v\n%s", err, r)
	}
	if d := config.Diff(c, back); len(d) > 0 {
		t.Errorf("round trip differs: %v", d)
	}
	if !c.Interfaces[0].Metered() {
		t.Error("an interface with a service-policy is not metered")
	}
	p, _ := c.FindPolicyMap("NF")
	terms, err := c.PolicyTerms(p, 4)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range terms {
		got = append(got, x.Class+"/"+x.Sampler+"/"+x.List)
	}
	if want := "SSH/ALL/101 BULK/TENTH/102 BULK/TENTH/WEB BULK/TENTH/WEB class-default/HUNDREDTH/"; strings.Join(got, " ") != want {
		t.Errorf("terms %s, want %s", strings.Join(got, " "), want)
	}
	if terms, _ := c.PolicyTerms(p, 6); len(terms) != 1 || terms[0].Class != config.ClassDefault {
		t.Errorf("IPv6 terms %+v: IPv4 lists match no IPv6 packet, which goes to class-default", terms)
	}
}

// TestNetFlowInputFilterRefusals: what IOS refuses, or first-match terms
// cannot say, is refused with a reason and changes nothing.
func TestNetFlowInputFilterRefusals(t *testing.T) {
	base, err := Parse("t", []byte(policyConfig))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct{ lines, want string }{
		{"interface eth1\nflow-sampler TENTH", "random sampled NetFlow (flow-sampler) and NetFlow input filters (service-policy) cannot run on the same interface"},
		{"interface eth1\nip flow ingress input-filter 101", "two input filters"},
		{"interface eth2\nservice-policy input NOPE", "policy map NOPE is not configured"},
		{"interface eth2\nservice-policy output NF", "NetFlow input filters apply to input only"},
		// 9 x 9 pairs and 9 implicit denies: past the 64-term budget.
		{"ip access-list extended BIG1\npermit tcp 10.0.0.0 0.0.0.255 any\npermit tcp 10.0.1.0 0.0.0.255 any\npermit tcp 10.0.2.0 0.0.0.255 any\npermit tcp 10.0.3.0 0.0.0.255 any\npermit tcp 10.0.4.0 0.0.0.255 any\npermit tcp 10.0.5.0 0.0.0.255 any\npermit tcp 10.0.6.0 0.0.0.255 any\npermit tcp 10.0.7.0 0.0.0.255 any\npermit tcp 10.0.8.0 0.0.0.255 any\nexit\nip access-list extended BIG2\npermit tcp any 10.1.0.0 0.0.0.255\npermit tcp any 10.1.1.0 0.0.0.255\npermit tcp any 10.1.2.0 0.0.0.255\npermit tcp any 10.1.3.0 0.0.0.255\npermit tcp any 10.1.4.0 0.0.0.255\npermit tcp any 10.1.5.0 0.0.0.255\npermit tcp any 10.1.6.0 0.0.0.255\npermit tcp any 10.1.7.0 0.0.0.255\npermit tcp any 10.1.8.0 0.0.0.255\nexit\nclass-map SSH\nmatch access-group name BIG1\nmatch access-group name BIG2",
			"policy-map NF: the match-all class SSH is the intersection of 3 access lists, more than the 64 filter terms a NetFlow input filter holds"},
		{"policy-map NF\nclass NOPE", "class-map NOPE is not configured"},
		{"policy-map NF\nclass SSH\nnetflow-sampler NOPE", "flow-sampler-map NOPE is not configured"},
		{"class-map class-default", "class-default is predefined"},
		{"no access-list 102", "access list 102 is not configured"},
		{"no policy-map NF", "Policy map NF is being used"},
		{"no class-map SSH", "Class-map SSH is being used"},
	} {
		s := NewSession(base, "console")
		var err error
		for _, l := range strings.Split(x.lines, "\n") {
			if err = s.Exec(l); err != nil {
				break
			}
		}
		if err == nil || !strings.Contains(err.Error(), x.want) {
			t.Errorf("%q: error %v, want %q", x.lines, err, x.want)
		}
	}
	// Only the router persona has them.
	pfc := base.Clone()
	pfc.Platform, pfc.Samplers = "pfc3b", nil
	for i := range pfc.PolicyMaps[0].Classes {
		pfc.PolicyMaps[0].Classes[i].Sampler = ""
	}
	if err := pfc.Validate(); err == nil || !strings.Contains(err.Error(), "NetFlow input filters (service-policy input) are a router feature: platform pfc3b has none") {
		t.Errorf("a policy on a PFC: %v", err)
	}
	// A class names a list once (the CLI keeps one line a list; a
	// configuration file could repeat it).
	dup := base.Clone()
	dup.ClassMaps[0].AccessGroups = append(dup.ClassMaps[0].AccessGroups, dup.ClassMaps[0].AccessGroups[0])
	if err := dup.Validate(); err == nil || !strings.Contains(err.Error(), "is matched twice") {
		t.Errorf("a class matching one list twice: %v", err)
	}
	// A deny that falls wholly in a later entry or class-default does
	// what that one does, as on IOS.
	c := base.Clone()
	for _, l := range []string{"access-list 101 deny tcp any any eq 80", "access-list 102 deny udp any any"} {
		s := NewSession(c, "console")
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		c = s.Config()
	}
	p, _ := c.FindPolicyMap("NF")
	terms, err := c.PolicyTerms(p, 4)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range terms {
		got = append(got, fmt.Sprintf("%s%d:%s/%s/%v/%d", x.List, x.Entry.Seq, x.Class, x.Sampler, x.Meter, len(x.Also)))
	}
	if want := "10110:SSH/ALL/true/0 10120:BULK/TENTH/true/1 10210:BULK/TENTH/true/0 10220:class-default/HUNDREDTH/true/0 " +
		"WEB10:BULK/TENTH/true/0 WEB20:BULK/TENTH/true/0 0:class-default/HUNDREDTH/true/0"; strings.Join(got, " ") != want {
		t.Errorf("terms\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	// With no class-default sampler a deny that nothing later takes is
	// class-default's, unmetered.
	s := NewSession(base, "console")
	for _, l := range []string{"interface eth1", "no service-policy input", "exit", "no policy-map NF",
		"policy-map NF", "class BULK", "netflow-sampler TENTH", "class SSH", "netflow-sampler ALL", "exit", "exit",
		"interface eth1", "service-policy input NF", "exit", "access-list 102 deny udp any any eq 53"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
}

// TestNetFlowInputFilterIntersections: a match-all class of several lists
// and a deny whose remainder is ports in two ranges, both refused once,
// lay out as terms: the pairs of entries each list stops at, and one term
// per range.
func TestNetFlowInputFilterIntersections(t *testing.T) {
	base, err := Parse("t", []byte(policyConfig))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(base, "console")
	for _, l := range []string{"access-list 103 permit tcp 10.0.0.0 0.0.0.255 any", "access-list 103 deny tcp any any",
		"class-map SSH", "match access-group 103", "exit",
		"ip access-list extended WEB", "permit tcp any any neq 50", "exit", "access-list 101 deny tcp any any range 20 80"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	c := s.Config()
	p, _ := c.FindPolicyMap("NF")
	terms, err := c.PolicyTerms(p, 4)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range terms {
		m := x.MatchACE()
		got = append(got, fmt.Sprintf("%s%d:%s/%v/%v", x.List, x.Entry.Seq, x.Class, x.Meter, m.DstPort))
	}
	// SSH is 101 and 103: 101's permit crossed with 103's two entries and
	// 103's implicit deny, the two denied pairs going on to BULK (WEB's
	// neq 50 takes port 22); 101's deny of ports 20-80 goes on to BULK
	// where WEB takes it: 80, then 20-49 and 51-80 (two terms), the rest
	// (50) to class-default.
	want := []string{
		"10110:SSH/true/{1 22 0}", "10110:BULK/true/{1 22 0}", "10110:BULK/true/{1 22 0}",
		"10120:BULK/true/{1 80 0}", "10120:BULK/true/{5 20 49}", "10120:BULK/true/{5 51 80}", "10120:class-default/true/{5 20 80}",
		"10210:BULK/true/{0 0 0}", "WEB10:BULK/true/{1 80 0}", "WEB20:BULK/true/{1 443 0}", "WEB30:BULK/true/{2 50 0}",
		"0:class-default/true/{0 0 0}",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("terms\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNetFlowInputFilterHelp: `?` in the new modes lists their commands,
// and the prompts are IOS's.
func TestNetFlowInputFilterHelp(t *testing.T) {
	base, err := Parse("t", []byte(policyConfig))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(base, "console")
	steps := []struct{ line, prompt, help, want string }{
		{"class-map match-any BULK", "config-cmap", "match ", "  access-group"},
		{"match access-group name WEB", "config-cmap", "match access-group ", "  <1-2699> or WORD|  name"},
		{"policy-map NF", "config-pmap", "", "  class|  default|  exit|  no"},
		{"class BULK", "config-pmap-c", "", "  class|  default|  exit|  netflow-sampler|  no"},
		{"netflow-sampler TENTH", "config-pmap-c", "netflow-sampler ", "  WORD"},
		{"interface eth1", "config-if", "service-policy ", "  input|  output"},
	}
	for _, st := range steps {
		if err := s.Exec(st.line); err != nil {
			t.Fatalf("%s: %v", st.line, err)
		}
		if s.Prompt() != st.prompt {
			t.Errorf("after %q the prompt is %q, want %q", st.line, s.Prompt(), st.prompt)
		}
		if got := strings.Join(helpLabels(s.Help(st.help)), "|"); got != st.want {
			t.Errorf("after %q, %q?: %q, want %q", st.line, st.help, got, st.want)
		}
	}
}

// TestIPv6AccessLists: `ipv6 access-list` blocks parse, render back as
// IOS prints them, show in show access-lists with their sequence
// numbers, and serve class maps and ipv6 flow ingress input-filter.
func TestIPv6AccessLists(t *testing.T) {
	c, err := Parse("t", []byte(`ipv6 access-list V6SSH
 permit tcp any any eq 22
 sequence 15 deny udp 2001:db8:1::/48 host 2001:db8::53 eq domain
 permit icmp 2001:db8::/32 any
 permit ipv6 any any
ip access-list extended WEB
 permit tcp any any eq 80
flow-sampler-map ALL
 mode deterministic one-out-of 1
class-map match-any BOTH
 match access-group name WEB
 match access-group name V6SSH
policy-map P
 class BOTH
  netflow-sampler ALL
interface eth1
 service-policy input P
interface eth2
 ipv6 flow ingress input-filter V6SSH
`))
	if err != nil {
		t.Fatal(err)
	}
	r := Render(c)
	want := "ipv6 access-list V6SSH\n permit tcp any any eq 22\n sequence 15 deny udp 2001:db8:1::/48 host 2001:db8::53 eq domain\n" +
		" sequence 25 permit icmp 2001:db8::/32 any\n sequence 35 permit ipv6 any any\n"
	if !strings.Contains(r, want) || !strings.Contains(r, "interface eth2\n ipv6 flow ingress input-filter V6SSH\n") {
		t.Errorf("rendering lacks\n%s\nin\n%s", want, r)
	}
	back, err := Parse("r", []byte(r))
	if err != nil {
		t.Fatalf("rendering does not parse: %v\n%s", err, r)
	}
	if d := config.Diff(c, back); len(d) > 0 {
		t.Errorf("round trip differs: %v", d)
	}
	shown := ShowAccessLists(c, "V6SSH", func(string, config.ACE) uint64 { return 2 })
	if w := "IPv6 access list V6SSH\n    permit tcp any any eq 22 (2 matches) sequence 10\n" +
		"    deny udp 2001:db8:1::/48 host 2001:db8::53 eq domain (2 matches) sequence 15\n" +
		"    permit icmp 2001:db8::/32 any (2 matches) sequence 25\n    permit ipv6 any any (2 matches) sequence 35\n"; shown != w {
		t.Errorf("show access-lists:\n%s\nwant:\n%s", shown, w)
	}
	p, _ := c.FindPolicyMap("P")
	for fam, want := range map[int]string{4: "WEB", 6: "V6SSH V6SSH V6SSH V6SSH"} {
		terms, err := c.PolicyTerms(p, fam)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range terms {
			got = append(got, x.List)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("family %d terms %v, want %s", fam, got, want)
		}
	}
	s := NewSession(c, "console")
	for _, x := range []struct{ line, want string }{
		{"ipv6 access-list WEB", "WEB is an IPv4 access list"},
		{"interface eth3\nip flow ingress input-filter V6SSH", "V6SSH is an IPv6 access list"},
		{"interface eth3\nipv6 flow ingress input-filter WEB", "WEB is an IPv4 access list"},
		{"ipv6 access-list V6SSH\npermit tcp 10.0.0.0/8 any", "an IPv6 prefix"},
		{"ipv6 access-list V6SSH\nsequence 15 permit tcp any any", "Duplicate sequence number"},
	} {
		var err error
		for _, l := range strings.Split(x.line, "\n") {
			if err = s.Exec(l); err != nil {
				break
			}
		}
		if err == nil || !strings.Contains(err.Error(), x.want) {
			t.Errorf("%q: %v, want %q", x.line, err, x.want)
		}
		s.Exec("end")
		s = NewSession(c, "console")
	}
}
