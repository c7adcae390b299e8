package mgmtplane

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/cli/junos"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/ssh"
)

// Options are fixed for the plane's life (flowtapd's flags).
type Options struct {
	// State is the state directory: SSH host key, SNMP engine boots.
	State string
	// Control is the control socket's path.
	Control string
	// SNMPListen are the agent's addresses, used once snmp-server is
	// configured.
	SNMPListen []string
	// SSHListen is the SSH address; "" is :PORT from `ip ssh port`.
	SSHListen string
	// MetricsListen is the Prometheus endpoint's address; "" is :PORT
	// from `ip http metrics`.
	MetricsListen string
	// NTPStep lets `ntp server` set the system clock.
	NTPStep bool
	Logger  *slog.Logger
}

// Plane is the running management plane.
type Plane struct {
	m      *daemon.Manager
	opts   Options
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	ctrl   *control.Server
	// lines are the open CLI sessions (show users, clear line).
	lines *lineTable
	// editors are the JunOS sessions in configuration mode (status).
	editors junos.Editors
	// sshSrv is the running SSH server, for the metrics; read without mu,
	// which a configuration change holds while it stops the endpoint a
	// scrape is reading.
	sshSrv atomic.Pointer[ssh.Server]
	// failures counts failed logins, SSH and console alike, for `login
	// on-failure log every N`.
	failures atomic.Uint64
	// successes counts successful logins likewise, for `login on-success
	// log every N`.
	successes atomic.Uint64

	// mu orders a configuration change against Close: a service is never
	// started after the plane closed.
	mu       sync.Mutex
	closed   bool
	services []service
}

// service is one part of the plane, following the running configuration.
type service interface {
	apply(c config.Config)
	close()
}

// Start opens the control socket and subscribes SNMP, SSH and NTP to m's
// configuration changes; each starts at once if the running configuration
// asks for it.
func Start(m *daemon.Manager, opts Options) (*Plane, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Plane{m: m, opts: opts, log: log, ctx: ctx, cancel: cancel, lines: newLineTable()}
	p.lines.vty = func() config.VTY { return m.Config().VTY }
	ctrl, err := control.Listen(opts.Control, p.controlSession, log)
	if err != nil {
		cancel()
		return nil, err
	}
	p.ctrl = ctrl
	p.services = []service{
		&snmpService{p: p},
		&sshService{p: p},
		&metricsService{p: p},
		newNTPService(p),
	}
	m.OnApply(p.apply)
	m.OnConfigNote(p.configNote)
	return p, nil
}

// configNote records a configuration event in the SNMP agent's
// CISCO-CONFIG-MAN-MIB history, which sends ciscoConfigManEvent.
func (p *Plane) configNote(n daemon.ConfigNote) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	for _, s := range p.services {
		if s, ok := s.(*snmpService); ok && s.agent != nil {
			s.agent.ConfigEvent(configEvent(n))
		}
	}
}

func (p *Plane) apply(c config.Config) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	for _, s := range p.services {
		s.apply(c)
	}
}

// Close stops the control socket and every service.
func (p *Plane) Close() {
	p.cancel()
	p.ctrl.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, s := range p.services {
		s.close()
	}
}

// lineName is the line a control socket session is, as a banner's
// $(line) names it.
func lineName(h control.Hello) string {
	if h.Console {
		return "con 0"
	}
	return "control"
}

// controlSession opens a CLI session on the control socket.
func (p *Plane) controlSession(h control.Hello) (control.Session, error) {
	m, log := p.m, p.log
	// The control socket is root's (mode 0600) and so privileged; the
	// console is the same socket, with `login local` if configured.
	consoleLogin := h.Console && m.Config().Console.LoginLocal
	if consoleLogin && !hasPasswordUser(m.Config()) {
		// No one could log in: the console is the way back in, so it
		// is not locked (an operator removed the last user).
		log.Warn("line con 0 login local without a user that has a secret: the console does not ask for a login")
		consoleLogin = false
	}
	// `login` with `password`: the console asks for the line's password.
	linePass := h.Console && !consoleLogin && m.Config().Console.AsksLinePassword()
	kind, user := lineCtl, "root"
	if h.Console {
		kind, user = lineCon, ""
	}
	var s control.Session
	var e *lineEntry
	line := func() *lineEntry { e = p.lines.open(kind, user, "", nil); return e }
	switch {
	case h.Dialect == "ios" && consoleLogin:
		s = ios.NewSessionWith(consoleCLI{m.CLI()}, ios.Options{Line: ios.LineConsole, Log: log, Login: consoleUser(m), Banner: bannerOf(m, lineName(h)), Lines: p.lines, LineID: line().id,
			LogFailure: users{m: m, failures: &p.failures}.LogFailure, LogSuccess: users{m: m, successes: &p.successes}.LogSuccess})
	case h.Dialect == "ios" && linePass:
		s = ios.NewSessionWith(consoleCLI{m.CLI()}, ios.Options{Line: ios.LineConsole, Log: log, LinePassword: consolePassword(m), Banner: bannerOf(m, lineName(h)), Lines: p.lines, LineID: line().id,
			LogFailure: users{m: m, failures: &p.failures}.LogFailure, LogSuccess: users{m: m, successes: &p.successes}.LogSuccess})
	case h.Dialect == "ios" && h.Console:
		s = ios.NewSessionWith(consoleCLI{m.CLI()}, ios.Options{Line: ios.LineConsole, Privilege: 15, Log: log, Banner: bannerOf(m, lineName(h)), Lines: p.lines, LineID: line().id})
	case h.Dialect == "ios":
		s = ios.NewSessionWith(m.CLI(), ios.Options{Line: ios.LineControl, Privilege: 15, Log: log, Banner: bannerOf(m, lineName(h)), Lines: p.lines, LineID: line().id})
	case h.Dialect == "junos" && consoleLogin:
		return nil, fmt.Errorf("the console asks for a login (line con 0, login local): use the IOS CLI")
	case h.Dialect == "junos" && linePass:
		return nil, fmt.Errorf("the console asks for its password (line con 0, login): use the IOS CLI")
	case h.Dialect == "junos":
		s = junos.NewSessionWith(m.JunOS(), junos.Options{User: "root", Announcement: func() string { return bannerOf(m, lineName(h))("motd") },
			Editors: &p.editors, Line: p.lines.junosLine(line()), Users: func() []show.UserLine { return p.lines.Users(e.id) }})
	default:
		return nil, fmt.Errorf("unknown CLI dialect %q: ios or junos", h.Dialect)
	}
	return tracked{inner: s, t: p.lines, e: e}, nil
}

// consoleCLI is the backend of the console's session: its messages come
// with the hand-over marks the image's supervisor follows.
type consoleCLI struct{ *daemon.CLI }

func (c consoleCLI) Messages() (<-chan string, func()) { return c.CLI.ConsoleMessages() }

// hasPasswordUser reports whether a local user can log in at a console's
// password prompt (a secret, or nopassword).
func hasPasswordUser(c config.Config) bool {
	for _, u := range c.Users {
		if u.Secret.IsSet() || u.NoPassword {
			return true
		}
	}
	return false
}

// consolePassword checks the console's line password (read at each
// try, so a change applies to the next); the login starts at the line's
// privilege level, IOS's 1 when not set.
func consolePassword(m *daemon.Manager) func(password string) (int, bool) {
	return func(password string) (int, bool) {
		con := m.Config().Console
		if !con.AsksLinePassword() || !con.Password.Verify(password) {
			return 0, false
		}
		if con.Privilege != 0 {
			return con.Privilege, true
		}
		return config.DefaultPrivilege, true
	}
}

// consoleUser checks a console login against the local users.
func consoleUser(m *daemon.Manager) func(user, password string) (int, bool) {
	u := users{m: m}
	return func(user, password string) (int, bool) {
		if !u.CheckPassword(user, password) {
			return 0, false
		}
		return u.Privilege(user)
	}
}
