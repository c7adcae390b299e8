package config

import (
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

// Management defaults and ranges: IOS's, RECALL (the reference is silent
// on the management plane). Where IOS accepts 0 (privilege,
// authentication-retries), flowtap does not: 0 is the model's default.
const (
	DefaultSSHPort = 22
	// DefaultMetricsPort is the Prometheus endpoint's port: one no
	// common exporter uses.
	DefaultMetricsPort    = 9742
	DefaultSSHTimeout     = 120 * time.Second
	DefaultSSHAuthRetries = 3
	// DefaultExecTimeout is `exec-timeout 10 0`, IOS's for every line;
	// MaxExecTimeout is its largest, 35791 minutes 2147483 seconds.
	DefaultExecTimeout    = 10 * time.Minute
	MaxExecTimeout        = 35791*time.Minute + 2147483*time.Second
	DefaultPrivilege      = 1
	DefaultTrapPort       = 162
	MinLoggingBuffer      = 4096
	MaxLoggingBuffer      = 2147483647
	DefaultArchiveLogSize = 100
	MaxArchiveLogSize     = 1000
)

func (v *validator) snmp(c *Config) {
	s := &c.SNMP
	s.AuthTraps = s.AuthTraps && !s.Traps // every notification includes it
	if s.Traps {
		s.TrapTypes = TrapTypes{}
	}
	names := map[string]bool{}
	for _, cm := range s.Communities {
		path := "snmp.communities[" + cm.Name + "]"
		if err := CheckName(cm.Name, 32); err != nil {
			v.bad(path, err)
		}
		if names[cm.Name] {
			v.failf(path, "configured twice")
		}
		names[cm.Name] = true
		if cm.View != "" {
			if err := CheckName(cm.View, 32); err != nil {
				v.bad(path+".view", err)
			}
		}
		v.checkACLRef(path+".acl", cm.ACL)
	}
	views := map[string]bool{}
	for _, vw := range s.Views {
		path := "snmp.views[" + vw.Name + "]"
		if err := CheckName(vw.Name, 32); err != nil {
			v.bad(path, err)
		}
		if views[vw.Name] {
			v.failf(path, "configured twice")
		}
		views[vw.Name] = true
		if len(vw.Subtrees) == 0 {
			v.failf(path, "a view needs a subtree")
		}
		trees := map[string]bool{}
		for _, t := range vw.Subtrees {
			tp := path + ".subtrees[" + t.Key() + "]"
			if err := CheckViewOID(t.OID); err != nil {
				v.bad(tp, err)
			}
			if trees[t.Key()] {
				v.failf(tp, "configured twice")
			}
			trees[t.Key()] = true
		}
	}
	groups := map[string]bool{}
	for _, g := range s.Groups {
		path := "snmp.groups[" + g.Name + "]"
		if err := CheckName(g.Name, 32); err != nil {
			v.bad(path, err)
		}
		if groups[g.Name] {
			v.failf(path, "configured twice")
		}
		groups[g.Name] = true
		if g.Level > LevelPriv {
			v.failf(path+".level", "unknown security level %d", g.Level)
		}
		for _, f := range [...]struct{ name, view string }{{"read", g.Read}, {"write", g.Write}} {
			if f.view != "" {
				if err := CheckName(f.view, 32); err != nil {
					v.bad(path+"."+f.name, err)
				}
			}
		}
		v.checkACLRef(path+".acl", g.ACL)
	}
	users := map[string]bool{}
	s.EngineID = strings.ToLower(s.EngineID)
	if b, err := hex.DecodeString(s.EngineID); s.EngineID != "" && (err != nil || len(b) < 5 || len(b) > 32) {
		v.failf("snmp.engine-id", "an engine ID is 5 to 32 octets in hex (RFC 3411)")
	}
	remotes := map[string]bool{}
	for i := range s.RemoteEngines {
		e := &s.RemoteEngines[i]
		e.Addr, e.Port, e.EngineID = e.Addr.Unmap(), zeroIfEq(e.Port, DefaultTrapPort), strings.ToLower(e.EngineID)
		path := "snmp.remote-engines[" + e.Key() + "]"
		if err := checkHostAddr(e.Addr); err != nil {
			v.bad(path, err)
		}
		if err := CheckEngineIDHex(e.EngineID); err != nil {
			v.bad(path, err)
		}
		if remotes[e.Key()] {
			v.failf(path, "configured twice")
		}
		remotes[e.Key()] = true
	}
	for i := range s.Users {
		u := &s.Users[i]
		engineID := s.EngineID
		if u.Remote.IsValid() {
			u.Remote, u.RemotePort = u.Remote.Unmap(), zeroIfEq(u.RemotePort, DefaultTrapPort)
			engineID = s.RemoteEngineID(u.Remote, u.RemotePort)
		}
		v.snmpUser(u, engineID, users)
	}
	hosts := map[string]bool{}
	for i := range s.Hosts {
		h := &s.Hosts[i]
		h.Addr = h.Addr.Unmap()
		h.Port = zeroIfEq(h.Port, DefaultTrapPort)
		path := "snmp.hosts[" + h.Key() + "]"
		if err := checkHostAddr(h.Addr); err != nil {
			v.bad(path, err)
		}
		if err := CheckName(h.Name, 32); err != nil {
			v.bad(path+".name", err)
		}
		if hosts[h.Key()] {
			v.failf(path, "configured twice")
		}
		hosts[h.Key()] = true
		switch {
		case h.Version > SNMPv3:
			v.failf(path+".version", "unknown SNMP version %d", h.Version)
		case h.Version != SNMPv3 && h.Level != LevelNoAuth:
			v.failf(path+".level", "a security level needs version 3")
		case h.Level > LevelPriv:
			v.failf(path+".level", "unknown security level %d", h.Level)
		case h.Informs && h.Version == SNMPv1:
			v.failf(path+".informs", "informs need version 2c or 3")
		case h.Informs && h.Version == SNMPv3:
			// An inform is authenticated with keys localized to the
			// receiver's engine, which a remote user has (as on IOS).
			if _, ok := s.RemoteUser(h.Name, h.Addr, h.Port); !ok {
				v.failf(path+".informs", "SNMPv3 informs need the receiver's user: snmp-server user %s GROUP remote %s ... (after snmp-server engineID remote %s ...)", h.Name, h.Addr, h.Addr)
			}
		}
	}
	if err := CheckText(s.Location, 255); err != nil {
		v.bad("snmp.location", err)
	}
	if err := CheckText(s.Contact, 255); err != nil {
		v.bad("snmp.contact", err)
	}
}

func (v *validator) snmpUser(u *SNMPUser, engineID string, seen map[string]bool) {
	path := "snmp.users[" + u.Key() + "]"
	if err := CheckName(u.Name, 32); err != nil {
		v.bad(path, err)
	}
	if seen[u.Key()] {
		v.failf(path, "configured twice")
	}
	seen[u.Key()] = true
	if err := CheckName(u.Group, 32); err != nil {
		v.bad(path+".group", err)
	}
	u.AuthKey, u.PrivKey = USMKey(NormKey(string(u.AuthKey))), USMKey(NormKey(string(u.PrivKey)))
	switch {
	case u.Auth > AuthMD5:
		v.failf(path+".auth", "unknown authentication protocol %d", u.Auth)
	case u.Auth == AuthNone && (u.AuthKey != "" || u.Priv != PrivNone):
		v.failf(path+".auth", "privacy or a key without authentication")
	case u.Auth != AuthNone:
		if err := KeyCheck(u.Auth.KeyHash().Size())(string(u.AuthKey)); err != nil {
			v.bad(path+".auth-key", err)
		}
		if engineID == "" {
			v.failf(path+".auth-key", "keys are localized to an engine ID, and none is configured")
		}
	}
	switch {
	case u.Priv > PrivDES:
		v.failf(path+".priv", "unknown privacy protocol %d", u.Priv)
	case u.Priv == PrivNone && u.PrivKey != "":
		v.failf(path+".priv", "a privacy key without a privacy protocol")
	case u.Priv != PrivNone:
		if err := KeyCheck(usmkey.PrivKeyLen)(string(u.PrivKey)); err != nil {
			v.bad(path+".priv-key", err)
		}
	}
	v.checkACLRef(path+".acl", u.ACL)
}

// NormKey is a key as the model keeps it: lower-case hex, no colons.
func NormKey(k string) string { return strings.ToLower(strings.ReplaceAll(k, ":", "")) }

func (v *validator) users(c *Config) {
	if c.EnableSecret.IsSet() {
		if _, err := ParseSecret(c.EnableSecret.Hash); err != nil {
			v.bad("enable-secret", err)
		}
	}
	seen := map[string]bool{}
	for i := range c.Users {
		u := &c.Users[i]
		path := "users[" + u.Name + "]"
		if err := CheckName(u.Name, 64); err != nil {
			v.bad(path, err)
		}
		if seen[u.Name] {
			v.failf(path, "configured twice")
		}
		seen[u.Name] = true
		u.Privilege = zeroIfEq(u.Privilege, DefaultPrivilege)
		v.checkRange(path+".privilege", int64(u.Privilege), 1, 15, "privilege")
		if u.Secret.IsSet() {
			if _, err := ParseSecret(u.Secret.Hash); err != nil {
				v.bad(path+".secret", err)
			}
		}
		for j, k := range u.Keys {
			if _, err := ParseSSHKey(k.Type, k.Blob); err != nil {
				v.bad(path+".keys", err)
			}
			if slices.Index(u.Keys, k) < j {
				v.failf(path+".keys", "a %s key is configured twice", k.Type)
			}
		}
	}
	v.access(c)
}

// access checks the command levels and the login block.
func (v *validator) access(c *Config) {
	for i, e := range c.ExecLevels {
		path := "exec-levels[" + e.Command + "]"
		if e.Command == "" || e.Command != strings.ToLower(strings.Join(strings.Fields(e.Command), " ")) {
			v.failf(path, "a command is lower-case words separated by one space")
		}
		if e.Level < 0 || e.Level > 15 {
			v.badf(path+".level", "privilege %d is outside 0..15", e.Level)
		}
		if slices.IndexFunc(c.ExecLevels, func(o ExecLevel) bool { return o.Command == e.Command }) < i {
			v.failf(path, "configured twice")
		}
	}
	for i, e := range c.ModeLevels {
		path := "mode-levels[" + e.Key() + "]"
		if e.Mode != ModeConfigure && e.Mode != ModeInterface {
			v.failf(path, "privilege %s: unknown mode", e.Mode)
		}
		if e.Command == "" || e.Command != strings.ToLower(strings.Join(strings.Fields(e.Command), " ")) {
			v.failf(path, "a command is lower-case words separated by one space")
		}
		if e.Level < 0 || e.Level > 15 {
			v.badf(path+".level", "privilege %d is outside 0..15", e.Level)
		}
		if slices.IndexFunc(c.ModeLevels, func(o ModeLevel) bool { return o.Key() == e.Key() }) < i {
			v.failf(path, "configured twice")
		}
	}
	if err := c.Clock.check(); err != nil {
		v.bad("clock", err)
	}
	c.Archive.Size = zeroIfEq(c.Archive.Size, DefaultArchiveLogSize)
	v.checkRange("archive.log-size", int64(c.Archive.Size), 1, MaxArchiveLogSize, "logging size")
	b := c.LoginBlock
	if b != (LoginBlock{}) {
		if b.Attempts < 1 || b.Attempts > 65535 || b.BlockFor < time.Second || b.BlockFor > 65535*time.Second ||
			b.Within < time.Second || b.Within > 65535*time.Second || b.BlockFor%time.Second != 0 || b.Within%time.Second != 0 {
			v.failf("login-block", "login block-for needs whole seconds 1..65535 and attempts 1..65535")
		}
	}
	if f := c.LoginFailureLog; f.Every != 0 && (!f.On || f.Every < 1 || f.Every > 65535) {
		v.failf("login-failure-log", "login on-failure log every takes 1..65535")
	}
	if f := c.LoginSuccessLog; f.Every != 0 && (!f.On || f.Every < 1 || f.Every > 65535) {
		v.failf("login-success-log", "login on-success log every takes 1..65535")
	}
}

func (v *validator) ssh(c *Config) {
	s := &c.SSH
	s.Port = zeroIfEq(s.Port, DefaultSSHPort)
	v.checkRange("ssh.port", int64(s.Port), 1, 65535, "port")
	s.Timeout = zeroIfEq(s.Timeout, DefaultSSHTimeout)
	v.checkDuration("ssh.timeout", s.Timeout, time.Second, 1, 120, "time-out")
	s.AuthRetries = zeroIfEq(s.AuthRetries, DefaultSSHAuthRetries)
	v.checkRange("ssh.auth-retries", int64(s.AuthRetries), 1, 5, "authentication-retries")
}

// vtyLine checks one vty line's settings, putting IOS's defaults in
// their zero form.
func (v *validator) vtyLine(l *VTYLine) {
	v.checkACLRef("vty.access-class", l.AccessClass)
	if l.ExecTimeout == DefaultExecTimeout {
		l.ExecTimeout = 0
	}
	switch l.TransportInput {
	case "", "ssh", "none", "all", "telnet ssh":
	default:
		v.failf("vty.transport-input", "transport input %s leaves no way in: flowtap offers SSH only", l.TransportInput)
	}
	v.checkRange("vty.privilege", int64(l.Privilege), 0, 15, "privilege level")
	if l.Password.Hash.IsSet() && l.Password.Hash.Type() == 0 {
		v.failf("vty.password", "the line password is not a hash of type 5, 8 or 9")
	}
	if l.Login < VTYLoginDefault || l.Login > VTYLoginLine {
		v.failf("vty.login", "login form %d is unknown", l.Login)
	}
	if t := l.ExecTimeout; t != NoExecTimeout && (t < 0 || t > MaxExecTimeout || t%time.Second != 0) {
		v.failf("vty.exec-timeout", "exec-timeout %v is not whole seconds up to 35791 minutes 2147483 seconds", t)
	}
}

func (v *validator) mgmtLists(c *Config) {
	v.checkRange("console.privilege", int64(c.Console.Privilege), 0, 15, "privilege level")
	if c.Console.LoginLocal && c.Console.LoginLine {
		v.failf("console.login", "line con 0 takes login or login local, not both")
	}
	if c.VTY.Last == DefaultVTYLast {
		c.VTY.Last = 0
	}
	v.checkRange("vty.last", int64(c.VTY.Last), 0, MaxVTYLast, "vty line")
	shaped := c.VTY.Last >= 0 && c.VTY.Last <= MaxVTYLast
	for i, r := range c.VTY.Ranges {
		if r.First < 1 || r.Last < r.First || r.Last > c.VTY.Lines()-1 || i > 0 && r.First <= c.VTY.Ranges[i-1].Last {
			v.failf("vty.ranges", "line vty %d %d: not within lines 1-%d or overlapping another range", r.First, r.Last, c.VTY.Lines()-1)
			shaped = false
		}
		v.vtyLine(&c.VTY.Ranges[i].VTYLine)
	}
	v.vtyLine(&c.VTY.VTYLine)
	if shaped {
		c.VTY.Canon()
	}
	m := &c.Metrics
	m.Port = zeroIfEq(m.Port, DefaultMetricsPort)
	v.checkRange("metrics.port", int64(m.Port), 0, 65535, "port")
	v.checkACLRef("metrics.access-class", m.AccessClass)
	if !m.Enabled && *m != (Metrics{}) {
		v.failf("metrics", "ip http metrics port and access-class need ip http metrics")
	}
	v.addrList("logging.hosts", c.Logging.Hosts)
	if b := c.Logging.Buffered; b != 0 && (b < MinLoggingBuffer || b > MaxLoggingBuffer) {
		v.failf("logging.buffered", "buffer size %d is outside %d..%d", b, MinLoggingBuffer, MaxLoggingBuffer)
	}
	v.logging(&c.Logging)
	v.addrList("ntp.servers", c.NTP.Servers)
	v.addrList("ntp.preferred", c.NTP.Preferred)
	for _, p := range c.NTP.Preferred {
		if !slices.Contains(c.NTP.Servers, p) {
			v.failf("ntp.preferred", "ntp server %s prefer names no configured server", p)
		}
	}
	if len(c.NTP.Preferred) == 0 {
		c.NTP.Preferred = nil
	}
}

// logging checks what `logging` keeps beside its hosts: a port for a
// host that is configured, IOS's names for levels and facilities.
func (v *validator) logging(l *Logging) {
	ports := l.Ports[:0]
	for _, p := range l.Ports {
		p.Addr = p.Addr.Unmap()
		if !slices.Contains(l.Hosts, p.Addr) {
			v.failf("logging.ports", "transport udp port %d names %s, which is not a logging host", p.Port, p.Addr)
		}
		v.checkRange("logging.ports", int64(p.Port), 1, 65535, "port")
		if p.Port != DefaultSyslogPort {
			ports = append(ports, p)
		}
	}
	if len(ports) == 0 {
		ports = nil
	}
	l.Ports = ports
	for path, lv := range map[string]string{"logging.buffered-level": l.BufferedLevel, "logging.trap": l.Trap} {
		if lv != "" && !slices.Contains(LogSeverities, lv) {
			v.failf(path, "%q is not a severity level", lv)
		}
	}
	if l.BufferedLevel == "debugging" {
		l.BufferedLevel = ""
	}
	if l.Trap == "informational" {
		l.Trap = ""
	}
	levelsOK := true
	for i, hl := range l.HostLevels {
		l.HostLevels[i].Addr = hl.Addr.Unmap()
		if !slices.Contains(LogSeverities, hl.Level) {
			v.failf("logging.host-levels", "%q is not a severity level", hl.Level)
			levelsOK = false
		}
	}
	if levelsOK {
		l.CanonLevels()
	}
	if _, ok := LogFacilities[l.Facility]; l.Facility != "" && !ok {
		v.failf("logging.facility", "%q is not a syslog facility", l.Facility)
	}
	if l.Facility == "local7" {
		l.Facility = ""
	}
	if l.SourceInterface != "" {
		if err := CheckIfName(l.SourceInterface); err != nil {
			v.bad("logging.source-interface", err)
		}
	}
}

func (v *validator) addrList(path string, addrs []netip.Addr) {
	for i := range addrs {
		addrs[i] = addrs[i].Unmap()
		if err := checkHostAddr(addrs[i]); err != nil {
			v.bad(path, err)
		}
		if slices.Index(addrs, addrs[i]) < i {
			v.failf(path, "%v configured twice", addrs[i])
		}
	}
}
