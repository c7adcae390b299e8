// Command flowtapd is the appliance daemon: it meters the interfaces its
// startup-config names, exports NetFlow/IPFIX, and serves the management
// plane (control socket, SSH, SNMP). It is the image's uinit and runs the
// same on any Linux host as root.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/cli/junos"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/mgmt/ntp"
	"github.com/flowtap/flowtap/mgmt/snmp"
	"github.com/flowtap/flowtap/mgmt/ssh"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "flowtapd:", err)
		os.Exit(1)
	}
}

type flags struct {
	config, running, state, pinDir, control string
	snmpListen, sshListen                   string
	ntpStep, rebootOnReload, keepMetering   bool
	volatile                                bool
}

func run(args []string) error {
	var f flags
	fs := flag.NewFlagSet("flowtapd", flag.ContinueOnError)
	fs.StringVar(&f.config, "config", "/etc/flowtap/startup-config", "startup-config file (write memory saves here)")
	fs.StringVar(&f.running, "running", "/run/flowtap/running-config", "where the running config is kept for a restarted daemon (tmpfs: a reboot starts from the startup-config)")
	fs.StringVar(&f.state, "state", "/var/lib/flowtap", "state directory: SSH host key, SNMP engine boots")
	fs.StringVar(&f.pinDir, "pin-dir", datapath.DefaultPinDir, "bpffs directory for the flow table and port links")
	fs.StringVar(&f.control, "control", control.DefaultPath, "control socket for the flowtap CLI")
	fs.StringVar(&f.snmpListen, "snmp-listen", "0.0.0.0:161,[::]:161", "SNMP agent addresses, once snmp-server is configured")
	fs.StringVar(&f.sshListen, "ssh-listen", "", "SSH address; default :PORT from `ip ssh port` (22)")
	fs.BoolVar(&f.rebootOnReload, "reboot-on-reload", false, "let `reload` restart the machine (the appliance image)")
	fs.BoolVar(&f.volatile, "startup-volatile", false, "the startup-config is on a RAM file system (the image without a persistent disk): write memory warns instead of saving")
	fs.BoolVar(&f.ntpStep, "ntp-step", false, "let `ntp server` set the system clock (the appliance image does; a host keeps its own time daemon)")
	fs.BoolVar(&f.keepMetering, "keep-metering", false, "on SIGTERM/SIGINT leave the ports metering into the pinned flow table for the next flowtapd (a restart for an upgrade); without it a stop exports every flow and detaches from the ports")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Signals are caught from the start: a SIGTERM that comes while the
	// daemon starts up is an orderly stop once it is up, not a kill that
	// leaves the ports attached and the running copy behind.
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	logs := daemon.NewLogBuffer(4096)
	log := slog.New(logs.Handler(slog.NewTextHandler(os.Stderr, nil)))
	if err := os.MkdirAll(f.state, 0o700); err != nil {
		log.Error("state directory", "dir", f.state, "err", err)
	}
	if err := ensureBPFFS(filepath.Dir(f.pinDir)); err != nil {
		return err
	}
	// Before anything touches the pins or the state: a second daemon must
	// change nothing of the first one's.
	lock, err := lockDirs(f.pinDir, f.state)
	if err != nil {
		return err
	}
	defer lock.release()
	running := &runningCopy{path: f.running, log: log}
	cfg := bootConfig(f, running, log)
	if _, err := daemon.SettingsFrom(cfg); err != nil {
		// The model is valid but cannot run here (a prefix-as file that is
		// not there, ...): keep the box manageable.
		cfg = runnable(cfg, err, log)
	}
	opts := daemon.ManagerOptions{
		Daemon: daemon.Options{PinDir: f.pinDir, Logger: log}, StartupPath: f.config, Logs: logs, Version: version,
		Saved:           func(c config.Config) { running.setStartup(startupSum(f.config), c) },
		VolatileStartup: f.volatile,
	}
	if f.rebootOnReload {
		opts.Reload = func() error {
			log.Warn("reload requested: restarting")
			// The sessions print %SYS-5-RELOAD (the console through the
			// flowtap client) once the command returns: give them a moment
			// before the machine goes.
			go func() {
				time.Sleep(time.Second)
				unix.Sync()
				if err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART); err != nil {
					log.Error("reload", "err", err)
				}
			}()
			return nil
		}
	}
	m, err := daemon.NewManager(opts, cfg)
	if err != nil {
		return err
	}
	log.Info("flowtapd running", "version", version, "persona", cfg.PlatformName(), "ports", m.Daemon().PortModes())

	ctrl, err := control.Listen(f.control, func(h control.Hello) (control.Session, error) {
		// The control socket is root's (mode 0600) and so privileged; the
		// console is the same socket, with `login local` if configured.
		consoleLogin := h.Console && m.Config().Console.LoginLocal
		if consoleLogin && !hasPasswordUser(m.Config()) {
			// No one could log in: the console is the way back in, so it
			// is not locked (an operator removed the last user).
			log.Warn("line con 0 login local without a user that has a secret: the console does not ask for a login")
			consoleLogin = false
		}
		switch {
		case h.Dialect == "ios" && consoleLogin:
			return ios.NewSessionWith(m.CLI(), ios.Options{Line: ios.LineConsole, Log: log, Login: consoleUser(m)}), nil
		case h.Dialect == "ios" && h.Console:
			return ios.NewSessionWith(m.CLI(), ios.Options{Line: ios.LineConsole, Privilege: 15, Log: log}), nil
		case h.Dialect == "ios":
			return ios.NewSessionWith(m.CLI(), ios.Options{Line: ios.LineControl, Privilege: 15, Log: log}), nil
		case h.Dialect == "junos" && consoleLogin:
			return nil, fmt.Errorf("the console asks for a login (line con 0, login local): use the IOS CLI")
		case h.Dialect == "junos":
			return junos.NewSession(m.JunOS(), "root"), nil
		}
		return nil, fmt.Errorf("unknown CLI dialect %q: ios or junos", h.Dialect)
	}, log)
	if err != nil {
		m.Close(true)
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	mg := &mgmt{f: f, m: m, log: log, ctx: ctx}
	m.OnApply(mg.apply)
	m.OnApply(running.save)
	clock := &ntp.Client{Step: f.ntpStep, Logger: log, Servers: func() []netip.Addr { return m.Config().NTP.Servers }}
	m.SetClockSynced(func() bool { st := clock.Status(); return st.Err == nil && !st.When.IsZero() })
	go func() {
		// Poll only once servers are configured; the list is re-read
		// at every poll.
		for ctx.Err() == nil {
			if len(m.Config().NTP.Servers) > 0 {
				clock.Run(ctx)
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}()

	for s := range sig {
		if s == syscall.SIGHUP {
			reloadStartup(f, m, running, log)
			continue
		}
		break
	}
	// An orderly stop: the next start reads the startup-config, as a
	// router's reload does (a crash never gets here, and the next start
	// takes the running copy back).
	running.discard()
	if f.keepMetering {
		log.Info("flowtapd stopping; the ports go on metering into the pinned flow table for the next start")
	} else {
		log.Info("flowtapd stopping; exporting every flow and detaching from the ports")
	}
	cancel()
	ctrl.Close()
	mg.close()
	return m.Close(f.keepMetering)
}

// reloadStartup applies the startup-config on SIGHUP. Unlike boot, a file
// with bad lines changes nothing: the box runs a configuration that
// works, and part of a new one could take away what the operator relies
// on (a user, a community). Each bad line is logged.
func reloadStartup(f flags, m *daemon.Manager, running *runningCopy, log *slog.Logger) {
	sum := startupSum(f.config)
	c, err := config.Load(f.config)
	if err == nil {
		err = m.Apply(c)
		if err == nil {
			running.setStartup(sum, m.Config())
			log.Info("startup-config applied (SIGHUP)", "file", f.config)
			return
		}
	}
	var es config.Errors
	if errors.As(err, &es) {
		reportLines(log, "startup-config line refused (SIGHUP)", es)
	}
	log.Error("reload startup-config: running config unchanged", "file", f.config, "err", firstLine(err))
}

// bootConfig picks the configuration to start with: the running copy a
// crashed daemon left, if the startup-config is the one it ran from;
// otherwise the startup-config, every good line of it.
func bootConfig(f flags, running *runningCopy, log *slog.Logger) config.Config {
	sum := startupSum(f.config)
	prev, prevSum, err := running.load()
	switch {
	case err == nil && prevSum == sum:
		log.Warn("restoring the running config of the previous daemon, which did not stop in order", "file", f.running)
		running.setStartup(sum, prev)
		return prev
	case err == nil:
		log.Warn("the startup-config changed since the previous daemon read it: starting from it, not from that daemon's running config",
			"file", f.config, "running-copy", f.running)
	case !errors.Is(err, os.ErrNotExist):
		log.Error("the previous daemon's running config does not load: starting from the startup-config", "file", f.running, "err", firstLine(err))
	}
	cfg, skipped, err := config.LoadSalvage(f.config)
	switch {
	case errors.Is(err, os.ErrNotExist):
		log.Warn("no startup-config: running the default configuration", "file", f.config)
	case err != nil:
		log.Error("startup-config cannot be read: running the default configuration", "file", f.config, "err", err)
	case len(skipped) > 0:
		reportLines(log, "startup-config line skipped", skipped)
		log.Error("startup-config applied without its bad lines", "file", f.config, "skipped", len(skipped))
	}
	running.setStartup(sum, cfg)
	return cfg
}

// reportLines logs each refused line: where, the line, and why.
func reportLines(log *slog.Logger, msg string, es config.Errors) {
	for _, e := range es {
		var le *config.LineError
		if !errors.As(e, &le) {
			log.Error(msg, "reason", firstLine(e))
			continue
		}
		log.Error(msg, "at", fmt.Sprintf("%s:%d", le.File, le.Line), "line", strings.TrimSpace(le.Text), "reason", lineReason(le))
	}
}

// lineReason is why a line was refused, in words.
func lineReason(le *config.LineError) string {
	if le.Reason != "" {
		return le.Reason
	}
	switch le.Kind {
	case config.ErrIncomplete:
		return "incomplete command"
	case config.ErrAmbiguous:
		return fmt.Sprintf("ambiguous command at %q", le.Word)
	}
	if le.Word != "" {
		return fmt.Sprintf("invalid input at %q", le.Word)
	}
	return "invalid input"
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// runnable is cfg made to run when its settings cannot be derived: the
// prefix-as table left out first, then everything but management (users,
// SNMP, SSH, logging) as a last resort, so the operator can log in and
// fix it.
func runnable(cfg config.Config, err error, log *slog.Logger) config.Config {
	if cfg.PrefixAS.File != "" {
		c := cfg.Clone()
		c.PrefixAS = config.PrefixAS{}
		if _, err2 := daemon.SettingsFrom(c); err2 == nil {
			log.Error("skipped: the prefix-to-AS table does not load; records carry no AS numbers", "err", err)
			return c
		}
	}
	// Management only: what concerns metering and export goes, the
	// rest (users, SNMP, SSH, lines, logging ...) stays.
	c := cfg.Clone()
	c.Cache, c.Sampling, c.NDE, c.Samplers, c.Interfaces = config.Cache{}, platform.Sampling{}, false, nil, nil
	c.Export, c.Aggregations, c.TopTalkers, c.Capture, c.PrefixAS = config.Export{}, nil, config.TopTalkers{}, 0, config.PrefixAS{}
	if n, nerr := config.Normalize(c); nerr == nil {
		if _, serr := daemon.SettingsFrom(n); serr == nil {
			log.Error("the configuration cannot run: running with management access only", "err", err)
			return n
		}
	}
	log.Error("the configuration cannot run: running the default configuration", "err", err)
	return config.Config{}
}

// mgmt starts, reconfigures and stops the SNMP agent and SSH server as
// the configuration asks.
type mgmt struct {
	f   flags
	m   *daemon.Manager
	log *slog.Logger
	ctx context.Context

	mu      sync.Mutex
	agent   *snmp.Agent
	ssh     *ssh.Server
	sshAddr string
}

func (g *mgmt) apply(c config.Config) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.applySNMP(c)
	g.applySSH(c)
}

func (g *mgmt) applySNMP(c config.Config) {
	comms, users, recv := daemon.SNMPAccess(c, g.m.ACL())
	engineID := daemon.SNMPEngineID(c)
	if g.agent != nil && (!c.SNMP.Enabled() || engineID != nil && !bytes.Equal(engineID, g.agent.EngineID())) {
		// A new engine ID is a new engine (RFC 3414): its users' keys
		// are localized to it.
		g.agent.Close()
		g.agent = nil
		g.m.SetSNMPCounters(nil)
	}
	if !c.SNMP.Enabled() {
		return
	}
	if g.agent == nil {
		boots, err := snmp.NextEngineBoots(filepath.Join(g.f.state, "snmp-engine-boots"))
		if err != nil {
			g.log.Error("snmp engine boots", "err", err)
		}
		a, err := snmp.New(snmp.Config{Listen: strings.Split(g.f.snmpListen, ","), EngineID: engineID, EngineBoots: boots, Logger: g.log,
			System: g.m.SNMPSystem, Setter: g.m.SNMPSetter(), Netflow: g.m.SNMPNetflow(), InterfaceAlias: g.m.InterfaceAlias,
			Communities: comms, Users: users, Receivers: recv, AuthenTraps: c.SNMP.AuthenTraps()})
		if err != nil {
			g.log.Error("snmp agent", "err", err)
			return
		}
		if err := a.Start(g.ctx); err != nil {
			g.log.Error("snmp agent", "err", err)
			return
		}
		g.agent = a
		g.m.SetSNMPCounters(a.Counters)
		go a.WatchLinks(g.ctx)
		go a.WatchCache(g.ctx, g.m.SNMPNetflow(), snmp.CacheWatch{})
		if c.SNMP.Traps {
			go a.ColdStart(g.ctx)
		}
		return
	}
	g.agent.SetCommunities(comms)
	g.agent.SetAuthenTraps(c.SNMP.AuthenTraps())
	if err := g.agent.SetUsers(users); err != nil {
		g.log.Error("snmp users", "err", err)
	}
	if err := g.agent.SetReceivers(recv); err != nil {
		g.log.Error("snmp receivers", "err", err)
	}
}

func (g *mgmt) applySSH(c config.Config) {
	addr := g.f.sshListen
	if addr == "" {
		port := c.SSH.Port
		if port == 0 {
			port = 22
		}
		addr = ":" + strconv.Itoa(port)
	}
	want := len(c.Users) > 0
	if g.ssh != nil && (!want || addr != g.sshAddr) {
		g.ssh.Close()
		g.ssh = nil
	}
	if !want || g.ssh != nil {
		return
	}
	s, err := ssh.Listen(addr, ssh.Config{StateDir: g.f.state, Users: g.m.SSHUsers(), Logger: g.log,
		MaxTries: c.SSH.AuthRetries, LoginWindow: c.SSH.Timeout,
		Sessions: func(user string) control.Session {
			priv, _ := g.m.SSHUsers().Privilege(user)
			return ios.NewSessionWith(g.m.CLI(), ios.Options{User: user, Privilege: priv, Line: ios.LineVTY, Log: g.log})
		}})
	if err != nil {
		g.log.Error("ssh server", "err", err)
		return
	}
	g.ssh, g.sshAddr = s, addr
	g.log.Info("ssh listening", "addr", addr)
}

func (g *mgmt) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.agent != nil {
		g.agent.Close()
	}
	if g.ssh != nil {
		g.ssh.Close()
	}
}

// hasPasswordUser reports whether a local user can log in with a password.
func hasPasswordUser(c config.Config) bool {
	for _, u := range c.Users {
		if u.Secret.IsSet() {
			return true
		}
	}
	return false
}

// consoleUser checks a console login against the local users.
func consoleUser(m *daemon.Manager) func(user, password string) (int, bool) {
	return func(user, password string) (int, bool) {
		if !m.SSHUsers().CheckPassword(user, password) {
			return 0, false
		}
		return m.SSHUsers().Privilege(user)
	}
}

// ensureBPFFS mounts bpffs where the pins live if nothing is mounted there.
func ensureBPFFS(dir string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err == nil && st.Type == unix.BPF_FS_MAGIC {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("bpffs mount point: %w", err)
	}
	if err := unix.Mount("bpf", dir, "bpf", 0, ""); err != nil {
		return fmt.Errorf("mount bpffs on %s: %w", dir, err)
	}
	return nil
}
