package ios

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"github.com/flowtap/flowtap/appliance/platform"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/config"
	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/cli/show"
)

var update = flag.Bool("update", false, "rewrite golden transcripts")

// fakeBackend answers with fixed data for the show commands and keeps a
// real config model, edited through the config package's own session.
type fakeBackend struct {
	cfg      config.Config
	saved    int
	erased   int
	cleared  int
	reloads  int
	noReload bool // ReloadAvailable refuses, as flowtapd on a host
	modified bool
	ends     int
	msgs     chan string
	cfgLog   ConfigLog
	temp     []show.HostEntry // show hosts' names learned from DNS
	// fnfClears are the clear paths the FNF clears took, in order.
	fnfClears []string
}

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func (f *fakeBackend) Hostname() string { return f.cfg.HostnameOrDefault() }
func (f *fakeBackend) AccessLists(name string) show.AccessListsView {
	return show.AccessListsView{Text: iosconf.ShowAccessLists(f.cfg, name, func(string, config.ACE) uint64 { return 0 })}
}
func (f *fakeBackend) ClearACLCounters(...string)            {}
func (f *fakeBackend) FlowSampler(string) []show.FlowSampler { return nil }
func (f *fakeBackend) Applications() show.ApplicationsView {
	return show.ApplicationsView{Live: appclass.NewTally(&appclass.Set{}), Expired: appclass.NewTally(&appclass.Set{})}
}

// Aggregations is a prefix cache fed the cache view's flows, as if they
// had expired into it.
func (f *fakeBackend) Aggregations() []show.AggregationView {
	v := f.CacheView()
	cfg := export.AggregationConfig{Scheme: platform.SchemePrefix, Entries: 1024, ActiveTimeout: 30 * time.Minute, InactiveTimeout: 15 * time.Second}
	c, err := export.NewAggregationCache(cfg, nopAggregates{})
	if err != nil {
		panic(err)
	}
	for i := range v.Flows {
		c.Add(&v.Flows[i])
	}
	a := show.AggregationView{Now: now, Config: show.AggregationConfig{Scheme: cfg.Scheme, Entries: cfg.Entries, ActiveTimeout: cfg.ActiveTimeout, InactiveTimeout: cfg.InactiveTimeout},
		Stats: show.AggregationStats(c.Stats()), IfName: v.IfName}
	c.Walk(func(x *export.Aggregate) bool {
		a.Aggregates = append(a.Aggregates, show.Aggregate(*x))
		return true
	})
	return []show.AggregationView{a}
}

type nopAggregates struct{}

func (nopAggregates) ExportAggregate(*export.Aggregate)                 {}
func (f *fakeBackend) ClassMaps(string) ([]show.ClassMap, error)        { return nil, nil }
func (f *fakeBackend) PolicyMaps(string) ([]show.PolicyMap, error)      { return nil, nil }
func (f *fakeBackend) PolicyMapInterface(string) []show.InterfacePolicy { return nil }
func (f *fakeBackend) ClearCounters(string) error                       { return nil }
func (f *fakeBackend) CacheView() show.CacheView {
	var st show.CacheStats
	st.Active, st.Capacity, st.Since = 1, 4096, now.Add(-10*time.Second)
	st.Protocols = []show.ProtocolStats{{Name: "TCP-WWW", Flows: 10, Packets: 100, Bytes: 50000}}
	st.Protocols4 = st.Protocols
	return show.CacheView{Now: now, Stats: st, Aging: platform.Aging{Inactive: platform.DefaultInactive, Active: platform.DefaultActive},
		Flows: []flow.Record{{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("10.0.0.2"),
			Proto: 6, SrcPort: 1024, DstPort: 80, InputIf: 3}, Packets: 7, Bytes: 900}},
		IfName: func(uint32) string { return "eth1" }}
}
func (f *fakeBackend) ExportView() show.ExportView { return show.ExportView{Version: 9} }
func (f *fakeBackend) DatapathView() show.DatapathView {
	return show.DatapathView{Frames: 10, IPv4: 10, MeteredPackets: 10, FlowsCreated: 2, CaptureFull: 3}
}
func (f *fakeBackend) TopTalkers(bool) (show.TopTalkers, error) {
	return show.TopTalkers{}, errors.New("top talkers are not configured")
}
func (f *fakeBackend) SSH() show.SSHView {
	return show.SSHView{TimeoutSecs: 120, Retries: 3}
}
func (f *fakeBackend) MLSAging() show.MLSAgingView {
	return show.MLSAgingView{Normal: 300, Long: 1920, FastTime: 32, FastThreshold: 100}
}

func (f *fakeBackend) Contention() show.ContentionView {
	return show.ContentionView{Module: 5, Used: 10, Capacity: 100}
}
func (f *fakeBackend) Version() string  { return "flowtap version test\n" }
func (f *fakeBackend) Platform() string { return "Platform: ios\n" }
func (f *fakeBackend) ProcessesCPU() show.ProcessesCPUView {
	return show.ProcessesCPUView{FiveSec: 12.4, FiveSecInterrupt: 1.6, OneMin: 9.5, FiveMin: 3,
		Processes: []show.ProcessCPU{{PID: 812, RuntimeMS: 123456, Invoked: 4000, FiveSec: 4.25, OneMin: 3.5, FiveMin: 1, Name: "flowtapd"}}}
}
func (f *fakeBackend) Inventory() []show.InventoryItem {
	return []show.InventoryItem{{Name: "Chassis", Descr: "flowtap NetFlow probe", PID: "FLOWTAP-IOS", SN: "42"}}
}
func (f *fakeBackend) MemoryPools() []show.MemoryPool {
	return []show.MemoryPool{{Name: "Processor", Total: 4 << 30, Used: 1 << 30, Free: 3 << 30, Lowest: 2 << 30, Largest: 4 << 20},
		{Name: "I/O", Total: 4 << 30, Used: 2 << 30, Free: 1 << 30, Lowest: 1 << 29, Largest: 4 << 20}}
}
func (f *fakeBackend) Interfaces() ([]show.Interface, error) {
	return []show.Interface{
		{Name: "eth0", AdminUp: true, Carrier: true, ProtocolUp: true, MAC: net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56},
			Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.2.15/24")}, MTU: 1500, SpeedMbps: 1000, Duplex: "full",
			RxPackets: 120, RxBytes: 9000, TxPackets: 100, TxBytes: 8000},
		{Name: "eth1", AdminUp: true, Carrier: true, ProtocolUp: true, MAC: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0, 1, 0},
			MTU: 1500, SpeedMbps: 1000, Duplex: "full", Metering: "ingress, passive tap, XDP native", HasXDPDrops: true, XDPDrops: 5000,
			RxPackets: 5000, RxBytes: 4000000},
		{Name: "eth2", MAC: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0, 2, 0}, MTU: 1500},
	}, nil
}
func (f *fakeBackend) Clock() show.ClockView {
	at := now.Add(83*time.Minute + 45678*time.Millisecond)
	start, end := f.cfg.Clock.NextSummer(at)
	return show.ClockView{Now: f.cfg.Clock.In(at), SummerStart: start, SummerEnd: end}
}
func (f *fakeBackend) SNMP() show.SNMPView { return show.SNMPView{} }
func (f *fakeBackend) SNMPAccess() show.SNMPAccessView {
	return show.SNMPAccessView{EngineID: "80007ed905000102030405",
		Users:  []show.SNMPUserView{{Name: "nms", Group: "NMS", Auth: "SHA", Priv: "AES128"}},
		Groups: []show.SNMPGroupView{{Name: "NMS", Level: "priv", Read: "V"}},
		Views:  []show.SNMPMIBView{{Name: "V", Subtree: "mib-2"}}}
}
func (f *fakeBackend) Modified() bool { return f.modified }
func (f *fakeBackend) Messages() (<-chan string, func()) {
	if f.msgs == nil {
		f.msgs = make(chan string)
	}
	return f.msgs, func() {}
}
func (f *fakeBackend) FlowInterfaces() []show.FlowInterface {
	return []show.FlowInterface{{Name: "eth1", Ingress: true}}
}
func (f *fakeBackend) Taps() []show.TapView { return nil }
func (f *fakeBackend) Biflows() show.BiflowView {
	return show.BiflowView{Link: func(*flow.Record) string { return "eth1" }}
}
func (f *fakeBackend) Hosts() show.HostsView {
	v := show.HostsView{Domain: f.cfg.Names.Domain, Lookup: !f.cfg.Names.NoLookup, Servers: f.cfg.Names.Servers}
	for _, h := range f.cfg.Names.Hosts {
		v.Hosts = append(v.Hosts, show.HostEntry{Name: h.Name, Perm: true, Addrs: h.Addrs})
	}
	return show.HostsView{Domain: v.Domain, Lookup: v.Lookup, Servers: v.Servers, Hosts: append(v.Hosts, f.temp...)}
}
func (f *fakeBackend) ClearHost(name string) int {
	n := len(f.temp)
	f.temp = slices.DeleteFunc(f.temp, func(h show.HostEntry) bool { return name == "*" || h.Name == name })
	return n - len(f.temp)
}
func (f *fakeBackend) NDE() string     { return "Netflow Data Export disabled\n" }
func (f *fakeBackend) Logging() string { return "Log Buffer (4096 bytes):\n" }
func (f *fakeBackend) Debug(what string, on bool) string {
	return fmt.Sprintf("debug %s %v", what, on)
}
func (f *fakeBackend) Debugging() string     { return "" }
func (f *fakeBackend) RunningConfig() string { return iosconf.RunningConfig(f.cfg) }
func (f *fakeBackend) StartupConfig() (string, error) {
	return "", errors.New("startup-config is not present")
}
func (f *fakeBackend) WriteMemory() error  { f.saved++; return nil }
func (f *fakeBackend) EraseStartup() error { f.erased++; return nil }
func (f *fakeBackend) ClearFlowStats()     { f.cleared++ }
func (f *fakeBackend) ClearMLSNetflow() error {
	f.fnfClears = append(f.fnfClears, "purge")
	return nil
}
func (f *fakeBackend) ClearCacheStats() { f.fnfClears = append(f.fnfClears, "cache statistics") }
func (f *fakeBackend) ClearExporterStats(c netip.AddrPort) {
	f.fnfClears = append(f.fnfClears, "exporter statistics "+c.String())
}
func (f *fakeBackend) Reload(string) error { f.reloads++; return nil }
func (f *fakeBackend) ReloadAvailable() error {
	if f.noReload {
		return errors.New("% reload is not available in host mode")
	}
	return nil
}
func (f *fakeBackend) CheckEnable(s string) bool { return s == "s3cret" }
func (f *fakeBackend) ConfigLog() *ConfigLog     { return &f.cfgLog }
func (f *fakeBackend) Access() Access {
	a := Access{EnableSecret: true, ExecLevels: map[string]int{}, ConfigLog: f.cfg.Archive}
	for _, e := range f.cfg.ExecLevels {
		a.ExecLevels[e.Command] = e.Level
	}
	a.ModeLevels = ModeLevelsOf(f.cfg.ModeLevels)
	return a
}
func (f *fakeBackend) BeginConfig() ConfigSession {
	return &fakeConfig{f, iosconf.NewSession(f.cfg, "console")}
}

// fakeConfig applies each accepted line to the backend's model at once.
type fakeConfig struct {
	f *fakeBackend
	*iosconf.Session
}

func (c *fakeConfig) End(string) { c.f.ends++ }

func (c *fakeConfig) Exec(line string) error {
	err := c.Session.Exec(line)
	c.f.cfg = c.Session.Config()
	return err
}

// transcript runs a script and returns the screen: prompt, command,
// output, as a terminal shows it.
func transcript(s *Session, script string) string {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		if s.Masked() {
			b.WriteString(s.Prompt() + "\n") // a password is not echoed
		} else {
			b.WriteString(s.Prompt() + line + "\n")
		}
		b.WriteString(s.Exec(line))
	}
	return b.String()
}

func TestTranscript(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, false)
	got := transcript(s, `
show running-config
show ?
enable wrong
enable
wrong
enable
s3cret
sh ip cac fl
show ip cach
show ip cache flwo
c
show ?
show ip cache fl?
show ip flow top-talkers
show ip cache flow aggregation ?
show ip cache verbose flow aggregation prefix
show ip cache flow aggregation as-tos
show ip flow top ?
show ip flow top 5 ?
show ip flow top 5 aggregate protocol ?
show ip flow top 5 aggregate protocol sorted-by bytes ?
show ip flow top 5 agg prot sorted-by packets asc
show ip flow top 5 aggregate protocol match source-address 10.0.0.300
show ip flow top 101 aggregate protocol
sh run | include interface
show running-config | begin eth2
show running-config | section eth1
show running-config | count interface
show running-config | frobnicate x
conf t
interface eth1
 description uplink tap A
 ip flow ingress
 ip flow sideways
 ip flow-cache timeout inactive 5
 ip flow-cache timeout inactive 30
 ip flow-cache timeout ?
 ip flow-cache tim?
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
	eth1, _ := f.cfg.Interface("eth1")
	if f.saved != 1 || f.cleared != 1 || eth1.Description != "uplink tap A" || !eth1.Ingress {
		t.Errorf("backend saw saved %d cleared %d, eth1 %+v", f.saved, f.cleared, eth1)
	}
	if !s.ended {
		t.Error("exit did not end the session")
	}
}

func TestComplete(t *testing.T) {
	s := NewSession(&fakeBackend{cfg: config.Config{}}, true)
	for in, want := range map[string]string{
		"sh":              "show ",
		"show ip ca":      "show ip cache ",
		"show ip cache v": "show ip cache verbose ",
		"c":               "c", // clear, copy, configure: not unique
		"show ":           "show ",
		// A keyword spelled in full completes beside longer ones (ipv6).
		"show ip":     "show ip ",
		"show IP":     "show ip ",
		"show ipv":    "show ipv6 ",
		"show ip cac": "show ip cache ",
		// A filter's verb completes as `?` lists it.
		"show ip cache flow | inc":        "show ip cache flow | include ",
		"show ip cache flow | i":          "show ip cache flow | include ",
		"show ip cache flow |sec":         "show ip cache flow |section ",
		"show ip cache flow | e":          "show ip cache flow | exclude ",
		"show ip cache flow | c":          "show ip cache flow | count ",
		"show ip cache flow | x":          "show ip cache flow | x",
		"show ip cache flow | include fl": "show ip cache flow | include fl",
	} {
		if got := s.Complete(in); got != want {
			t.Errorf("Complete(%q) = %q, want %q", in, got, want)
		}
	}
	s.Exec("configure terminal")
	for in, want := range map[string]string{
		"ip flow-cache tim":          "ip flow-cache timeout ",
		"ip flow-cache timeout a":    "ip flow-cache timeout active ",
		"ip flow-":                   "ip flow-", // flow-cache, flow-export, ...: not unique
		"ip":                         "ip ",      // beside ipv6
		"do sh":                      "do show ",
		"do show ip":                 "do show ip ",
		"do show ip cache flow | be": "do show ip cache flow | begin ",
	} {
		if got := s.Complete(in); got != want {
			t.Errorf("config mode: Complete(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHistoryIsBounded: a session given 1000 commands (a console left
// open for months, a script feeding one session) keeps the last 256 for
// the arrow keys and show history, as IOS's largest history size does;
// before, it kept every line it was ever given.
func TestHistoryIsBounded(t *testing.T) {
	s := NewSession(&fakeBackend{cfg: config.Config{Hostname: "tap1"}}, true)
	for i := range 1000 {
		s.Exec(fmt.Sprintf("show clock %d", i))
	}
	got := strings.Split(strings.TrimRight(s.Exec("show history"), "\n"), "\n")
	if len(got) != 256 || strings.TrimSpace(got[0]) != "show clock 745" || strings.TrimSpace(got[255]) != "show history" {
		t.Fatalf("show history after 1000 commands: %d lines, %q ... %q; want 256, show clock 745 ... show history", len(got), got[0], got[len(got)-1])
	}
}

// FNF is a Flexible NetFlow configuration folded into the fake's cache
// (CacheView) and collector: one record, one exporter, a bound monitor
// and one left unbound.
func (f *fakeBackend) FNF() show.FNFView {
	st := show.ExportStats{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: 9, Packets: 12, Records: 340, Bytes: 20480}
	return show.FNFView{
		Records: []show.FNFRecord{{Name: "FNF-REC", Users: 1, FieldBytes: 53,
			Match:   []string{"ipv4 tos", "ipv4 protocol", "ipv4 source address", "ipv4 destination address", "transport source-port", "transport destination-port", "interface input"},
			Collect: []string{"interface output", "counter bytes long", "counter packets long", "timestamp sys-uptime first", "timestamp sys-uptime last"}}},
		Exporters: []show.FNFExporter{{Name: "FNF-EXP", Description: "nfcapd", Protocol: 9, Destination: netip.MustParseAddr("192.0.2.10"), Port: 2055,
			SourceIf: "eth0", Source: netip.MustParseAddr("10.0.2.15"), TemplateTimeout: 60 * time.Second, Options: []string{"interface-table timeout 300"},
			Users: []string{"FNF-MON"}, Stats: &st}},
		Monitors: []show.FNFMonitor{{Name: "FNF-MON", Record: "FNF-REC", Exporters: []string{"FNF-EXP"}, Allocated: true, Entries: 4096,
			Active: 60 * time.Second, Inactive: 15 * time.Second, Interfaces: []string{"eth1 input"}},
			{Name: "SPARE", Record: "netflow ipv4 original-input", Entries: 4096, Active: 1800 * time.Second, Inactive: 15 * time.Second}},
		Interfaces: []show.FNFInterface{{Name: "eth1", Monitors: []show.FNFBinding{{Monitor: "FNF-MON", Family: 4}}}},
		Cache:      f.CacheView(),
	}
}
