package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/show"
)

// noAgent is the backend with no SNMP agent running.
type noAgent struct{ *fakeBackend }

func (noAgent) SNMPCounters() show.SNMPCounters { return nil }

// TestShowSNMPStatistics: the JunOS persona's `show snmp statistics`
// lays out the agent's counters as Junos does (it was a syntax error,
// so a Junos operator had no way to see them), and says so when no agent
// runs.
func TestShowSNMPStatistics(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	want := `SNMP statistics:
  Input:
    Packets: 41, Bad versions: 1, Bad community names: 0,
    Bad community uses: 0, ASN parse errors: 0,
    Too bigs: 0, No such names: 0, Bad values: 0,
    Read onlys: 0, General errors: 0,
    Total request varbinds: 0, Total set varbinds: 0,
    Get requests: 0, Get nexts: 0, Set requests: 0,
    Get responses: 0, Traps: 0,
    Silent drops: 0, Proxy drops: 0, Commit pending drops: 0,
    Throttle drops: 7, Duplicate request drops: 0
  V3 Input:
    Unknown security models: 0, Invalid messages: 0
    Unknown pdu handlers: 0, Unavailable contexts: 0
    Unknown contexts: 0, Unsupported security levels: 0
    Not in time windows: 0, Unknown user names: 0
    Unknown engine ids: 0, Wrong digests: 3, Decryption errors: 0
  Output:
    Packets: 40, Too bigs: 0, No such names: 0,
    Bad values: 0, General errors: 0,
    Get requests: 0, Get nexts: 0, Set requests: 0,
    Get responses: 39, Traps: 1
`
	if got := NewSession(f, "ops").Exec("show snmp statistics"); got != want {
		t.Errorf("show snmp statistics:\n%s\nwant\n%s", got, want)
	}
	if got, want := NewSession(noAgent{f}, "ops").Exec("show snmp statistics"), "error: the snmp subsystem is not running\n"; got != want {
		t.Errorf("without an agent: %q, want %q", got, want)
	}
}

// TestShowFlowtapTaps: a Junos operator reads the taps as the IOS one
// does (the JunOS persona configured taps but had no way to show them):
// the same screen, and its JSON with | display json.
func TestShowFlowtapTaps(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	var want strings.Builder
	show.FlowtapTaps(&want, f.Taps())
	if got := NewSession(f, "ops").Exec("show flowtap taps"); got != want.String() || !strings.Contains(got, "Fibre B ge-0/0/2 is up, silent (no frame for 00:00:40 while fibre A receives)") {
		t.Errorf("show flowtap taps:\n%s\nwant\n%s", got, want.String())
	}
	if got := NewSession(f, "ops").Exec("show flowtap taps | display json"); !strings.Contains(got, `"TABLE_tap"`) || !strings.Contains(got, `"ge-0/0/2"`) {
		t.Errorf("show flowtap taps | display json:\n%s", got)
	}
}
