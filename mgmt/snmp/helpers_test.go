package snmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// fakeBackend is the daemon's side in tests: a NetflowProvider, a Setter
// and the system group, with the Setter's changes visible to the reads as
// a config model's would be.
type fakeBackend struct {
	mu     sync.Mutex
	sys    SystemInfo
	cache  CacheStats
	export ExportStats
	top    TopFlows
	calls  []string
	failOn string // a Setter method that fails, for commit-failure tests
}

func newFakeBackend() *fakeBackend {
	b := &fakeBackend{
		sys: SystemInfo{Descr: "flowtap test probe", Contact: "noc@example.net", Name: "probe1", Location: "rack 4"},
		cache: CacheStats{
			Enabled: true, Entries: 4096, Active: 33,
			ActiveTimeout: 30 * time.Minute, InactiveTimeout: 15 * time.Second,
			SampledPackets: 0, Since: time.Now().Add(-time.Hour),
		},
		export: ExportStats{
			Version: 9, MaxCollectors: 2, TemplateTimeout: 30 * time.Minute, OptionsTemplateTimeout: 30 * time.Minute,
			TemplateRefreshPackets: 20, OptionsTemplateRefresh: 20,
			Collectors: []CollectorStats{
				{Collector: netip.MustParseAddrPort("192.0.2.1:2055"), Source: netip.MustParseAddrPort("198.51.100.7:50000"), Version: 9,
					Packets: 39, Records: 1152, Bytes: 55000, Errors: 1, Dropped: 2, DroppedRecords: 5, Since: time.Now()},
				{Collector: netip.MustParseAddrPort("[2001:db8::9]:4739"), Version: 10, Packets: 4, Records: 100, Bytes: 6000},
			},
		},
		top: TopFlows{TopN: 10, SortBy: SortByBytes, CacheTimeout: 5 * time.Second, Generated: time.Now(), Matched: 2, Processed: 49,
			Flows: []flow.Record{
				{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.10.18.1"), DstAddr: netip.MustParseAddr("172.16.10.232"), SrcPort: 161, DstPort: 161, Proto: 17, InputIf: 2},
					Packets: 1000, Bytes: 349000, Start: time.Now().Add(-time.Minute), End: time.Now()},
				{Key: flow.Key{SrcAddr: netip.MustParseAddr("2001:db8::1"), DstAddr: netip.MustParseAddr("2001:db8::2"), SrcPort: 443, DstPort: 50000, Proto: 6, InputIf: 3},
					Packets: 10, Bytes: 1500, TCPFlags: 0x1b, VLAN: 100},
			}},
	}
	b.cache.Protocols[flowcache.ProtoTCPWWW] = flowcache.ProtocolStats{Flows: 4682530, Packets: 70237950, Bytes: 65110479650, ActiveMillis: 11238072000, IdleMillis: 21539638000}
	b.cache.Protocols[flowcache.ProtoICMP] = flowcache.ProtocolStats{Flows: 7, Packets: 9, Bytes: 700}
	b.cache.PacketSizes = [26]uint16{0, 191, 24, 9, 10, 6, 5, 8, 3, 5, 3, 3, 2, 1, 1, 1, 2, 107, 32, 578}
	b.cache.Interfaces = []InterfaceFlow{{IfIndex: 1}, {IfIndex: 2, Ingress: true}, {IfIndex: 3, Ingress: true, Egress: true}}
	b.cache.Aggregations = []AggregationCacheStats{{Type: 5, Enabled: true, Entries: 2048, Active: 12,
		ActiveTimeout: 30 * time.Minute, InactiveTimeout: 15 * time.Second, SourceMinMask: 16, DestinationMinMask: 24}}
	b.export.Templates, b.export.OptionsTemplates, b.export.TemplatePolls = 2, 1, 3600
	b.top.Match = flowcache.Match{ProtocolSet: true, Protocol: 17, Dst: netip.MustParsePrefix("172.16.0.0/16"),
		SrcPort: flowcache.PortMatch{Set: true, Min: 161, Max: 162}, Packets: flowcache.CountMatch{Min: 5}}
	b.top.Flows[1].OutputIf = 4
	return b
}

func (b *fakeBackend) system() SystemInfo { b.mu.Lock(); defer b.mu.Unlock(); return b.sys }

func (b *fakeBackend) CacheStats() (CacheStats, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cache, nil
}

func (b *fakeBackend) ExportStats() (ExportStats, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.export
	e.Collectors = slices.Clone(e.Collectors)
	return e, nil
}

func (b *fakeBackend) TopFlows() (TopFlows, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.top, nil
}

// record notes a Setter call and applies it unless the method is set to fail.
func (b *fakeBackend) record(method string, v any, apply func()) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if method == b.failOn {
		return errors.New("config model refused the change")
	}
	b.calls = append(b.calls, fmt.Sprintf("%s %v", method, v))
	apply()
	return nil
}

func (b *fakeBackend) Calls() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.calls)
}

func (b *fakeBackend) SetSysContact(s string) error {
	return b.record("SetSysContact", s, func() { b.sys.Contact = s })
}
func (b *fakeBackend) SetSysName(s string) error {
	return b.record("SetSysName", s, func() { b.sys.Name = s })
}
func (b *fakeBackend) SetSysLocation(s string) error {
	return b.record("SetSysLocation", s, func() { b.sys.Location = s })
}
func (b *fakeBackend) SetInterfaceLinkTrap(n string, on bool) error {
	return b.record("SetInterfaceLinkTrap", fmt.Sprintf("%s=%v", n, on), func() {})
}

func (b *fakeBackend) SetInterfaceDescription(n, d string) error {
	return b.record("SetInterfaceDescription", n+"="+d, func() {})
}
func (b *fakeBackend) SetCacheEntries(n uint32) error {
	return b.record("SetCacheEntries", n, func() { b.cache.Entries = n })
}
func (b *fakeBackend) SetActiveTimeout(d time.Duration) error {
	return b.record("SetActiveTimeout", d, func() { b.cache.ActiveTimeout = d })
}
func (b *fakeBackend) SetInactiveTimeout(d time.Duration) error {
	return b.record("SetInactiveTimeout", d, func() { b.cache.InactiveTimeout = d })
}
func (b *fakeBackend) SetExportVersion(v uint32) error {
	return b.record("SetExportVersion", v, func() { b.export.Version = v })
}
func (b *fakeBackend) AddCollector(c netip.AddrPort) error {
	return b.record("AddCollector", c, func() {
		b.export.Collectors = append(b.export.Collectors, CollectorStats{Collector: c, Version: b.export.Version})
	})
}
func (b *fakeBackend) RemoveCollector(c netip.AddrPort) error {
	return b.record("RemoveCollector", c, func() {
		b.export.Collectors = slices.DeleteFunc(b.export.Collectors, func(s CollectorStats) bool { return s.Collector == c })
	})
}
func (b *fakeBackend) SetTopFlowsTopN(n uint32) error {
	return b.record("SetTopFlowsTopN", n, func() { b.top.TopN = n })
}
func (b *fakeBackend) SetTopFlowsSortBy(s SortBy) error {
	return b.record("SetTopFlowsSortBy", s, func() { b.top.SortBy = s })
}
func (b *fakeBackend) SetTopFlowsCacheTimeout(d time.Duration) error {
	return b.record("SetTopFlowsCacheTimeout", d, func() { b.top.CacheTimeout = d })
}

// Test credentials. The v3 users cover both authentication protocols.
const (
	roCommunity = "public-ro"
	rwCommunity = "private-rw"
	userSHA     = "ftsha"
	userSHA256  = "ftsha256"
	authPass    = "authpass-0123"
	privPass    = "privpass-4567"
)

var testEngineID = []byte{0x80, 0x00, 0x7e, 0xd9, 0x05, 1, 2, 3, 4, 5, 6, 7, 8}

// fromPrefixes is an Access admitting managers in the prefixes.
func fromPrefixes(prefixes ...string) Access {
	return func(from, _ netip.AddrPort) bool {
		for _, p := range prefixes {
			if netip.MustParsePrefix(p).Contains(from.Addr().Unmap()) {
				return true
			}
		}
		return false
	}
}

func testConfig(b *fakeBackend) Config {
	return Config{
		Listen: []string{"127.0.0.1:0", "[::1]:0"},
		Communities: []Community{
			{Name: roCommunity},
			{Name: rwCommunity, Write: true, Allow: fromPrefixes("127.0.0.0/8", "::1/128")},
			{Name: "limited", View: View{Include: []OID{mustOID("1.3.6.1.2.1.1")}, Exclude: []OID{mustOID("1.3.6.1.2.1.1.4")}}},
			{Name: "elsewhere", Allow: fromPrefixes("192.0.2.0/24")},
		},
		Users: []User{
			{Name: userSHA, Auth: AuthSHA, AuthPassword: authPass, Priv: PrivAES, PrivPassword: privPass},
			{Name: userSHA256, Auth: AuthSHA256, AuthPassword: authPass, Priv: PrivAES, PrivPassword: privPass, Write: true},
		},
		EngineID:    testEngineID,
		Logger:      testLogger(),
		System:      b.system,
		Setter:      b,
		Netflow:     b,
		EngineBoots: 1,
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("SNMP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// startAgent runs an agent on loopback ports for the test's lifetime and
// returns it with its IPv4 and IPv6 "host:port" addresses.
func startAgent(t *testing.T, cfg Config) (*Agent, string, string) {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	addrs := a.LocalAddrs()
	v6 := ""
	if len(addrs) > 1 {
		v6 = "udp6:" + addrs[1].String()
	}
	return a, addrs[0].String(), v6
}

// run executes a net-snmp tool; it loads no MIB files, so OIDs print
// numerically whatever MIBs the machine has.
func run(t *testing.T, tool string, args ...string) (string, string, error) {
	t.Helper()
	pkg := "snmp"
	if tool == "snmptrapd" {
		pkg = "snmptrapd"
	}
	path := collector.RequireTool(t, tool, pkg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-m", "", "-On"}, args...)...)
	cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=/nonexistent", "SNMPCONFPATH=/nonexistent",
		"SNMP_PERSISTENT_DIR="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := testproc.Run(cmd)
	t.Logf("$ %s %s\n%s%s", tool, strings.Join(args, " "), tail(out.String(), 3000), errb.String())
	return out.String(), errb.String(), err
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

// lines splits tool output into lines without the trailing empty one.
func lines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	got := lines(out)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("output lacks the line\n  %s", w)
		}
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	return testnet.FreePort(t, "udp")
}
func (b *fakeBackend) SetTopFlowsMatch(m flowcache.Match) error {
	return b.record("SetTopFlowsMatch", m, func() { b.top.Match = m })
}
func (b *fakeBackend) SetInterfaceFlow(ifIndex uint32, ingress, egress bool) error {
	return b.record("SetInterfaceFlow", fmt.Sprint(ifIndex, ingress, egress), func() {
		for i := range b.cache.Interfaces {
			if b.cache.Interfaces[i].IfIndex == ifIndex {
				b.cache.Interfaces[i].Ingress, b.cache.Interfaces[i].Egress = ingress, egress
			}
		}
	})
}
