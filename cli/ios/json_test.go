package ios

import (
	"encoding/json"
	"errors"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/cli/show"
)

// jsonBackend adds an export destination with counters to the fake, so
// `show ip flow export | json` has numbers to compare.
type jsonBackend struct{ *fakeBackend }

func (jsonBackend) ExportView() show.ExportView {
	return show.ExportView{Version: 9, Destinations: []export.Stats{{
		Collector: netip.MustParseAddrPort("192.0.2.9:2055"), Version: 9,
		Packets: 31, Records: 437, Bytes: 21877, Errors: 2, ErrorRecords: 29,
		LastError: errors.New("connection refused"),
	}}}
}

func jsonOf(t *testing.T, s *Session, line string) any {
	t.Helper()
	out := s.Exec(line)
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", line, err, out)
	}
	return v
}

// numbers are the integers a screen prints, in order.
func numbers(text string) []string { return regexp.MustCompile(`\d+`).FindAllString(text, -1) }

func TestJSONDatapath(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	v := jsonOf(t, s, "show ip flow datapath | json").(map[string]any)
	text := s.Exec("show ip flow datapath")
	if !strings.Contains(text, "10 frames seen") {
		t.Fatalf("text screen changed:\n%s", text)
	}
	for key, want := range map[string]float64{"frames": 10, "ipv4": 10, "metered_packets": 10, "flows_created": 2} {
		if v[key] != want {
			t.Errorf("%s = %v, want %v (text: %v)\n%v", key, v[key], want, numbers(text), v)
		}
	}
}

func TestJSONExport(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	v := jsonOf(t, s, "show ip flow export | json").(map[string]any)
	text := s.Exec("show ip flow export")
	dests := v["destinations"].([]any)
	if len(dests) != 1 {
		t.Fatalf("destinations = %v", v["destinations"])
	}
	d := dests[0].(map[string]any)
	if d["collector"] != "192.0.2.9:2055" || d["last_error"] != "connection refused" {
		t.Errorf("collector = %v, last_error = %v", d["collector"], d["last_error"])
	}
	// The counters the text screen prints are the JSON's.
	for _, key := range []string{"packets", "records", "errors"} {
		n, ok := d[key].(float64)
		if !ok {
			t.Fatalf("%s missing: %v", key, d)
		}
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(strconv.FormatFloat(n, 'f', -1, 64)) + `\b`).MatchString(text) {
			t.Errorf("%s = %v is not on the text screen:\n%s", key, n, text)
		}
	}
	if d["packets"] != 31.0 || d["records"] != 437.0 || d["bytes"] != 21877.0 {
		t.Errorf("counters = %v", d)
	}
}

func TestJSONInterfaces(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	ifs := jsonOf(t, s, "show interfaces eth1 | json").([]any)
	if len(ifs) != 1 {
		t.Fatalf("got %d interfaces", len(ifs))
	}
	i := ifs[0].(map[string]any)
	text := s.Exec("show interfaces eth1")
	if i["name"] != "eth1" || i["mac"] != "aabb.cc00.0100" || i["rx_packets"] != 5000.0 || i["rx_bytes"] != 4000000.0 ||
		i["xdp_drops"] != 5000.0 || i["mtu"] != 1500.0 {
		t.Errorf("eth1 = %v", i)
	}
	for _, want := range []string{"aabb.cc00.0100", "5000 packets input, 4000000 bytes", "MTU 1500"} {
		if !strings.Contains(text, want) {
			t.Errorf("text screen lacks %q:\n%s", want, text)
		}
	}
}

func TestJSONRefused(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	for line, want := range map[string]string{
		"show version | json":               "% JSON output is not supported for this command\n",
		"show ip flow datapath | json x":    "% Invalid input detected at '^' marker.\n",
		"show interfaces eth9 | json":       "                     ^\n% Invalid input detected at '^' marker.\n",
		"show ip flow datapath | include x": "",
	} {
		if got := s.Exec(line); got != want {
			t.Errorf("%s:\ngot  %q\nwant %q", line, got, want)
		}
	}
	// A command with no JSON form is refused before it runs.
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s = NewSession(jsonBackend{f}, true)
	if got := s.Exec("clear ip flow stats | json"); got != "% JSON output is not supported for this command\n" || f.cleared != 0 {
		t.Errorf("clear ip flow stats | json: %q, cleared %d times, want refused and nothing cleared", got, f.cleared)
	}
}
