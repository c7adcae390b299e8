package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/asmap"
	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/cli/junos"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/internal/syncfile"
	"github.com/flowtap/flowtap/mgmt/dnsclient"
)

// JunOS is the JunOS CLI's view of the appliance.
type JunOS struct{ m *Manager }

// JunOS returns the backend the JunOS sessions use.
func (m *Manager) JunOS() *JunOS { return &JunOS{m} }

var _ junos.Backend = (*JunOS)(nil)

// Interfaces are the links for show interfaces: the snapshot IOS's show
// interfaces prints.
func (j *JunOS) Interfaces() ([]show.Interface, error) { return j.m.interfaces() }

// Taps are the passive taps for show flowtap taps, as IOS shows them.
func (j *JunOS) Taps() []show.TapView { return j.m.CLI().Taps() }

// Inventory is `show chassis hardware`: the parts `show inventory` and
// ENTITY-MIB list, from the same reading.
func (j *JunOS) Inventory() []show.InventoryItem { return j.m.CLI().Inventory() }

// RoutingEngine is `show chassis routing-engine`, from the sampler and
// inventory the IOS screens read.
func (j *JunOS) RoutingEngine() show.RoutingEngineView { return j.m.CLI().RoutingEngine() }

// System is `show version` and `show system uptime`'s view of the box.
func (j *JunOS) System() show.JunosSystemView { return j.m.CLI().JunosSystem() }

// LogMessages is `show log messages`: the log buffer IOS's show
// logging reads, with the box's name, flowtapd's PID and its clock.
func (j *JunOS) LogMessages() show.LogMessagesView {
	cfg := j.m.Config()
	return show.LogMessagesView{Hostname: j.Hostname(), PID: os.Getpid(), Local: cfg.Clock.In, Messages: j.m.opts.Logs.Messages()}
}

// ProcessesSummary is `show system processes summary`.
func (j *JunOS) ProcessesSummary() show.ProcessesSummaryView { return j.m.CLI().ProcessesSummary() }

// Alarms are `show system alarms`: a major alarm for each port the
// configuration meters (or a tap's fibre) that is not there or whose
// link is down, since the link last changed as flowtapd saw it (or since
// flowtapd started): a port the meter cannot see is traffic unmetered.
// The descriptions follow Junos's "Link Down" [RECALL]; the port that is
// not there is flowtap's.
func (j *JunOS) Alarms() []show.Alarm {
	cfg := j.m.Config()
	ifs, err := j.m.interfaces()
	if err != nil {
		return nil
	}
	byName := map[string]show.Interface{}
	for _, i := range ifs {
		byName[i.Name] = i
	}
	var ports []string
	for _, it := range cfg.Interfaces {
		if _, _, sub := it.Subinterface(); it.Metered() && !sub {
			ports = append(ports, it.Name)
		}
	}
	for _, t := range cfg.Taps {
		for _, f := range []string{t.FibreA, t.FibreB} {
			if f != "" && !slices.Contains(ports, f) {
				ports = append(ports, f)
			}
		}
	}
	since := cfg.Clock.In(j.m.started)
	var out []show.Alarm
	for _, p := range ports {
		i, ok := byName[p]
		switch {
		case !ok:
			out = append(out, show.Alarm{Time: since, Class: "Major", Description: p + ": Interface not present"})
		case !i.Carrier || !i.ProtocolUp:
			at := since
			if !i.LastFlapped.IsZero() {
				at = cfg.Clock.In(i.LastFlapped)
			}
			out = append(out, show.Alarm{Time: at, Class: "Major", Description: p + ": Link Down"})
		}
	}
	return out
}

// SystemStorage is `show system storage`.
func (j *JunOS) SystemStorage() []show.Filesystem { return j.m.CLI().SystemStorage() }

// SystemMemory is `show system memory`.
func (j *JunOS) SystemMemory() show.SystemMemoryView { return j.m.CLI().SystemMemory() }

// SNMPCounters are the agent's statistics for show snmp statistics.
func (j *JunOS) SNMPCounters() show.SNMPCounters {
	n := j.m.SNMPCounters()
	if n == nil {
		return nil
	}
	out := make(show.SNMPCounters, len(n))
	for k, v := range n {
		out[k] = v
	}
	return out
}

func (j *JunOS) Hostname() string       { return j.m.Config().HostnameOrDefault() }
func (j *JunOS) Running() config.Config { return j.m.Config() }

// Commit applies c and saves it as the startup configuration: on JunOS a
// commit is what the box boots with, and the JunOS CLI has no write
// memory. A save that fails leaves the commit in force with a warning.
func (j *JunOS) Commit(c config.Config, by show.CommitEntry) error {
	err := j.m.ApplyBy(c, by)
	var warn Warnings
	if err != nil && !errors.As(err, &warn) {
		return err
	}
	j.logCommit("commit", by)
	if serr := j.m.saveCommitted(); serr != nil {
		warn = append(warn, serr)
	}
	if len(warn) == 0 {
		return nil
	}
	return warn
}

func (j *JunOS) Commits() []show.CommitEntry           { return j.m.Commits() }
func (j *JunOS) Rollback(n int) (config.Config, error) { return j.m.Rollback(n) }

// CommitConfirmed, Confirm and ConfirmDeadline are JunOS's commit
// confirmed, held by the manager so that it outlives the session.
func (j *JunOS) CommitConfirmed(c config.Config, wait time.Duration, by show.CommitEntry) error {
	err := j.m.CommitConfirmed(c, wait, by)
	var warn Warnings
	if err == nil || errors.As(err, &warn) {
		j.logCommit("commit confirmed", by)
	}
	return err
}

// logCommit logs a JunOS commit as Junos's mgd does, under its UI_COMMIT
// mnemonic [RECALL: "User 'U' requested 'commit' operation (comment:
// none)"], so that show log messages | match UI_COMMIT finds who
// committed; the configuration change itself is logged as every change
// is (%FLOWTAP-5-CONFIG_CHANGE).
func (j *JunOS) logCommit(op string, by show.CommitEntry) {
	comment := cmp.Or(by.Comment, "none")
	logIOS(j.m.log, "MGD-5-UI_COMMIT", "User '%s' requested '%s' operation (comment: %s)", by.User, op, comment)
}

// Confirm keeps a commit confirmed, which is then saved as any commit
// is (while it waited, the startup configuration stayed the one before
// it, so a reboot meanwhile came back without the change).
func (j *JunOS) Confirm() bool {
	if !j.m.Confirm() {
		return false
	}
	if err := j.m.saveCommitted(); err != nil {
		j.m.log.Warn("commit confirmed: confirmed but not saved", "err", err)
	}
	return true
}
func (j *JunOS) ConfirmDeadline() time.Time { return j.m.ConfirmDeadline() }

// FirewallFilter is `show firewall filter NAME`: the datapath's term
// counters, zero while no port uses the filter.
func (j *JunOS) FirewallFilter(name string) ([]show.FirewallCounter, error) {
	c := j.m.Config()
	for _, fam := range []string{"inet", "inet6"} {
		f, ok := c.FindFirewallFilter(fam, name)
		if !ok {
			continue
		}
		counts, _ := j.m.d.FirewallCounts(f)
		out := make([]show.FirewallCounter, len(counts))
		for i, c := range counts {
			out[i] = show.FirewallCounter{Name: c.Name, Bytes: c.Bytes, Packets: c.Packets}
		}
		return out, nil
	}
	return nil, fmt.Errorf("error: filter %s is not configured", name)
}

// ClearFirewall is `clear firewall filter NAME` ("" for `clear firewall
// all`): the only way the filters' counters go back to zero.
func (j *JunOS) ClearFirewall(name string) error {
	if name != "" {
		c := j.m.Config()
		_, ok4 := c.FindFirewallFilter("inet", name)
		_, ok6 := c.FindFirewallFilter("inet6", name)
		if !ok4 && !ok6 {
			return fmt.Errorf("error: filter %s is not configured", name)
		}
	}
	return j.m.d.ClearFirewall(name)
}

// ClearAccounting is `clear services accounting statistics`: the
// counters IOS's clear ip flow stats zeroes, which the JunOS screens
// read.
func (j *JunOS) ClearAccounting() { j.m.CLI().ClearFlowStats() }

// Sampling is `show forwarding-options sampling`: the samplers SNMP's
// selection processes and IOS's `show flow-sampler` count, from the same
// view; the JunOS instance adds its run-length and packet cap.
func (j *JunOS) Sampling() []show.SamplingInstance {
	views, err := j.m.d.Samplers()
	if err != nil {
		return nil
	}
	_, set, _ := j.m.Config().Setting()
	out := make([]show.SamplingInstance, 0, len(views))
	for _, v := range views {
		s := show.SamplingInstance{Name: v.Name, ID: int(v.ID), Mode: v.Mode.String(), Rate: max(v.Interval, 1),
			PacketsObserved: v.Seen, PacketsSelected: v.Taken}
		if v.Name == JunosSamplingInstance && set.Sampling.Mode == platform.SamplingJuniper {
			s.RunLength, s.MaxPacketsPerSecond = set.Sampling.RunLength, set.Sampling.MaxPacketsPerSecond
		}
		out = append(out, s)
	}
	return out
}

// Aggregations are the aggregation caches IOS's `show ip cache flow
// aggregation` reads, from the same view.
func (j *JunOS) Aggregations() []show.AggregationView { return j.m.CLI().Aggregations() }

func (j *JunOS) Accounting() show.AccountingView {
	v := show.AccountingView{Cache: j.m.CLI().CacheView(), Exports: exportStatsView(j.m.d.ExportStats()),
		Removed: show.ExportStats(j.m.d.RemovedExportStats()), CacheExport: show.CacheExport(j.m.d.CacheExport())}
	v.Packets10s, v.Bytes10s = j.m.rate.last()
	v.Status.ExportFormat = exportFormats(j.m.Config())
	if f, ok := j.m.d.Settings().Annotator.(asmap.Filler); ok && f.Table != nil {
		v.Status.RouteRecordSet, v.Status.RouteRecordCount, v.Status.ASCount = true, f.Table.Len(), f.Table.ASCount()
	}
	// NTP set the time, whether or not it keeps it now.
	v.Status.TimeSet = j.m.clockSyncNow() != config.ClockUnset
	v.Status.Overload = j.m.d.OverloadView()
	mine := j.m.cpu.Process()
	v.Usage = show.AccountingUsage{UptimeMS: time.Since(j.m.started).Milliseconds(), Load5Second: mine.FiveSec, Load1Min: mine.OneMin}
	return v
}

// exportFormats is `show services accounting status`'s export format:
// what the flow-servers get, each version once in server order (a
// flow-server's `version9 template T` or `version-ipfix template T` is
// its own, not the main cache's), or the main version when no server is
// configured.
func exportFormats(c config.Config) string {
	name := func(ver platform.ExportVersion) string {
		if ver == export.IPFIX {
			return "IPFIX"
		}
		return fmt.Sprintf("cflowd v%d", ver)
	}
	var out []string
	for _, d := range c.Export.Destinations {
		if f := name(c.DestinationVersion(d)); !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		_, set, _ := c.Setting()
		return name(set.Export)
	}
	return strings.Join(out, ", ")
}

// Resolver is the box's resolver, for candidate configurations.
func (j *JunOS) Resolver() config.Resolver { return j.m.Hosts() }

// LookupAddr is `show host ADDRESS`: the names the static host mappings
// give the address, then, unless lookups are off, the name servers' PTR
// records (configured servers, else the DHCP lease's). The error is in
// the host utility's words.
func (j *JunOS) LookupAddr(a netip.Addr) ([]string, error) {
	n := j.m.Config().Names
	var names []string
	for _, h := range n.Hosts {
		if slices.Contains(h.Addrs, a) {
			names = append(names, h.Name)
		}
	}
	if len(names) > 0 {
		return names, nil
	}
	if n.NoLookup {
		return nil, errors.New("3(NXDOMAIN)")
	}
	servers, _ := j.m.Hosts().Sources(n.Servers, n.Domain)
	if len(servers) == 0 {
		return nil, errors.New("no name servers")
	}
	names, err := dnsclient.LookupAddr(context.Background(), a, servers)
	switch {
	case errors.Is(err, dnsclient.ErrNotFound):
		return nil, errors.New("3(NXDOMAIN)")
	case err != nil:
		return nil, errors.New("connection timed out; no servers could be reached")
	}
	return names, nil
}

// LookupHost is `show host NAME`: the static host mappings, then, unless
// lookups are off, the name servers (configured, else the DHCP lease's)
// through the host cache. The error is in the host utility's words.
func (j *JunOS) LookupHost(name string) ([]netip.Addr, error) {
	n := j.m.Config().Names
	if i := slices.IndexFunc(n.Hosts, func(h config.HostEntry) bool { return strings.EqualFold(h.Name, name) }); i >= 0 {
		return n.Hosts[i].Addrs, nil
	}
	if n.NoLookup {
		return nil, errors.New("3(NXDOMAIN)")
	}
	a, _, err := j.m.Hosts().Resolve(context.Background(), name, n.Servers, n.Domain)
	switch {
	case errors.Is(err, dnsclient.ErrNotFound):
		return nil, errors.New("3(NXDOMAIN)")
	case errors.Is(err, dnsclient.ErrNoServer):
		return nil, errors.New("no name servers")
	case err != nil:
		return nil, errors.New("connection timed out; no servers could be reached")
	}
	return []netip.Addr{a}, nil
}

// maxLoadFile bounds what `load ... FILE` reads: a configuration is a
// few kilobytes, and the file is read whole.
const maxLoadFile = 4 << 20

// ReadFile is the file `load merge|replace|override|patch|set FILE`
// reads: an absolute path, or a name beside the startup-config (the
// --state directory), where Junos would look in the user's home
// directory. Only a regular file of at most maxLoadFile bytes.
func (j *JunOS) ReadFile(name string) ([]byte, error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(filepath.Dir(j.m.opts.StartupPath), name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a regular file")}
	}
	if st.Size() > maxLoadFile {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("larger than %d bytes", maxLoadFile)}
	}
	return io.ReadAll(io.LimitReader(f, maxLoadFile))
}

// WriteFile is configuration mode's `save FILE`: a name alone (no
// directory, not hidden), written beside the startup-config as it is
// (0600, replaced whole), never the startup-config itself, whose IOS
// text a JunOS rendering would cut down to what JunOS can say.
func (j *JunOS) WriteFile(name string, data []byte) error {
	if name == "" || strings.ContainsRune(name, filepath.Separator) || strings.HasPrefix(name, ".") {
		return errors.New("a file name alone (it is kept beside the startup-config)")
	}
	path := filepath.Join(filepath.Dir(j.m.opts.StartupPath), name)
	if path == filepath.Clean(j.m.opts.StartupPath) {
		return errors.New("that is the startup-config, which commit writes")
	}
	return syncfile.Write(path, data)
}
