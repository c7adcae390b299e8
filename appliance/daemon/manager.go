package daemon

import (
	"context"
	"errors"
	"fmt"
	"github.com/flowtap/flowtap/mgmt/dnsclient"
	"github.com/flowtap/flowtap/mgmt/hostres"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/appliance/config/ios"
	cliios "github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/internal/syncfile"
)

// ManagerOptions are fixed for the manager's life.
type ManagerOptions struct {
	Daemon      Options
	StartupPath string // the startup-config file (`write memory` target)
	Logs        *LogBuffer
	Version     string
	// Reload restarts the box (`reload`); nil refuses it (host mode).
	Reload func() error
	// ReloadReason is why the machine last started (show version's
	// "Last reload reason:"), "" where flowtapd does not own the machine.
	ReloadReason string
	// Saved, when set, is told after write memory saved c.
	Saved func(c config.Config)
	// VolatileStartup says StartupPath is on a RAM file system (the image
	// booted without a persistent disk): `write memory` refuses, saying
	// so, rather than print [OK] for a save that a reload loses.
	VolatileStartup bool
	// VolatileWhy, when set, is why the startup-config is in RAM on a
	// machine that has a persistent disk (it does not mount): write
	// memory says that, not "no persistent disk".
	VolatileWhy string
	// Hosts resolves the host names configuration lines name and keeps
	// what DNS answered (`show hosts`, `clear host`); it reads the DHCP
	// lease's name servers. nil: one that knows no lease.
	Hosts *dnsclient.Cache
}

// Manager is the management plane: it holds the running configuration,
// and every change, from the CLI, SNMP or a reloaded file, goes through
// Apply, which turns the model into runtime settings and applies them.
type Manager struct {
	opts    ManagerOptions
	log     *slog.Logger
	started time.Time
	// links keeps what show interfaces needs beyond the kernel's
	// snapshot: flap times and rates.
	links linkWatch

	// applyMu orders changes: a configuration applied and the export
	// source re-resolved never interleave.
	applyMu sync.Mutex
	// saveMu serialises write memory, which removes the temp files a
	// crash left beside the startup-config.
	saveMu sync.Mutex
	// source is what `ip flow-export source` resolved to at the last
	// apply: an address, or why not. Guarded by applyMu.
	source    string
	stopWatch chan struct{}
	// warned are the runtime problems the last change reported.
	warned map[string]bool

	mu      sync.Mutex
	cfg     config.Config
	history []config.Config // earlier running configs, newest last: JunOS rollback 1..49
	// commits says who made each configuration, for JunOS's show system
	// commit: the history's and then the running one's, newest last.
	commits []show.CommitEntry
	d       *Daemon
	onApply []func(config.Config)
	onNote  []func(ConfigNote)
	// debug is the debugs on (Debug).
	debug *debugState

	stop       context.CancelFunc // ends the link watcher
	clockSync  func() config.ClockSync
	ntpStatus  func() show.NTPStatus
	snmpCounts func() map[string]uint64
	snmpNotify func() []show.SNMPLogging
	sshServer  func() show.SSHView

	// acl applies the management access lists and counts their matches.
	acl ACLCounts
	// rate is the meter's last ten seconds, for JunOS's 10-second rates.
	rate meterRate
	// classRates are the policy classes' offered rates (show policy-map
	// interface).
	classRates classRates
	// configLog is `show archive log config`: the CLI sessions' logged
	// commands.
	configLog cliios.ConfigLog
	// confirm is a JunOS commit confirmed waiting to be confirmed.
	confirm confirmWait
	// cpu is the CPU busy sampler `show processes cpu` and
	// CISCO-PROCESS-MIB both read, so they agree.
	cpu hostres.CPUAverages
}

// CPU is the machine's CPU busy sampler, run while the manager runs.
func (m *Manager) CPU() *hostres.CPUAverages { return &m.cpu }

// ACL applies the management access lists (SNMP, vty) and counts what
// each entry decided.
func (m *Manager) ACL() *ACLCounts { return &m.acl }

// maxRollback is how many earlier configurations JunOS can roll back to.
const maxRollback = 49

// NewManager starts the appliance with cfg.
func NewManager(opts ManagerOptions, cfg config.Config) (*Manager, error) {
	log := opts.Daemon.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Logs == nil {
		opts.Logs = NewLogBuffer(4096)
	}
	if opts.Hosts == nil {
		opts.Hosts = new(dnsclient.Cache)
	}
	s, err := SettingsFrom(cfg)
	if err != nil {
		return nil, err
	}
	dbg := &debugState{}
	opts.Daemon.ExportSent = dbg.exportSent(opts.Logs)
	d, err := New(opts.Daemon, s)
	if err != nil {
		return nil, err
	}
	if err := d.Start(); err != nil {
		d.Close(true)
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	m := &Manager{opts: opts, log: log, started: time.Now(), cfg: cfg, d: d, debug: dbg, stopWatch: make(chan struct{}), stop: stop}
	// The configuration flowtapd started with is the first commit.
	m.commits = []show.CommitEntry{{When: m.started, User: "root", Via: "other"}}
	// What the start could not do was logged; later changes warn only
	// about what they bring.
	m.warned = map[string]bool{}
	flattenErrs(errors.Join(d.startErr, s.SourceMissing), func(e error) { m.warned[e.Error()] = true })
	if watch, err := watchLinks(log, m.fibreName, &m.links); err != nil {
		log.Error("no link state messages", "err", err)
	} else {
		go func() {
			if err := watch(ctx); err != nil {
				log.Error("link state messages stopped", "err", err)
			}
		}()
	}
	m.onApply = append(m.onApply, func(c config.Config) {
		opts.Logs.Configure(c.Logging, c.HostnameOrDefault())
		opts.Logs.SetTimestamps(c.LogTimestamps, c.DebugTimestamps, c.Clock)
	})
	m.onApply[0](cfg)
	m.noteSource(cfg)
	go m.watchSource(m.stopWatch)
	go d.sampleMeter(ctx, &m.rate)
	go d.samplePolicies(ctx, &m.classRates)
	go m.cpu.Run(ctx)
	return m, nil
}

// sourceState is what `ip flow-export source` resolves to now: its
// address, or why it is not usable ("" when none is configured).
func sourceState(c config.Config) (string, error) {
	if c.Export.Source == "" {
		return "", nil
	}
	a, err := sourceAddr(c.Export.Source)
	a6 := sourceAddr6(c.Export.Source)
	switch {
	case err != nil && !a6.IsValid():
		return err.Error(), err
	case err != nil:
		return a6.String(), nil
	case a6.IsValid():
		// Either changing reopens the exporters of its family.
		return a.String() + " " + a6.String(), nil
	}
	return a.String(), nil
}

// noteSource remembers what the export source resolved to and logs when
// it goes missing or comes back. applyMu is held (or the manager is not
// yet shared).
func (m *Manager) noteSource(c config.Config) {
	state, err := sourceState(c)
	if state == m.source {
		return
	}
	m.source = state
	switch {
	case err != nil:
		m.log.Warn("export source not usable: exporting by the routing table until it is", "err", err)
	case state != "":
		m.log.Info("export source in use", "interface", c.Export.Source, "address", state)
	}
}

// watchSource re-resolves `ip flow-export source` every few seconds, so
// that export moves to the interface's address when it appears or
// changes (or to the routing table when it goes) without an operator.
// Only the exporters whose source changes are reopened.
func (m *Manager) watchSource(stop <-chan struct{}) {
	every(sourceRetry, stop, func(time.Time) {
		m.applyMu.Lock()
		c := m.Config()
		if state, _ := sourceState(c); state != m.source {
			if s, err := SettingsFrom(c); err != nil {
				m.log.Warn("re-derive settings after the export source changed", "err", err)
			} else if err := m.d.Apply(s); err != nil {
				m.log.Warn("re-apply after the export source changed", "err", err)
			}
			m.noteSource(c)
		}
		m.applyMu.Unlock()
	})
}

// sourceRetry is how often a missing export source interface is looked for.
const sourceRetry = 2 * time.Second

// Config is a copy of the running configuration.
func (m *Manager) Config() config.Config {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg.Clone()
}

// Version is the software version the daemon was built as.
func (m *Manager) Version() string { return m.opts.Version }

// Daemon is the runtime, for status.
func (m *Manager) Daemon() *Daemon { return m.d }

// ConfigNote is a configuration event for CISCO-CONFIG-MAN-MIB's history:
// a configuration session ended (By is the session, as
// %SYS-5-CONFIG_I names it: "console" or "USER on vtyN (ADDR)"), a JunOS
// commit (By its user), or a save (Saved: write memory).
type ConfigNote struct {
	Saved bool
	By    string
}

// OnConfigNote registers a hook run at each configuration event.
func (m *Manager) OnConfigNote(f func(ConfigNote)) {
	m.mu.Lock()
	m.onNote = append(m.onNote, f)
	m.mu.Unlock()
}

func (m *Manager) note(n ConfigNote) {
	m.mu.Lock()
	hooks := slices.Clone(m.onNote)
	m.mu.Unlock()
	for _, h := range hooks {
		h(n)
	}
}

// OnApply registers a hook run after each applied change (SNMP agent,
// SSH users): they read what concerns them from the model.
func (m *Manager) OnApply(f func(config.Config)) {
	m.mu.Lock()
	m.onApply = append(m.onApply, f)
	m.mu.Unlock()
	f(m.Config())
}

// Apply makes c the running configuration. A model the runtime cannot
// derive settings from is refused whole; a runtime step that fails (a
// port that cannot be attached) is reported, and the rest applies.
func (m *Manager) Apply(c config.Config) error {
	return m.ApplyBy(c, show.CommitEntry{User: "root", Via: "other"})
}

// ApplyBy is Apply that records who committed, for show system commit.
func (m *Manager) ApplyBy(c config.Config, by show.CommitEntry) error {
	if by.When.IsZero() {
		by.When = time.Now()
	}
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	s, err := SettingsFrom(c)
	if err != nil {
		return err
	}
	m.mu.Lock()
	old := m.cfg
	m.history = append(m.history, old)
	m.commits = append(m.commits, by)
	if len(m.history) > maxRollback {
		m.history = m.history[1:]
	}
	m.commits = m.commits[max(len(m.commits)-len(m.history)-1, 0):]
	m.cfg = c.Clone()
	hooks := append([]func(config.Config){}, m.onApply...)
	m.mu.Unlock()
	applyErr := m.warnings(errors.Join(m.d.Apply(s), s.SourceMissing))
	m.noteSource(c)
	logConfigChanges(m.log, old, c)
	for _, h := range hooks {
		h(c)
	}
	if by.Via == "cli" {
		m.note(ConfigNote{By: by.User}) // a JunOS commit
	}
	return applyErr
}

// Edit changes the running configuration with f, as one CLI line would,
// validating the result first (SNMP Sets use it). Warnings are logged
// only: the change is in force.
func (m *Manager) Edit(f func(c *config.Config) error) error {
	c := m.Config()
	if err := f(&c); err != nil {
		return err
	}
	n, err := config.Normalize(c)
	if err != nil {
		return err
	}
	var w Warnings
	if err := m.Apply(n); err != nil && !errors.As(err, &w) {
		return err
	}
	return nil
}

// Check is Edit without the change: whether the configuration would
// take f's result (an SNMP Set's test phase, which must refuse what its
// commit would).
func (m *Manager) Check(f func(c *config.Config) error) error {
	c := m.Config()
	if err := f(&c); err != nil {
		return err
	}
	n, err := config.Normalize(c)
	if err != nil {
		return err
	}
	_, err = SettingsFrom(n)
	return err
}

// Warnings are what an applied change could not do yet: a port that does
// not exist, an exporter that cannot be opened. The change is in force
// (Apply returned it as an error, but nothing was refused) and the
// daemon retries; each warning is returned once, by the change that
// brought it, not by every later one.
type Warnings []error

// Warning marks these as warnings for the CLIs (the JunOS commit
// completes with "warning:" lines).
func (w Warnings) Warning() bool { return true }

// Unwrap lists them.
func (w Warnings) Unwrap() []error { return w }

func (w Warnings) Error() string {
	s := make([]string, len(w))
	for i, e := range w {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

// flattenErrs calls f with each error err joins.
func flattenErrs(err error, f func(error)) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			flattenErrs(e, f)
		}
	} else if err != nil {
		f(err)
	}
}

// warnings turns the runtime's errors into the Warnings not reported
// before, logging each. applyMu is held.
func (m *Manager) warnings(err error) error {
	var all []error
	flattenErrs(err, func(e error) { all = append(all, e) })
	now := map[string]bool{}
	var fresh Warnings
	for _, e := range all {
		now[e.Error()] = true
		if !m.warned[e.Error()] {
			m.log.Warn("configuration applied, but not all of it is in effect yet", "err", e)
			fresh = append(fresh, e)
		}
	}
	m.warned = now
	if len(fresh) == 0 {
		return nil
	}
	return fresh
}

// WriteMemory saves the running configuration as the startup config,
// atomically; temp files an earlier save left when the box died go first.
func (m *Manager) WriteMemory() error {
	if m.opts.StartupPath == "" {
		return errors.New("no startup-config location: started without --config")
	}
	if m.opts.VolatileStartup && m.opts.VolatileWhy != "" {
		return fmt.Errorf("Warning: %s: the configuration was not saved and is lost at reload", m.opts.VolatileWhy)
	}
	if m.opts.VolatileStartup {
		return errors.New("Warning: no persistent disk: the configuration was not saved and is lost at reload " +
			"(boot with a disk labelled FLOWTAP; make qemu attaches out/disk.img)")
	}
	m.saveMu.Lock()
	defer m.saveMu.Unlock()
	if err := config.RemoveTemps(m.opts.StartupPath); err != nil {
		m.log.Warn("remove temp files of an interrupted write memory", "err", err)
	}
	c := m.Config()
	if err := cfgfile.Save(m.opts.StartupPath, c); err != nil {
		return err
	}
	if m.opts.Saved != nil {
		m.opts.Saved(c)
	}
	m.note(ConfigNote{Saved: true})
	return nil
}

// EraseStartup removes the startup-config (`write erase`): the next boot
// runs the default configuration, and the running one is left as it is.
// The running copy is told the startup-config it derives from is none,
// so a daemon restarted after a crash still comes back with it.
func (m *Manager) EraseStartup() error {
	if m.opts.StartupPath == "" {
		return errors.New("no startup-config location: started without --config")
	}
	m.saveMu.Lock()
	defer m.saveMu.Unlock()
	if err := config.RemoveTemps(m.opts.StartupPath); err != nil {
		m.log.Warn("remove temp files of an interrupted write memory", "err", err)
	}
	if err := syncfile.Remove(m.opts.StartupPath); err != nil {
		return err
	}
	if m.opts.Saved != nil {
		m.opts.Saved(m.Config())
	}
	return nil
}

// Modified tells whether the running configuration differs from the
// startup config (none saved counts as different).
func (m *Manager) Modified() bool {
	saved, err := cfgfile.LoadWith(m.opts.StartupPath, m.opts.Hosts)
	if err != nil {
		return true
	}
	return !config.Equal(saved, m.Config())
}

// SetClockSync tells `show clock` and the log's timestamps how far the
// clock is trusted (whether NTP keeps it).
func (m *Manager) SetClockSync(f func() config.ClockSync) {
	m.mu.Lock()
	m.clockSync = f
	m.mu.Unlock()
	m.opts.Logs.SetClockSync(f)
}

// SetNTPStatus gives `show ntp status` the NTP client's last poll.
func (m *Manager) SetNTPStatus(f func() show.NTPStatus) {
	m.mu.Lock()
	m.ntpStatus = f
	m.mu.Unlock()
}

// ntpStatusNow is the NTP client's last poll, zero while none runs.
func (m *Manager) ntpStatusNow() show.NTPStatus {
	m.mu.Lock()
	f := m.ntpStatus
	m.mu.Unlock()
	if f == nil {
		return show.NTPStatus{}
	}
	return f()
}

// clockSyncNow is the clock's state now: unset while nothing said.
func (m *Manager) clockSyncNow() config.ClockSync {
	m.mu.Lock()
	f := m.clockSync
	m.mu.Unlock()
	if f == nil {
		return config.ClockUnset
	}
	return f()
}

// SetSNMPCounters gives `show snmp` the running agent's counters by MIB
// name; nil while no agent runs.
func (m *Manager) SetSNMPCounters(f func() map[string]uint64) {
	m.mu.Lock()
	m.snmpCounts = f
	m.mu.Unlock()
}

// SetSNMPNotifyStats gives `show snmp` the running agent's notification
// counts per receiver; nil while no agent runs.
func (m *Manager) SetSNMPNotifyStats(f func() []show.SNMPLogging) {
	m.mu.Lock()
	m.snmpNotify = f
	m.mu.Unlock()
}

// SetSSHServer gives `show ip ssh` the running SSH server's algorithms
// and host key; nil while no server runs.
func (m *Manager) SetSSHServer(f func() show.SSHView) {
	m.mu.Lock()
	m.sshServer = f
	m.mu.Unlock()
}

// SNMPCounters is the running agent's counters by MIB name; nil while no
// agent runs.
func (m *Manager) SNMPCounters() map[string]uint64 {
	m.mu.Lock()
	f := m.snmpCounts
	m.mu.Unlock()
	if f == nil {
		return nil
	}
	return f()
}

// StartupConfig reads the saved configuration as text.
func (m *Manager) StartupConfig() (string, error) {
	b, err := os.ReadFile(m.opts.StartupPath)
	if errors.Is(err, os.ErrNotExist) || m.opts.StartupPath == "" {
		return "", errors.New("startup-config is not present")
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// ReloadStartup re-reads the startup config and applies it (SIGHUP). A
// file that does not parse leaves the running config as it was.
func (m *Manager) ReloadStartup() error {
	c, err := cfgfile.LoadWith(m.opts.StartupPath, m.opts.Hosts)
	if err != nil {
		return err
	}
	return m.Apply(c)
}

// Hosts is the resolver configuration lines name hosts through: its
// cache is `show hosts`' temp entries.
func (m *Manager) Hosts() *dnsclient.Cache { return m.opts.Hosts }

// Close ends the appliance; keep leaves the flows in the pinned table for
// a restarted daemon.
func (m *Manager) Close(keep bool) error {
	m.stopConfirm()
	close(m.stopWatch)
	m.stop()
	return m.d.Close(keep)
}

// Commits are the commits the rollback history holds, newest (the
// running configuration's) first, for JunOS's show system commit.
func (m *Manager) Commits() []show.CommitEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.commits)
	slices.Reverse(out)
	return out
}

// Rollback is the configuration committed n changes ago (0: the running
// one), for JunOS `rollback N`.
func (m *Manager) Rollback(n int) (config.Config, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n == 0 {
		return m.cfg.Clone(), nil
	}
	if n > len(m.history) {
		return config.Config{}, fmt.Errorf("rollback %d: only %d earlier configurations are kept", n, len(m.history))
	}
	return m.history[len(m.history)-n].Clone(), nil
}

// logConfigChanges logs what an applied change did, as running-config
// lines: the block it is in, then "old -> new", "+added" or "-removed".
// The model holds zero values for defaults (hostname "" is flowtap, an
// active timeout of 0 is 30 minutes), so its fields are not what an
// operator had; the rendered lines are.
func logConfigChanges(log *slog.Logger, old, new config.Config) {
	diff := strings.Split(strings.TrimSpace(ios.RenderDiff(old, new)), "\n")
	if len(diff) < 2 {
		return // "!No changes were found"
	}
	var context string
	var items []string
	flush := func() {
		if len(items) > 0 {
			logIOS(log, "FLOWTAP-5-CONFIG_CHANGE", "%s%s", context, strings.Join(items, "; "))
		}
		items = nil
	}
	for _, l := range diff[1:] {
		// Secrets are masked in every log, hidekeys or not: these lines
		// reach show logging and the syslog hosts.
		body := ios.HideKeys(strings.TrimSpace(l))
		switch {
		case !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "-"):
			flush()
			context = body + ": " // a sub-mode's header
			continue
		case !strings.HasPrefix(l, " "):
			if context != "" {
				flush()
				context = ""
			}
		}
		if strings.HasPrefix(body, "+") && len(items) > 0 && strings.HasPrefix(items[len(items)-1], "-") {
			items[len(items)-1] = items[len(items)-1][1:] + " -> " + body[1:]
			continue
		}
		items = append(items, body)
	}
	flush()
}
