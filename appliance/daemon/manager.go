package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
)

// ManagerOptions are fixed for the manager's life.
type ManagerOptions struct {
	Daemon      Options
	StartupPath string // the startup-config file (`write memory` target)
	Logs        *LogBuffer
	Version     string
	// Reload restarts the box (`reload`); nil refuses it (host mode).
	Reload func() error
}

// Manager is the management plane: it holds the running configuration,
// and every change, from the CLI, SNMP or a reloaded file, goes through
// Apply, which turns the model into runtime settings and applies them.
type Manager struct {
	opts    ManagerOptions
	log     *slog.Logger
	started time.Time

	mu      sync.Mutex
	cfg     config.Config
	history []config.Config // earlier running configs, newest last: JunOS rollback 1..49
	d       *Daemon
	onApply []func(config.Config)
}

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
	s, err := SettingsFrom(cfg)
	if err != nil {
		return nil, err
	}
	d, err := New(opts.Daemon, s)
	if err != nil {
		return nil, err
	}
	if err := d.Start(); err != nil {
		d.Close(true)
		return nil, err
	}
	m := &Manager{opts: opts, log: log, started: time.Now(), cfg: cfg, d: d}
	m.onApply = append(m.onApply, func(c config.Config) {
		opts.Logs.Configure(c.Logging.Buffered, c.Logging.Hosts, c.HostnameOrDefault())
	})
	m.onApply[0](cfg)
	return m, nil
}

// Config is a copy of the running configuration.
func (m *Manager) Config() config.Config {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg.Clone()
}

// Daemon is the runtime, for status.
func (m *Manager) Daemon() *Daemon { return m.d }

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
	s, err := SettingsFrom(c)
	if err != nil {
		return err
	}
	m.mu.Lock()
	old := m.cfg
	m.history = append(m.history, old)
	if len(m.history) > maxRollback {
		m.history = m.history[1:]
	}
	m.cfg = c.Clone()
	hooks := append([]func(config.Config){}, m.onApply...)
	m.mu.Unlock()
	applyErr := m.d.Apply(s)
	for _, ch := range config.Diff(old, c) {
		m.log.Info("configured", "change", ch.Path, "old", fmt.Sprint(ch.Old), "new", fmt.Sprint(ch.New))
	}
	for _, h := range hooks {
		h(c)
	}
	return applyErr
}

// Edit changes the running configuration with f, as one CLI line would,
// validating the result first (SNMP Sets use it).
func (m *Manager) Edit(f func(c *config.Config) error) error {
	c := m.Config()
	if err := f(&c); err != nil {
		return err
	}
	n, err := config.Normalize(c)
	if err != nil {
		return err
	}
	return m.Apply(n)
}

// WriteMemory saves the running configuration as the startup config.
func (m *Manager) WriteMemory() error {
	if m.opts.StartupPath == "" {
		return errors.New("no startup-config location: started without --config")
	}
	return config.Save(m.opts.StartupPath, m.Config())
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
	c, err := config.Load(m.opts.StartupPath)
	if err != nil {
		return err
	}
	return m.Apply(c)
}

// Close ends the appliance; keep leaves the flows in the pinned table for
// a restarted daemon.
func (m *Manager) Close(keep bool) error { return m.d.Close(keep) }

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
