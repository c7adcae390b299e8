package show

import (
	"bytes"
	"testing"
)

// TestPolicyScreens: show class-map, show policy-map and show
// policy-map interface, as golden screens.
func TestPolicyScreens(t *testing.T) {
	var b bytes.Buffer
	ClassMaps(&b, []ClassMap{{Name: "class-default", MatchAny: true, Matches: []string{"any "}},
		{Name: "SSH", ID: 1, Matches: []string{"access-group  101"}},
		{Name: "BULK", ID: 2, MatchAny: true, Matches: []string{"access-group  102", "access-group  name WEB"}}})
	golden(t, "show-class-map", b.Bytes())
	classes := []PolicyClass{
		{Name: "SSH", Matches: []string{"access-group 101"}, Sampler: "ALL", Packets: 5, Bytes: 190, RateBPS: 3000},
		{Name: "BULK", MatchAny: true, Matches: []string{"access-group 102", "access-group name WEB"}, Sampler: "TENTH", Packets: 40, Bytes: 1520},
		{Name: "class-default", MatchAny: true, Matches: []string{"any "}, Packets: 36, Bytes: 1368},
	}
	b.Reset()
	PolicyMaps(&b, []PolicyMap{{Name: "NF", Classes: classes}})
	golden(t, "show-policy-map", b.Bytes())
	b.Reset()
	PolicyMapInterfaces(&b, []InterfacePolicy{{Interface: "eth1", Policy: PolicyMap{Name: "NF", Classes: classes}}})
	golden(t, "show-policy-map-interface", b.Bytes())
}
