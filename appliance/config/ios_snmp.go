package config

import (
	"slices"
)

func checkName32(s string) error { return checkName(s, 32) }

func (x *cmd) snmpServer() {
	k := x.c.optKeyword("community", "contact", "enable", "group", "host", "location", "user")
	if x.c.err != nil {
		return
	}
	s := &x.cfg.SNMP
	switch k {
	case "":
		if !x.neg {
			x.c.need("community", "contact", "enable", "group", "host", "location", "user")
			return
		}
		*s = SNMP{} // `no snmp-server` stops the agent
	case "community":
		x.snmpCommunity()
	case "user":
		x.snmpUser()
	case "group":
		x.snmpGroup()
	case "host":
		x.snmpHost()
	case "location", "contact":
		text := ""
		if x.neg {
			x.c.skip()
		} else {
			text = x.c.rest("LINE")
			x.touch("snmp." + k)
		}
		if k == "location" {
			s.Location = text
		} else {
			s.Contact = text
		}
	case "enable":
		x.c.keyword("traps")
		if x.c.optKeyword("snmp") != "" {
			// The one type that can be chosen: authenticationFailure
			// (IOS's other `snmp` types all come with `enable traps`).
			x.c.keyword("authentication")
			x.c.end()
			s.AuthTraps = !x.neg
			return
		}
		if x.c.more() {
			x.c.invalid(x.c.pos, "flowtap sends every notification it has; the one type to choose is snmp authentication")
		}
		s.Traps = !x.neg
		if x.neg {
			s.AuthTraps = false
		}
	}
}

func (x *cmd) snmpCommunity() {
	name := x.c.name("WORD", checkName32)
	path := "snmp.communities[" + name + "]"
	x.touch(path)
	cs := &x.cfg.SNMP.Communities
	i := slices.IndexFunc(*cs, func(c Community) bool { return c.Name == name })
	if x.neg {
		x.c.skip()
		if x.c.err == nil && i >= 0 {
			*cs = slices.Delete(*cs, i, i+1)
		}
		return
	}
	cm := Community{Name: name}
	if x.c.tryKeyword("view") != "" {
		cm.View = x.c.name("WORD", checkName32)
		x.touch(path + ".view")
	}
	cm.RW = x.c.tryKeyword("RO", "RW") == "RW"
	if x.c.more() {
		cm.ACL = x.aclRef()
	}
	x.c.end()
	if x.c.err != nil {
		return
	}
	if i >= 0 {
		(*cs)[i] = cm
	} else {
		*cs = append(*cs, cm)
	}
}

func (x *cmd) snmpUser() {
	name := x.c.name("WORD", checkName32)
	path := "snmp.users[" + name + "]"
	x.touch(path)
	us := &x.cfg.SNMP.Users
	i := slices.IndexFunc(*us, func(u SNMPUser) bool { return u.Name == name })
	if x.neg {
		x.c.skip()
		if x.c.err == nil && i >= 0 {
			*us = slices.Delete(*us, i, i+1)
		}
		return
	}
	u := SNMPUser{Name: name, Group: x.c.name("WORD", checkName32)}
	x.touch(path + ".group")
	if v := x.c.keyword("v1", "v2c", "v3"); v != "v3" && x.c.err == nil {
		x.c.invalid(x.c.last(), "community-based access is snmp-server community")
	}
	if x.c.optKeyword("auth") != "" {
		switch x.c.keyword("md5", "sha", "sha-256") {
		case "md5":
			x.c.invalid(x.c.last(), "MD5 authentication is not supported")
		case "sha":
			u.Auth = AuthSHA
		case "sha-256":
			u.Auth = AuthSHA256
		}
		u.AuthPass = x.c.name("WORD", nil)
		x.touch(path + ".auth-pass")
		if x.c.optKeyword("priv") != "" {
			if x.c.keyword("3des", "aes", "des") != "aes" && x.c.err == nil {
				x.c.invalid(x.c.last(), "privacy is AES-128 only")
			}
			x.c.keyword("128")
			u.Priv = PrivAES128
			u.PrivPass = x.c.name("WORD", nil)
			x.touch(path + ".priv-pass")
		}
	}
	x.c.end()
	if x.c.err != nil {
		return
	}
	if i >= 0 {
		(*us)[i] = u
	} else {
		*us = append(*us, u)
	}
}

var securityLevels = map[string]SecurityLevel{"noauth": LevelNoAuth, "auth": LevelAuth, "priv": LevelPriv}

func (x *cmd) snmpGroup() {
	name := x.c.name("WORD", checkName32)
	gs := &x.cfg.SNMP.Groups
	i := slices.IndexFunc(*gs, func(g SNMPGroup) bool { return g.Name == name })
	if x.neg {
		x.c.skip()
		if x.c.err == nil && i >= 0 {
			*gs = slices.Delete(*gs, i, i+1)
		}
		return
	}
	if v := x.c.keyword("v1", "v2c", "v3"); v != "v3" && x.c.err == nil {
		x.c.invalid(x.c.last(), "community-based access is snmp-server community")
	}
	g := SNMPGroup{Name: name, Level: securityLevels[x.c.keyword("auth", "noauth", "priv")]}
	x.c.end()
	if x.c.err != nil {
		return
	}
	if i >= 0 {
		(*gs)[i] = g
	} else {
		*gs = append(*gs, g)
	}
}

func (x *cmd) snmpHost() {
	h := TrapHost{Addr: x.c.addr(false)}
	h.Addr = h.Addr.Unmap()
	if x.c.tryKeyword("informs", "traps") == "informs" {
		h.Informs = true
	}
	if x.c.tryKeyword("version") != "" {
		switch x.c.keyword("1", "2c", "3") {
		case "2c":
			h.Version = SNMPv2c
		case "3":
			h.Version = SNMPv3
			h.Level = securityLevels[x.c.keyword("auth", "noauth", "priv")]
		}
	}
	hs := &x.cfg.SNMP.Hosts
	if x.neg {
		if x.c.more() {
			h.Name = x.c.name("WORD", nil)
		}
		x.c.skip()
		if x.c.err == nil {
			*hs = slices.DeleteFunc(*hs, func(o TrapHost) bool { return o.Addr == h.Addr && (h.Name == "" || o.Name == h.Name) })
		}
		return
	}
	h.Name = x.c.name("WORD", checkName32)
	path := "snmp.hosts[" + h.key() + "]"
	x.touch(path)
	if x.c.optKeyword("udp-port") != "" {
		h.Port = uint16(x.c.uint(1, 65535))
	}
	x.c.end()
	if x.c.err != nil {
		return
	}
	if i := slices.IndexFunc(*hs, func(o TrapHost) bool { return o.key() == h.key() }); i >= 0 {
		(*hs)[i] = h
	} else {
		*hs = append(*hs, h)
	}
}
