package ios

import (
	"net/netip"

	"github.com/flowtap/flowtap/cli/show"
)

// Backend is the appliance as the CLI sees it: snapshots for the show
// commands, the running and startup configs, and configuration lines.
type Backend interface {
	Hostname() string
	CacheView() show.CacheView
	ExportView() show.ExportView
	DatapathView() show.DatapathView
	// TopTalkers is the top talkers among one family's flows: IPv4 for
	// `show ip flow top-talkers`, IPv6 for `show ipv6 flow top-talkers`.
	TopTalkers(ipv6 bool) (show.TopTalkers, error)
	Contention() show.ContentionView
	// MLSAging is the PFC's aging timers, `show mls netflow aging`.
	MLSAging() show.MLSAgingView
	// Text for commands whose layout the backend owns (from live state).
	Version() string
	Platform() string
	// ProcessesCPU and MemoryPools are `show processes cpu` and `show
	// memory statistics`: the sampler CISCO-PROCESS-MIB reads and the
	// pools CISCO-MEMORY-POOL-MIB serves.
	ProcessesCPU() show.ProcessesCPUView
	MemoryPools() []show.MemoryPool
	// Inventory is `show inventory`: the parts ENTITY-MIB lists.
	Inventory() []show.InventoryItem
	// Interfaces lists the links, for `show interfaces` and `show ip
	// interface brief`.
	Interfaces() ([]show.Interface, error)
	// Clock is the time now on the configured clock, whether NTP set it
	// and the next summer-time change (`show clock [detail]`).
	Clock() show.ClockView
	SNMP() show.SNMPView
	// SSH is `show ip ssh`: the SSH server's state and settings.
	SSH() show.SSHView
	// SNMPAccess is the SNMPv3 users, groups and MIB views (`show snmp
	// user|group|view`).
	SNMPAccess() show.SNMPAccessView
	// Aggregations are the configured `ip flow-aggregation cache`s, for
	// `show ip cache [verbose] flow aggregation SCHEME`.
	Aggregations() []show.AggregationView
	// AccessLists is `show access-lists [NAME]`, with each entry's
	// matches; ClearACLCounters is `clear access-list counters`: every
	// list's, or only those of lists named.
	AccessLists(name string) show.AccessListsView
	ClearACLCounters(lists ...string)
	// FlowSampler is `show flow-sampler [NAME]`.
	FlowSampler(name string) []show.FlowSampler
	FlowInterfaces() []show.FlowInterface
	// FNF is Flexible NetFlow, `show flow record|exporter|monitor|interface`.
	FNF() show.FNFView
	// ClassMaps, PolicyMaps and PolicyMapInterface are `show class-map
	// [NAME]`, `show policy-map [NAME]` and `show policy-map interface
	// [NAME]` (NetFlow input filters); an error is the `%` line for a
	// name not configured. ClearCounters is `clear counters [INTERFACE]`.
	ClassMaps(name string) ([]show.ClassMap, error)
	PolicyMaps(name string) ([]show.PolicyMap, error)
	PolicyMapInterface(ifname string) []show.InterfacePolicy
	ClearCounters(ifname string) error
	// Applications is `show ip flow applications`: octets, packets,
	// flows and share per application class, live and since the last
	// `clear ip flow stats`.
	Applications() show.ApplicationsView
	// Taps is `show flowtap taps`; Biflows `show ip cache biflow`.
	Taps() []show.TapView
	Biflows() show.BiflowView
	NDE() string
	Logging() string
	// Debug turns a debug on or off (what: "ip flow export", or "all"
	// to turn every one off) and returns IOS's answer; Debugging is
	// `show debugging`.
	Debug(what string, on bool) string
	Debugging() string
	// Hosts is `show hosts`; ClearHost is `clear host NAME|*`, which
	// drops the temp entries (names resolved through DNS) it names and
	// says how many went.
	Hosts() show.HostsView
	ClearHost(name string) int

	RunningConfig() string
	StartupConfig() (string, error)
	WriteMemory() error
	// EraseStartup is `write erase` / `erase startup-config`: the saved
	// configuration goes; the running one stays.
	EraseStartup() error
	// Modified tells whether the running config differs from the saved
	// one (reload asks to save it first).
	Modified() bool
	ClearFlowStats()
	// ClearMLSNetflow empties the main cache, exporting every flow it
	// held (`clear mls netflow`, `clear flow monitor NAME cache|force-export`).
	ClearMLSNetflow() error
	// ClearCacheStats is `clear flow monitor NAME statistics`: the main
	// cache's counters (show ip cache flow's, show flow monitor's) start
	// from 0; its flows and the export counters stay.
	ClearCacheStats()
	// ClearExporterStats is `clear flow exporter [NAME] statistics`: the
	// CLI's counters of the destination that sends to collector start
	// from 0 (show ip flow export's line for it as well).
	ClearExporterStats(collector netip.AddrPort)
	// Reload restarts the box; by is who asked, as messages name them.
	Reload(by string) error
	// ReloadAvailable says why Reload cannot restart the box (nil: it
	// can), so that reload refuses before it asks to save and confirm.
	ReloadAvailable() error

	// BeginConfig starts `configure terminal`: each line the session
	// accepts is applied at once, as on IOS.
	BeginConfig() ConfigSession
	// CheckEnable tells whether secret is the enable secret.
	CheckEnable(secret string) bool
	// Access is the configuration's enable secret, command levels and
	// configuration logger settings.
	Access() Access
	// ConfigLog is the configuration logger's log, shared by every
	// session (`show archive log config`); nil keeps none.
	ConfigLog() *ConfigLog
	// Messages subscribes an interactive session to the log messages, as
	// IOS shows them on a console or a `terminal monitor` line; stop ends
	// the subscription.
	Messages() (msgs <-chan string, stop func())
}

// ConfigSession is configuration mode: the config model's own parser,
// which knows the sub-modes.
type ConfigSession interface {
	// Exec applies one line. An error whose Lines() is the IOS screen
	// (echoed line, caret, message) is printed as IOS prints it.
	Exec(line string) error
	Prompt() string // the mode part: "config", "config-if", ...
	Done() bool     // `end`, or `exit` at the top, left configuration mode
	// End is called once when the session leaves configuration mode (end,
	// exit, Ctrl-Z, Ctrl-C): IOS logs %SYS-5-CONFIG_I then, naming who
	// configured ("console", "admin", "admin on vty0").
	End(by string)
	// Help answers `?` after line: the lines to print.
	Help(line string) []string
}

// screenError is an error that knows how the CLI prints it.
type screenError interface{ Lines() []string }
