package snmp

import (
	"bufio"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"
)

// seedFile holds requests net-snmp's tools sent to an agent configured as
// fuzzAgent is (same engine ID, boots and users); TestWriteFuzzSeeds
// records them again.
const seedFile = "testdata/netsnmp-requests.txt"

func loadSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open(seedFile)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var seeds [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		_, h, _ := strings.Cut(l, " ")
		b, err := hex.DecodeString(h)
		if err != nil {
			tb.Fatalf("%s: %v", seedFile, err)
		}
		seeds = append(seeds, b)
	}
	if len(seeds) < 10 {
		tb.Fatalf("%s: only %d seeds", seedFile, len(seeds))
	}
	return seeds
}

// staticInterfaces stands in for netlink where a test wants no syscalls.
type staticInterfaces []Interface

func (s staticInterfaces) Interfaces() ([]Interface, error) { return s, nil }

// fuzzAgent answers without sockets, on a clock stopped at its start so
// that the recorded v3 requests stay in the time window.
func fuzzAgent(tb testing.TB) *Agent {
	tb.Helper()
	cfg := testConfig(newFakeBackend())
	cfg.Listen = nil
	stopped := time.Now()
	cfg.Now = func() time.Time { return stopped }
	cfg.Interfaces = staticInterfaces{
		{Index: 1, Name: "lo", ARPType: 772, MTU: 65536, Flags: 0x10049, Stats: InterfaceStats{RxBytes: 1 << 40, RxPackets: 5}},
		{Index: 2, Name: "eth1", ARPType: 1, MTU: 1500, Flags: 0x11143, SpeedMbps: 10000},
	}
	a, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// responseLimit is what a request allows: the agent's maximum, and for v3
// also the msgMaxSize the manager declared.
func responseLimit(a *Agent, req []byte) int {
	limit := a.maxSize
	if v, body, err := peekVersion(req); err == nil && v == version3 {
		if m, err := parseV3(req, body); err == nil {
			limit = min(limit, int(m.maxSize))
		}
	}
	return limit
}

func FuzzRequest(f *testing.F) {
	for _, s := range loadSeeds(f) {
		f.Add(s)
	}
	a := fuzzAgent(f)
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	f.Fuzz(func(t *testing.T, req []byte) {
		resp := a.handle(req, from)
		if resp == nil {
			return
		}
		if limit := responseLimit(a, req); len(resp) > limit {
			t.Fatalf("response of %d octets, the request allowed %d", len(resp), limit)
		}
		if _, _, err := peekVersion(resp); err != nil {
			t.Fatalf("response does not decode: %v", err)
		}
	})
}

// TestFuzzSeedsAnswered makes sure the recorded requests reach the MIB:
// a seed file the agent would refuse wholesale would fuzz nothing.
func TestFuzzSeedsAnswered(t *testing.T) {
	a := fuzzAgent(t)
	answered := 0
	for _, s := range loadSeeds(t) {
		if a.handle(s, netip.MustParseAddrPort("127.0.0.1:40000")) != nil {
			answered++
		}
	}
	if a.ctr.get(cInASNParseErrs) != 0 || a.ctr.get(cWrongDigests) != 0 || answered == 0 {
		t.Errorf("seeds: %d answered, %d parse errors, %d wrong digests", answered, a.ctr.get(cInASNParseErrs), a.ctr.get(cWrongDigests))
	}
	t.Logf("%d of %d seeds answered", answered, len(loadSeeds(t)))
}
