package mgmtplane

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/cli/junos"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/ntp"
	"github.com/flowtap/flowtap/mgmt/snmp"
	"github.com/flowtap/flowtap/mgmt/ssh"
)

// snmpService runs the SNMP agent while snmp-server is configured.
type snmpService struct {
	p     *Plane
	agent *snmp.Agent
}

func (s *snmpService) apply(c config.Config) {
	p, m := s.p, s.p.m
	comms, users, recv := snmpAccess(c, m.ACL())
	engineID := snmpEngineID(c)
	if s.agent != nil && (!c.SNMP.Enabled() || engineID != nil && !bytes.Equal(engineID, s.agent.EngineID())) {
		// A new engine ID is a new engine (RFC 3414): its users' keys
		// are localized to it.
		s.close()
	}
	if !c.SNMP.Enabled() {
		return
	}
	if s.agent == nil {
		boots, err := snmp.NextEngineBoots(filepath.Join(p.opts.State, "snmp-engine-boots"))
		if err != nil {
			p.log.Error("snmp engine boots", "err", err)
		}
		netflow := snmpNetflow(m)
		a, err := snmp.New(snmp.Config{Listen: p.opts.SNMPListen, EngineID: engineID, EngineBoots: boots, Logger: p.log,
			System: snmpSystem(m), Setter: setter{m: m}, Netflow: netflow, CacheLimits: snmpCacheLimits(m), InterfaceAlias: interfaceAlias(m), LinkTrap: linkTrap(m),
			Communities: comms, Users: users, Receivers: recv, Traps: c.SNMP.Traps, TrapTypes: trapTypes(c.SNMP.TrapTypes), AuthenTraps: c.SNMP.AuthenTraps(),
			Interfaces: withVirtual{m}, CPU: m.CPU(), Inventory: snmpInventory(m),
			// hrStorage: the root file system and the one flowtap writes
			// its state (and on the appliance its configuration) to.
			HostDisks: hostDisks(p.opts.State)})
		if err != nil {
			p.log.Error("snmp agent", "err", err)
			return
		}
		if err := a.Start(p.ctx); err != nil {
			p.log.Error("snmp agent", "err", err)
			return
		}
		s.agent = a
		m.SetSNMPCounters(a.Counters)
		m.SetSNMPNotifyStats(func() []show.SNMPLogging {
			l := []show.SNMPLogging{}
			for _, s := range a.NotifyStats() {
				l = append(l, show.SNMPLogging{Host: s.Addr, Sent: s.Sent, Dropped: s.Dropped})
			}
			return l
		})
		go a.WatchLinks(p.ctx)
		go a.WatchCache(p.ctx, netflow, snmp.CacheWatch{})
		go a.WatchEntities(p.ctx, snmp.EntityWatch{})
		m.Daemon().OnFibreChange(func(c daemon.FibreChange) { go a.FibreSilence(p.ctx, fibreChange(c), c.Silent) })
		// coldStart after the machine booted, warmStart when flowtapd
		// or snmp-server starts the agent again on a running machine.
		kind, err := snmp.NoteStart(filepath.Join(p.opts.State, "snmp-start"), a.EngineID())
		if err != nil {
			p.log.Warn("snmp: cannot tell a warm start from a cold one; announcing a cold start", "err", err)
		}
		go a.Started(p.ctx, kind, c.SNMP.Traps)
		return
	}
	s.agent.SetCommunities(comms)
	s.agent.SetTraps(c.SNMP.Traps)
	s.agent.SetTrapTypes(trapTypes(c.SNMP.TrapTypes))
	s.agent.SetAuthenTraps(c.SNMP.AuthenTraps())
	if err := s.agent.SetUsers(users); err != nil {
		p.log.Error("snmp users", "err", err)
	}
	if err := s.agent.SetReceivers(recv); err != nil {
		p.log.Error("snmp receivers", "err", err)
	}
}

func (s *snmpService) close() {
	if s.agent == nil {
		return
	}
	s.p.m.Daemon().OnFibreChange(nil)
	s.agent.Close()
	s.agent = nil
	s.p.m.SetSNMPCounters(nil)
	s.p.m.SetSNMPNotifyStats(nil)
}

// sshService runs the SSH server while a local user is configured, on
// the configured port (or the --ssh-listen address).
type sshService struct {
	p    *Plane
	srv  *ssh.Server
	addr string
	// keyed are the nopassword users with keys last noted.
	keyed []string
}

func (s *sshService) apply(c config.Config) {
	p, m := s.p, s.p.m
	s.warnKeyedNoPassword(c)
	addr := p.opts.SSHListen
	if addr == "" {
		port := c.SSH.Port
		if port == 0 {
			port = config.DefaultSSHPort
		}
		addr = ":" + strconv.Itoa(port)
	}
	// With no local user, a line that logs in with its own password
	// is the way in.
	want := len(c.Users) > 0 || c.VTY.LinePasswords()
	if s.srv != nil && (!want || addr != s.addr) {
		s.close()
	}
	if !want || s.srv != nil {
		return
	}
	u := users{m: m, lines: p.lines, failures: &p.failures, successes: &p.successes}
	srv, err := ssh.Listen(addr, ssh.Config{StateDir: p.opts.State, Users: u, Logger: p.log,
		// The login banner goes before authentication: the vty is not
		// chosen yet, so $(line) is "vty".
		Banner: func() string { return bannerOf(m, "vty")("login") },
		Sessions: func(c ssh.Conn) control.Session {
			cfg := m.Config()
			// A login with the line's password has no user, as on IOS
			// (show users leaves the column empty): the name the client
			// sent is only logged.
			user := c.User
			if c.LineLogin {
				user = ""
			}
			e, ok := p.lines.openVTY(cfg.VTY, user, c.Remote.Addr().String(), c.Close,
				show.SSHConn{User: c.User, InCipher: c.In.Cipher, InMAC: c.In.MAC, OutCipher: c.Out.Cipher, OutMAC: c.Out.MAC})
			if !ok {
				p.log.Warn("ssh session refused: every vty line that takes SSH is in use", "user", c.User, "from", c.Remote.Addr().String(), "lines", cfg.VTY.SSHLines())
				return refusedSession{lines: cfg.VTY.SSHLines(), of: cfg.VTY.Lines()}
			}
			// The line given may not be the one the checks before the
			// login looked at (another session took that one meanwhile):
			// this line's own access-class and login decide.
			line := cfg.VTY.Line(e.n)
			why := line.RefusesSSH()
			if why == "" && c.LineLogin != (line.Login == config.VTYLoginLine) {
				// Logged in as the line predicted then asked (a user or
				// the line's password), given one that asks otherwise.
				why = "the vty line given asks for another login"
			}
			if why != "" || c.Local.IsValid() && !u.permitOn(cfg, line, c.Remote.Addr(), c.Local) {
				p.lines.close(e)
				if why == "" {
					why = "access-class"
				}
				p.log.Warn("ssh session refused by its vty line", "user", c.User, "from", c.Remote.Addr().String(), "line", "vty "+strconv.Itoa(e.n), "reason", why)
				return refusedSession{why: why}
			}
			priv, _ := u.VTYPrivilege(c.User, line, c.LineLogin)
			if vtyDialect(cfg) == platform.DialectJunOS {
				// The persona's own CLI, chosen as the session opens: a
				// persona changed later applies to the next login, and
				// this session keeps its CLI to the end, as a router's
				// open sessions do across a commit.
				return tracked{t: p.lines, e: e, m: m,
					inner: junos.NewSessionWith(m.JunOS(), junos.Options{User: c.User, ReadOnly: priv < 15, Editors: &p.editors, Line: p.lines.junosLine(e),
						Users:        func() []show.UserLine { return p.lines.Users(e.id) },
						Announcement: func() string { return bannerOf(m, "vty "+strconv.Itoa(e.n))("motd") }})}
			}
			return tracked{t: p.lines, e: e, m: m,
				inner: ios.NewSessionWith(m.CLI(), ios.Options{User: user, Privilege: priv, Line: ios.LineVTY, Log: p.log, Lines: p.lines, LineID: e.id,
					VTY: "vty" + strconv.Itoa(e.n), From: e.location, Banner: bannerOf(m, "vty "+strconv.Itoa(e.n))})}
		}})
	if err != nil {
		p.log.Error("ssh server", "err", err)
		return
	}
	s.srv, s.addr = srv, addr
	p.sshSrv.Store(srv)
	m.SetSSHServer(func() show.SSHView {
		a := ssh.Offered()
		return show.SSHView{Running: true, Methods: a.Methods, PublicKey: a.PublicKey, Ciphers: a.Ciphers,
			MACs: a.MACs, KeyExchanges: a.KeyExchanges, MinDHBits: a.MinDHBits, HostKey: srv.HostKey()}
	})
	p.log.Info("ssh listening", "addr", addr)
}

// warnKeyedNoPassword notes, when the list changes, the nopassword users
// that also have keys: they log in with a key only (NoPasswordLogin),
// which an operator who meant a password-less account should hear of.
// Files written before nopassword was its own setting say nopassword for
// every key-only user, and stay key-only.
func (s *sshService) warnKeyedNoPassword(c config.Config) {
	var keyed []string
	for _, u := range c.Users {
		if u.NoPassword && !u.Secret.IsSet() && len(u.Keys) > 0 {
			keyed = append(keyed, u.Name)
		}
	}
	if slices.Equal(keyed, s.keyed) {
		return
	}
	s.keyed = keyed
	for _, n := range keyed {
		s.p.log.Warn("username "+n+" nopassword has an ssh-key: it logs in over SSH with its key only, not without a password", "user", n)
	}
}

func (s *sshService) close() {
	if s.srv != nil {
		s.p.sshSrv.Store(nil)
		s.p.m.SetSSHServer(nil)
		s.srv.Close()
		s.srv = nil
	}
}

// ntpService polls the configured NTP servers once there are any; the
// client re-reads the list at every poll, so later changes need nothing.
type ntpService struct {
	p       *Plane
	clock   *ntp.Client
	started bool
	servers []netip.Addr // as of the last apply
}

func newNTPService(p *Plane) *ntpService {
	m := p.m
	clock := &ntp.Client{Step: p.opts.NTPStep, Logger: p.log, Servers: func() []netip.Addr { return m.Config().NTP.PollOrder() },
		UpdateCalendar: func() bool { return m.Config().NTP.UpdateCalendar }}
	m.SetClockSync(func() config.ClockSync {
		switch now, ever := clock.Synced(); {
		case now:
			return config.ClockSynced
		case ever:
			return config.ClockSyncLost
		}
		return config.ClockUnset
	})
	m.SetNTPStatus(func() show.NTPStatus {
		st := clock.Status()
		v := show.NTPStatus{Stratum: st.Stratum, Offset: st.Offset, When: st.When}
		if st.Server.IsValid() {
			v.Server = st.Server.String()
		}
		if st.Err != nil {
			v.Err = ntpFailure(st.Err)
		}
		v.Poll = clock.PollInterval()
		now := time.Now()
		for _, a := range clock.Associations() {
			sa := show.NTPAssociation{Address: a.Server.String(), InUse: a.InUse, Reach: a.Reach, Heard: !a.LastReply.IsZero()}
			if sa.Heard {
				sa.Since, sa.RefID, sa.Stratum = now.Sub(a.LastReply), a.RefID, a.Stratum
				sa.Delay, sa.Offset, sa.Dispersion = a.Delay, a.Offset, a.Dispersion
			}
			v.Associations = append(v.Associations, sa)
		}
		return v
	})
	return &ntpService{p: p, clock: clock}
}

func (s *ntpService) apply(c config.Config) {
	changed := !slices.Equal(s.servers, c.NTP.PollOrder())
	s.servers = c.NTP.PollOrder()
	switch {
	case s.started && changed:
		s.clock.Kick() // ask the new servers now
	case s.started || len(c.NTP.Servers) == 0:
	default:
		s.started = true
		go s.clock.Run(s.p.ctx)
	}
}

// close has nothing to do: the client stops with the plane's context.
func (s *ntpService) close() {}

// hostDisks lists "/" and the state directory's file system when it is
// another one.
func hostDisks(state string) []string {
	disks := []string{"/"}
	if state == "" {
		return disks
	}
	var root, st unix.Stat_t
	if unix.Stat("/", &root) == nil && unix.Stat(state, &st) == nil && root.Dev != st.Dev {
		disks = append(disks, state)
	}
	return disks
}

// vtyDialect is the CLI an SSH login gets: the running persona's. A
// configuration whose persona cannot be looked up (it validated, so
// never in practice) gets the IOS CLI, which can repair it.
func vtyDialect(c config.Config) platform.Dialect {
	p, err := c.Persona()
	if err != nil {
		return platform.DialectIOS
	}
	return p.Dialect
}

// ntpFailure says why a poll got no time in an operator's words, not the
// socket's error chain (as the NTP client's log line does).
func ntpFailure(err error) string { return ntp.Reason(err) }

// trapTypes is the agent's set of the notifications chosen one by one.
func trapTypes(t config.TrapTypes) snmp.TrapTypes {
	var set snmp.TrapTypes
	for _, f := range []struct {
		on   bool
		kind snmp.TrapTypes
	}{{t.LinkDown, snmp.TrapLinkDown}, {t.LinkUp, snmp.TrapLinkUp}, {t.ColdStart, snmp.TrapColdStart}, {t.WarmStart, snmp.TrapWarmStart}, {t.Config, snmp.TrapConfig}, {t.Entity, snmp.TrapEntity}, {t.Fibre, snmp.TrapFibre}} {
		if f.on {
			set |= f.kind
		}
	}
	return set
}
