package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Management defaults and ranges: IOS's, RECALL (the reference is silent
// on the management plane). Where IOS accepts 0 (privilege,
// authentication-retries), flowtap does not: 0 is the model's default.
const (
	DefaultSSHPort        = 22
	DefaultSSHTimeout     = 120 * time.Second
	DefaultSSHAuthRetries = 3
	DefaultPrivilege      = 1
	DefaultTrapPort       = 162
	minLoggingBuffer      = 4096
	maxLoggingBuffer      = 2147483647
	// minSNMPPass is RFC 3414's minimum passphrase length (net-snmp
	// refuses shorter ones).
	minSNMPPass = 8
)

func (v *validator) snmp(c *Config) {
	s := &c.SNMP
	s.AuthTraps = s.AuthTraps && !s.Traps // every notification includes it
	names := map[string]bool{}
	for _, cm := range s.Communities {
		path := "snmp.communities[" + cm.Name + "]"
		if err := checkName(cm.Name, 32); err != nil {
			v.bad(path, err)
		}
		if names[cm.Name] {
			v.failf(path, "configured twice")
		}
		names[cm.Name] = true
		if cm.View != "" {
			if err := checkName(cm.View, 32); err != nil {
				v.bad(path+".view", err)
			}
		}
		v.checkACLRef(path+".acl", cm.ACL)
	}
	groups := map[string]bool{}
	for _, g := range s.Groups {
		path := "snmp.groups[" + g.Name + "]"
		if err := checkName(g.Name, 32); err != nil {
			v.bad(path, err)
		}
		if groups[g.Name] {
			v.failf(path, "configured twice")
		}
		groups[g.Name] = true
		if g.Level > LevelPriv {
			v.failf(path+".level", "unknown security level %d", g.Level)
		}
	}
	users := map[string]bool{}
	for _, u := range s.Users {
		v.snmpUser(u, users)
	}
	hosts := map[string]bool{}
	for i := range s.Hosts {
		h := &s.Hosts[i]
		h.Addr = h.Addr.Unmap()
		h.Port = zeroIfEq(h.Port, DefaultTrapPort)
		path := "snmp.hosts[" + h.key() + "]"
		if err := checkHostAddr(h.Addr); err != nil {
			v.bad(path, err)
		}
		if err := checkName(h.Name, 32); err != nil {
			v.bad(path+".name", err)
		}
		if hosts[h.key()] {
			v.failf(path, "configured twice")
		}
		hosts[h.key()] = true
		switch {
		case h.Version > SNMPv3:
			v.failf(path+".version", "unknown SNMP version %d", h.Version)
		case h.Version != SNMPv3 && h.Level != LevelNoAuth:
			v.failf(path+".level", "a security level needs version 3")
		case h.Level > LevelPriv:
			v.failf(path+".level", "unknown security level %d", h.Level)
		case h.Informs && h.Version == SNMPv1:
			v.failf(path+".informs", "informs need version 2c or 3")
		}
	}
	if err := checkText(s.Location, 255); err != nil {
		v.bad("snmp.location", err)
	}
	if err := checkText(s.Contact, 255); err != nil {
		v.bad("snmp.contact", err)
	}
}

func (v *validator) snmpUser(u SNMPUser, seen map[string]bool) {
	path := "snmp.users[" + u.Name + "]"
	if err := checkName(u.Name, 32); err != nil {
		v.bad(path, err)
	}
	if seen[u.Name] {
		v.failf(path, "configured twice")
	}
	seen[u.Name] = true
	if err := checkName(u.Group, 32); err != nil {
		v.bad(path+".group", err)
	}
	switch {
	case u.Auth > AuthSHA256:
		v.failf(path+".auth", "unknown authentication protocol %d", u.Auth)
	case u.Auth == AuthNone && (u.AuthPass != "" || u.Priv != PrivNone):
		v.failf(path+".auth", "privacy or a passphrase without authentication")
	case u.Auth != AuthNone:
		if err := checkPass(u.AuthPass); err != nil {
			v.bad(path+".auth-pass", err)
		}
	}
	switch {
	case u.Priv > PrivAES128:
		v.failf(path+".priv", "unknown privacy protocol %d", u.Priv)
	case u.Priv == PrivNone && u.PrivPass != "":
		v.failf(path+".priv", "a privacy passphrase without a privacy protocol")
	case u.Priv != PrivNone:
		if err := checkPass(u.PrivPass); err != nil {
			v.bad(path+".priv-pass", err)
		}
	}
}

func checkPass(p string) error {
	if len(p) < minSNMPPass {
		return fmt.Errorf("passphrase shorter than %d characters", minSNMPPass)
	}
	return checkName(p, 64)
}

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
		if err := checkName(u.Name, 64); err != nil {
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
	b := c.LoginBlock
	if b != (LoginBlock{}) {
		if b.Attempts < 1 || b.Attempts > 65535 || b.BlockFor < time.Second || b.BlockFor > 65535*time.Second ||
			b.Within < time.Second || b.Within > 65535*time.Second || b.BlockFor%time.Second != 0 || b.Within%time.Second != 0 {
			v.failf("login-block", "login block-for needs whole seconds 1..65535 and attempts 1..65535")
		}
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

func (v *validator) mgmtLists(c *Config) {
	v.checkACLRef("vty.access-class", c.VTY.AccessClass)
	v.addrList("logging.hosts", c.Logging.Hosts)
	if b := c.Logging.Buffered; b != 0 && (b < minLoggingBuffer || b > maxLoggingBuffer) {
		v.failf("logging.buffered", "buffer size %d is outside %d..%d", b, minLoggingBuffer, maxLoggingBuffer)
	}
	v.addrList("ntp.servers", c.NTP.Servers)
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
