package show

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
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

// TestPolicyScreensJSON: the three screens' `| json` as goldens, and the
// classes' packets, bytes and rates in the JSON are the numbers the text
// screen prints, class by class.
func TestPolicyScreensJSON(t *testing.T) {
	classes := []PolicyClass{
		{Name: "SSH", Matches: []string{"access-group 101", "access-group name WEB"}, Sampler: "ALL", Packets: 5, Bytes: 190, RateBPS: 3000},
		{Name: "BULK", MatchAny: true, Matches: []string{"access-group 102"}, Sampler: "TENTH", Packets: 18446744073709551615, Bytes: 1520},
		{Name: "class-default", MatchAny: true, Matches: []string{"any "}, Packets: 36, Bytes: 1368, RateBPS: 7},
	}
	var b bytes.Buffer
	for _, doc := range []struct {
		name string
		v    any
	}{
		{"show class-map", ClassMapsJSON([]ClassMap{{Name: "class-default", MatchAny: true, Matches: []string{"any "}},
			{Name: "SSH", ID: 1, Matches: []string{"access-group  101", "access-group  name WEB"}}})},
		{"show policy-map", PolicyMapsJSON([]PolicyMap{{Name: "NF", Classes: classes}})},
		{"show policy-map interface", PolicyMapInterfacesJSON([]InterfacePolicy{{Interface: "eth1", Policy: PolicyMap{Name: "NF", Classes: classes}}})},
		{"show policy-map interface (none)", PolicyMapInterfacesJSON(nil)},
	} {
		fmt.Fprintf(&b, "--- %s | json\n", doc.name)
		if err := WriteJSON(&b, doc.v); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, "policy-json", b.Bytes())

	ps := []InterfacePolicy{{Interface: "eth1", Policy: PolicyMap{Name: "NF", Classes: classes}}}
	var text, js bytes.Buffer
	PolicyMapInterfaces(&text, ps)
	if err := WriteJSON(&js, PolicyMapInterfacesJSON(ps)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		T struct {
			R []struct {
				Interface string
				Policy    string `json:"service_policy_input"`
				T         struct {
					R []struct {
						Name    string
						Packets json.Number
						Bytes   json.Number
						Offered json.Number `json:"offered_rate_bps"`
					} `json:"ROW_class"`
				} `json:"TABLE_class"`
			} `json:"ROW_interface"`
		} `json:"TABLE_interface"`
	}
	dec := json.NewDecoder(&js)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`Class-map: (\S+) .*\n +(\d+) packets, (\d+) bytes\n +5 minute offered rate (\d+) bps`)
	got := re.FindAllStringSubmatch(text.String(), -1)
	rows := doc.T.R[0].T.R
	if len(got) != len(classes) || len(rows) != len(classes) || doc.T.R[0].Interface != "eth1" || doc.T.R[0].Policy != "NF" {
		t.Fatalf("text has %d classes, JSON %d (%+v)", len(got), len(rows), doc)
	}
	for i, m := range got {
		r := rows[i]
		if m[1] != r.Name || m[2] != r.Packets.String() || m[3] != r.Bytes.String() || m[4] != r.Offered.String() {
			t.Errorf("class %d: text %v, JSON %+v", i, m[1:], r)
		}
	}
}
