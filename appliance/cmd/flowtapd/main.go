// Command flowtapd is the appliance daemon: it meters the interfaces its
// startup-config names, exports NetFlow/IPFIX, and serves the management
// plane (control socket, SSH, SNMP). It is the image's uinit and runs the
// same on any Linux host as root.
package main

import (
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
	ntpStep, rebootOnReload                 bool
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
	fs.BoolVar(&f.ntpStep, "ntp-step", false, "let `ntp server` set the system clock (the appliance image does; a host keeps its own time daemon)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logs := daemon.NewLogBuffer(4096)
	log := slog.New(logs.Handler(slog.NewTextHandler(os.Stderr, nil)))
	if err := ensureBPFFS(filepath.Dir(f.pinDir)); err != nil {
		return err
	}
	cfg, err := config.Load(f.config)
	if prev, perr := config.Load(f.running); perr == nil {
		// A daemon that crashed or was restarted by the supervisor comes
		// back with the configuration it ran, saved or not; a reboot
		// empties /run and starts from the startup-config, as IOS does.
		log.Warn("restoring the running config of the previous daemon", "file", f.running)
		cfg, err = prev, nil
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		log.Warn("no startup-config: running the default configuration", "file", f.config)
	case err != nil:
		// Keep the box manageable: report the file's errors and come up
		// with the defaults rather than not at all.
		log.Error("startup-config does not load: running the default configuration", "file", f.config, "err", err)
		cfg = config.Config{}
	}
	opts := daemon.ManagerOptions{
		Daemon: daemon.Options{PinDir: f.pinDir, Logger: log}, StartupPath: f.config, Logs: logs, Version: version,
	}
	if f.rebootOnReload {
		opts.Reload = func() error {
			log.Warn("reload requested: restarting")
			unix.Sync()
			return unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART)
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
	m.OnApply(func(c config.Config) {
		err := os.MkdirAll(filepath.Dir(f.running), 0o700)
		if err == nil {
			err = config.Save(f.running, c)
		}
		if err != nil {
			log.Error("keep the running config for a restart", "file", f.running, "err", err)
		}
	})
	clock := &ntp.Client{Step: f.ntpStep, Logger: log, Servers: func() []netip.Addr { return m.Config().NTP.Servers }}
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

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	for s := range sig {
		if s == syscall.SIGHUP {
			if err := m.ReloadStartup(); err != nil {
				log.Error("reload startup-config: running config unchanged", "err", err)
			}
			continue
		}
		break
	}
	log.Info("flowtapd stopping; the flow table stays pinned for the next start")
	cancel()
	ctrl.Close()
	mg.close()
	return m.Close(true)
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
	comms, users, recv := daemon.SNMPAccess(c)
	if !c.SNMP.Enabled() {
		if g.agent != nil {
			g.agent.Close()
			g.agent = nil
		}
		return
	}
	if g.agent == nil {
		boots, err := snmp.NextEngineBoots(filepath.Join(g.f.state, "snmp-engine-boots"))
		if err != nil {
			g.log.Error("snmp engine boots", "err", err)
		}
		a, err := snmp.New(snmp.Config{Listen: strings.Split(g.f.snmpListen, ","), EngineBoots: boots, Logger: g.log,
			System: g.m.SNMPSystem, Setter: g.m.SNMPSetter(), Netflow: g.m.SNMPNetflow(), InterfaceAlias: g.m.InterfaceAlias,
			Communities: comms, Users: users, Receivers: recv})
		if err != nil {
			g.log.Error("snmp agent", "err", err)
			return
		}
		if err := a.Start(g.ctx); err != nil {
			g.log.Error("snmp agent", "err", err)
			return
		}
		g.agent = a
		go a.WatchLinks(g.ctx)
		go a.WatchCache(g.ctx, g.m.SNMPNetflow(), snmp.CacheWatch{})
		if c.SNMP.Traps {
			go a.ColdStart(g.ctx)
		}
		return
	}
	g.agent.SetCommunities(comms)
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
