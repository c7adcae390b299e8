package ios

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/cli/show"
)

var update = flag.Bool("update", false, "rewrite golden transcripts")

// fakeBackend answers with fixed data; its config lines follow a tiny
// grammar (interface NAME / description TEXT / ip flow ingress).
type fakeBackend struct {
	desc    map[string]string
	ingress map[string]bool
	saved   int
	cleared int
}

type posErr struct {
	pos int
	msg string
}

func (e posErr) Error() string { return e.msg }
func (e posErr) Pos() int      { return e.pos }

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func (f *fakeBackend) Hostname() string { return "tap1" }
func (f *fakeBackend) CacheView() show.CacheView {
	var st flowcache.Stats
	st.Active, st.Capacity, st.Since = 1, 4096, now.Add(-10*time.Second)
	st.Protocols[4] = flowcache.ProtocolStats{Flows: 10, Packets: 100, Bytes: 50000}
	return show.CacheView{Now: now, Stats: st, Aging: flowcache.DefaultAging(),
		Flows: []flow.Record{{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("10.0.0.2"),
			Proto: 6, SrcPort: 1024, DstPort: 80, InputIf: 3}, Packets: 7, Bytes: 900}},
		IfName: func(uint32) string { return "eth1" }}
}
func (f *fakeBackend) ExportView() show.ExportView { return show.ExportView{Version: 9} }
func (f *fakeBackend) TopTalkers() (flowcache.TopTalkers, error) {
	return flowcache.TopTalkers{}, errors.New("top talkers are not configured")
}
func (f *fakeBackend) Contention() show.ContentionView {
	return show.ContentionView{Module: 5, Used: 10, Capacity: 100}
}
func (f *fakeBackend) Version() string        { return "flowtap version test\n" }
func (f *fakeBackend) Platform() string       { return "Platform: ios\n" }
func (f *fakeBackend) Interfaces() string     { return "eth1 is up, line protocol is up\n" }
func (f *fakeBackend) FlowInterfaces() string { return "eth1\n ip flow ingress\n" }
func (f *fakeBackend) NDE() string            { return "Netflow Data Export disabled\n" }
func (f *fakeBackend) Logging() string        { return "Log Buffer (4096 bytes):\n" }
func (f *fakeBackend) RunningConfig() string {
	var b strings.Builder
	b.WriteString("hostname tap1\n!\n")
	for _, n := range []string{"eth1", "eth2"} {
		fmt.Fprintf(&b, "interface %s\n", n)
		if d := f.desc[n]; d != "" {
			fmt.Fprintf(&b, " description %s\n", d)
		}
		if f.ingress[n] {
			b.WriteString(" ip flow ingress\n")
		}
		b.WriteString("!\n")
	}
	b.WriteString("ip flow-export version 9\nend\n")
	return b.String()
}
func (f *fakeBackend) StartupConfig() (string, error) {
	return "", errors.New("startup-config is not present")
}
func (f *fakeBackend) WriteMemory() error        { f.saved++; return nil }
func (f *fakeBackend) ClearFlowStats()           { f.cleared++ }
func (f *fakeBackend) ClearMLSNetflow() error    { return nil }
func (f *fakeBackend) Reload() error             { return errors.New("% reload is not allowed in this test") }
func (f *fakeBackend) CheckEnable(s string) bool { return s == "s3cret" }
func (f *fakeBackend) ConfigHelp(mode []string, line string) []string {
	return []string{"  description      Interface specific description", "  ip               Interface Internet Protocol config commands"}
}
func (f *fakeBackend) ConfigLine(mode []string, line string) ([]string, error) {
	w := strings.Fields(line)
	switch {
	case w[0] == "interface" && len(w) == 2:
		return []string{line}, nil
	case len(mode) == 1 && w[0] == "description":
		f.desc[strings.Fields(mode[0])[1]] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "description"))
		return mode, nil
	case len(mode) == 1 && strings.Join(w, " ") == "ip flow ingress":
		f.ingress[strings.Fields(mode[0])[1]] = true
		return mode, nil
	}
	return mode, posErr{strings.Index(line, w[len(w)-1]), "% Invalid input detected at '^' marker."}
}

// transcript runs a script and returns the screen: prompt, command,
// output, as a terminal shows it.
func transcript(s *Session, script string) string {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		b.WriteString(s.Prompt() + line + "\n")
		b.WriteString(s.Exec(line))
	}
	return b.String()
}

func TestTranscript(t *testing.T) {
	f := &fakeBackend{desc: map[string]string{}, ingress: map[string]bool{}}
	s := NewSession(f, false)
	got := transcript(s, `
show running-config
enable wrong
enable s3cret
sh ip cac fl
show ip cach
show ip cache flwo
c
show ?
show ip cache fl?
show ip flow top-talkers
sh run | include interface
show running-config | begin eth2
show running-config | section eth1
show running-config | count interface
show running-config | frobnicate x
conf t
interface eth1
 description uplink tap A
 ip flow ingress
 ip flow egress
 do show running-config | section eth1
 do sh ip cache flwo
exit
exit
write memory
configure terminal
interface eth2
end
show startup-config
clear ip flow stats
terminal length 600
terminal length 0
disable
show running-config
exit`)
	path := "testdata/transcript.golden"
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs; got:\n%s", got)
	}
	if f.saved != 1 || f.cleared != 1 || f.desc["eth1"] != "uplink tap A" || !f.ingress["eth1"] {
		t.Errorf("backend saw saved %d cleared %d desc %q ingress %v", f.saved, f.cleared, f.desc["eth1"], f.ingress)
	}
	if !s.ended {
		t.Error("exit did not end the session")
	}
}

func TestComplete(t *testing.T) {
	s := NewSession(&fakeBackend{}, true)
	for in, want := range map[string]string{
		"sh":              "show ",
		"show ip ca":      "show ip cache ",
		"show ip cache v": "show ip cache verbose ",
		"c":               "c", // clear, copy, configure: not unique
		"show ":           "show ",
	} {
		if got := s.Complete(in); got != want {
			t.Errorf("Complete(%q) = %q, want %q", in, got, want)
		}
	}
}
