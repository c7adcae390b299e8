package junos

import (
	"encoding/json"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestForwardingOptionsSampling: the screen and its JSON carry the
// backend's samplers and counters, the JunOS instance with its options.
func TestForwardingOptionsSampling(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
	want := `Instance: global, Id: 0
  Mode: none, Rate: 1 out of 1
  Packets observed: 7, Packets selected: 7, Packets not selected: 0

Instance: sampling instance, Id: 1
  Mode: deterministic, Rate: 1 out of 1000, Run-length: 2, Max packets per second: 5000
  Packets observed: 30000, Packets selected: 90, Packets not selected: 29910
`
	if got := s.Exec("show forwarding-options sampling"); got != want {
		t.Errorf("show forwarding-options sampling:\n%s\nwant\n%s", got, want)
	}
	var doc struct {
		Instances []map[string]any `json:"instances"`
	}
	out := s.Exec("show forwarding-options sampling | display json")
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Instances) != 2 || doc.Instances[1]["packets_observed"] != 30000.0 || doc.Instances[1]["packets_selected"] != 90.0 ||
		doc.Instances[1]["run_length"] != 2.0 || doc.Instances[1]["name"] != "sampling instance" {
		t.Errorf("JSON: %s", out)
	}
}
