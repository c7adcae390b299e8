package show

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"testing"
)

func TestWriteJSONKeysAndExactNumbers(t *testing.T) {
	var b bytes.Buffer
	v := struct {
		RxPackets  uint64
		BGPNextHop bool
		IPv4       uint64
		SrcIPv6    string
		MTU        uint32
	}{RxPackets: math.MaxUint64, BGPNextHop: true, IPv4: 10, SrcIPv6: "::1", MTU: 1500}
	if err := WriteJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	want := `{
  "bgp_next_hop": true,
  "ipv4": 10,
  "mtu": 1500,
  "rx_packets": 18446744073709551615,
  "src_ipv6": "::1"
}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// An acronym's plural is one word: Layer2VLANs was layer2_vla_ns.
func TestSnakeAcronymPlural(t *testing.T) {
	for in, want := range map[string]string{
		"Layer2VLANs": "layer2_vlans", "VLANs": "vlans", "IDs": "ids", "ACLsSeen": "acls_seen",
		"HTTPServer": "http_server", "RxPackets": "rx_packets", "Layer2NotSelected": "layer2_not_selected",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

// `show ip flow export | json` lists the destinations once, as its
// TABLE_destination; they also came out as "destinations", whose
// last_error was null or {} where the table's said "" or the message.
func TestExportJSONListsDestinationsOnce(t *testing.T) {
	var b bytes.Buffer
	v := ExportView{Destinations: []ExportStats{{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: 9,
		Records: 7, LastError: errors.New("collector 192.0.2.10:2055: connection refused")}}}
	if err := WriteJSON(&b, ExportJSON(v)); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["destinations"]; ok {
		t.Errorf("destinations listed twice:\n%s", b.String())
	}
	rows := got["TABLE_destination"].(map[string]any)["ROW_destination"].([]any)
	if len(rows) != 1 {
		t.Fatalf("%d destination rows, want 1:\n%s", len(rows), b.String())
	}
	d := rows[0].(map[string]any)
	if d["collector"] != "192.0.2.10:2055" || d["last_error"] != "collector 192.0.2.10:2055: connection refused" {
		t.Errorf("destination row %v", d)
	}
	if _, ok := got["layer2_vlans"]; !ok {
		t.Errorf("no layer2_vlans key:\n%s", b.String())
	}
}

// `show ip flow export | json` carries what destinations removed since
// the clear counted, as the screen's totals do, and only then.
func TestExportJSONKeepsRemoved(t *testing.T) {
	for _, c := range []struct {
		removed ExportStats
		want    bool
	}{{ExportStats{Records: 40, LostRecords: 6, LostPackets: 9}, true}, {ExportStats{}, false}} {
		var b bytes.Buffer
		if err := WriteJSON(&b, ExportJSON(ExportView{Removed: c.removed})); err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		r, ok := got["removed_since_clear"].(map[string]any)
		if ok != c.want || ok && (r["lost_records"] != 6.0 || r["records"] != 40.0) {
			t.Errorf("removed %+v: removed_since_clear %v\n%s", c.removed, got["removed_since_clear"], b.String())
		}
	}
}
