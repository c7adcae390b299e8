package config

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
)

// globalKeywords are the global configuration commands.
var globalKeywords = []string{
	"access-list", "enable", "end", "exit", "flow-sampler-map", "flowtap", "hostname", "interface",
	"ip", "line", "logging", "login", "mls", "no", "ntp", "platform", "privilege", "snmp-server", "username",
}

func (x *cmd) dispatch() {
	switch x.mode.kind {
	case modeGlobal:
		x.global()
	case modeInterface:
		x.interfaceMode()
	case modeSampler:
		x.samplerMode()
	case modeAggregation:
		x.aggregationMode()
	case modeTopTalkers:
		x.topTalkersMode()
	case modeVTY:
		x.vtyMode()
	case modeConsole:
		x.consoleMode()
	case modeACLStandard, modeACLExtended:
		x.aclMode(x.mode.kind == modeACLExtended)
	}
}

// negation reads a leading `no` (or `default`, which puts a command back
// to its default: in this model that is what removing it does) among a
// mode's keywords and returns the command keyword.
func (x *cmd) negation(keywords ...string) string {
	k := x.c.keyword(append([]string{"no", "default"}, keywords...)...)
	if k == "no" || k == "default" {
		x.neg = true
		k = x.c.keyword(keywords...)
	}
	return k
}

func (x *cmd) global() {
	k := x.negation(slices.DeleteFunc(slices.Clone(globalKeywords), func(s string) bool { return s == "no" })...)
	if x.neg && (k == "end" || k == "exit") {
		x.c.invalid(x.c.last(), "")
		return
	}
	switch k {
	case "end":
		x.c.end()
		x.ended = true
	case "exit":
		x.c.end()
		x.exited = true
	case "hostname":
		x.hostname()
	case "platform":
		x.platform()
	case "interface":
		x.interfaceCmd()
	case "flow-sampler-map":
		x.samplerMap()
	case "ip":
		x.ip()
	case "mls":
		x.mls()
	case "flowtap":
		x.flowtap()
	case "snmp-server":
		x.snmpServer()
	case "username":
		x.username()
	case "enable":
		x.enable()
	case "access-list":
		x.accessList()
	case "line":
		x.line()
	case "logging":
		x.logging()
	case "ntp":
		x.ntp()
	case "login":
		x.loginBlock()
	case "privilege":
		x.privilege()
	}
}

func (x *cmd) hostname() {
	if x.neg {
		x.c.skip()
		x.cfg.Hostname = ""
		return
	}
	h := x.c.name("WORD", checkHostname)
	x.c.end()
	x.cfg.Hostname = h
	x.touch("hostname")
}

func (x *cmd) platform() {
	if x.neg {
		x.c.end()
		x.cfg.Platform = ""
		x.touch("platform")
		return
	}
	name := x.c.keyword(platform.Names()...)
	x.c.end()
	x.cfg.Platform = name
	x.touch("platform")
}

func (x *cmd) interfaceCmd() {
	name := x.c.name("WORD", checkIfName)
	x.c.end()
	if x.c.err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.Interfaces, func(it Interface) bool { return it.Name == name })
	if x.neg {
		if i >= 0 {
			x.cfg.Interfaces = slices.Delete(x.cfg.Interfaces, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.Interfaces = append(x.cfg.Interfaces, Interface{Name: name})
	}
	x.touch("interfaces[" + name + "]")
	x.open(modeInterface, name)
}

func (x *cmd) samplerMap() {
	name := x.c.name("WORD", func(s string) error { return checkName(s, 32) })
	x.c.end()
	if x.c.err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.Samplers, func(m SamplerMap) bool { return m.Name == name })
	x.touch("samplers[" + name + "]")
	if x.neg {
		if i >= 0 {
			x.cfg.Samplers = slices.Delete(x.cfg.Samplers, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.Samplers = append(x.cfg.Samplers, SamplerMap{Name: name})
	}
	x.open(modeSampler, name)
}

// flowtap reads the flowtap extensions.
func (x *cmd) flowtap() {
	switch x.c.keyword("as-mode", "prefix-as-file", "sampling") {
	case "prefix-as-file":
		if x.neg {
			x.c.skip()
			x.cfg.PrefixAS.File = ""
			return
		}
		f := x.c.name("PATH", func(s string) error { return checkName(s, 4096) })
		x.c.end()
		x.cfg.PrefixAS.File = f
		x.touch("prefix-as.file")
	case "as-mode":
		if x.neg {
			x.c.optKeyword("origin", "peer")
			x.c.end()
			x.cfg.PrefixAS.Mode = export.ASNone
			return
		}
		m := x.c.keyword("origin", "peer")
		x.c.end()
		x.cfg.PrefixAS.Mode = map[string]export.ASMode{"origin": export.ASOrigin, "peer": export.ASPeer}[m]
	case "sampling":
		x.flowtapSampling()
	}
}

// flowtapSampling is JunOS `forwarding-options sampling input` in IOS
// words: `flowtap sampling rate N [run-length N]
// [max-packets-per-second N]`.
func (x *cmd) flowtapSampling() {
	if x.neg {
		x.c.end()
		x.cfg.Sampling = platform.Sampling{}
		return
	}
	s := platform.Sampling{Mode: platform.SamplingJuniper}
	x.c.keyword("rate")
	s.Rate = uint32(x.c.uint(1, 1<<32-1))
	x.touch("sampling")
	for x.c.more() {
		switch x.c.keyword("max-packets-per-second", "run-length") {
		case "run-length":
			s.RunLength = uint32(x.c.uint(0, 1<<32-1))
		case "max-packets-per-second":
			// 0 (sample nothing) is left out: delete the sampling instead.
			s.MaxPacketsPerSecond = uint32(x.c.uint(1, 65535))
		}
		x.touch("sampling")
	}
	x.cfg.Sampling = s
}

func (x *cmd) username() {
	name := x.c.name("WORD", func(s string) error { return checkName(s, 64) })
	if x.c.err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.Users, func(u User) bool { return u.Name == name })
	if x.neg {
		if x.c.optKeyword("ssh-key") == "" {
			if i >= 0 {
				x.cfg.Users = slices.Delete(x.cfg.Users, i, i+1)
			}
			return
		}
		key, all := x.sshKey(true)
		if x.c.err == nil && i >= 0 {
			u := &x.cfg.Users[i]
			u.Keys = slices.DeleteFunc(u.Keys, func(k SSHKey) bool { return all || k == key })
		}
		return
	}
	u := User{Name: name}
	if i >= 0 {
		u = x.cfg.Users[i]
	}
	path := "users[" + name + "]"
	if !x.c.need("privilege", "secret", "nopassword", "ssh-key") {
		return
	}
	for x.c.more() {
		switch x.c.keyword("nopassword", "privilege", "secret", "ssh-key") {
		case "privilege":
			u.Privilege = int(x.c.uint(1, 15))
			x.touch(path + ".privilege")
		case "nopassword":
			u.Secret = Secret{}
			x.c.end()
		case "secret":
			u.Secret = x.secret()
			x.touch(path + ".secret")
		case "ssh-key":
			key, _ := x.sshKey(false)
			x.touch(path + ".keys")
			if x.c.err == nil && !slices.Contains(u.Keys, key) {
				u.Keys = append(u.Keys, key)
			}
		}
	}
	if x.c.err != nil {
		return
	}
	if i >= 0 {
		x.cfg.Users[i] = u
	} else {
		x.cfg.Users = append(x.cfg.Users, u)
	}
}

// sshKey reads TYPE BASE64; optional (for `no`) allows neither.
func (x *cmd) sshKey(optional bool) (SSHKey, bool) {
	if optional && !x.c.more() {
		return SSHKey{}, true
	}
	typ := x.c.keyword(sshKeyTypes...)
	blob := x.c.name("BASE64", func(b string) error { _, err := ParseSSHKey(typ, b); return err })
	x.c.end()
	return SSHKey{Type: typ, Blob: blob}, false
}

// secret reads `[0] CLEARTEXT` (the rest of the line) or `8 HASH`.
func (x *cmd) secret() Secret {
	typ := x.c.tryKeyword("0", "4", "5", "7", "8", "9")
	switch typ {
	case "8":
		h := x.c.name("HASH", func(s string) error { _, err := ParseSecret(s); return err })
		x.c.end()
		return Secret{Hash: h}
	case "4", "5", "7", "9":
		x.c.invalid(x.c.last(), "only type 0 (clear text) and type 8 (PBKDF2-SHA-256) secrets are supported")
		return Secret{}
	}
	plain := x.c.rest("LINE")
	if x.c.err != nil {
		return Secret{}
	}
	s, err := HashSecret(plain)
	if err != nil {
		x.c.refuse("%v", err)
	}
	return s
}

func (x *cmd) enable() {
	x.c.keyword("secret")
	if x.neg {
		x.c.skip()
		x.cfg.EnableSecret = Secret{}
		return
	}
	s := x.secret()
	x.touch("enable-secret")
	x.cfg.EnableSecret = s
}

func (x *cmd) line() {
	if x.c.keyword("console", "vty") == "console" {
		x.c.uint(0, 0)
		x.c.end()
		if x.neg {
			x.c.refuse("line con 0 cannot be removed")
			return
		}
		x.open(modeConsole, "")
		return
	}
	first := x.c.uint(0, 15)
	if x.c.more() {
		if last := x.c.uint(0, 15); x.c.err == nil && last < first {
			x.c.invalid(x.c.last(), "the last line is below the first")
		}
	}
	x.c.end()
	if x.neg {
		x.c.refuse("line vty cannot be removed")
		return
	}
	x.open(modeVTY, "")
}

func (x *cmd) logging() {
	switch x.c.keyword("buffered", "host") {
	case "host":
		a := x.c.addr(false)
		x.c.end()
		x.addrListEdit(&x.cfg.Logging.Hosts, a, "logging.hosts")
	case "buffered":
		if x.neg {
			x.c.skip()
			x.cfg.Logging.Buffered = 0
			return
		}
		n := x.c.uint(minLoggingBuffer, maxLoggingBuffer)
		x.c.end()
		x.cfg.Logging.Buffered = int(n)
		x.touch("logging.buffered")
	}
}

func (x *cmd) ntp() {
	x.c.keyword("server")
	a := x.c.addr(false)
	x.c.end()
	x.addrListEdit(&x.cfg.NTP.Servers, a, "ntp.servers")
}

// addrListEdit adds a (or removes it, for `no`) from an address list.
func (x *cmd) addrListEdit(list *[]netip.Addr, a netip.Addr, path string) {
	if x.c.err != nil {
		return
	}
	x.touch(path)
	i := slices.Index(*list, a)
	switch {
	case x.neg && i >= 0:
		*list = slices.Delete(*list, i, i+1)
	case !x.neg && i < 0:
		*list = append(*list, a)
	}
}

// privilege is `privilege exec level N COMMAND` and `privilege exec reset
// COMMAND` (or `no privilege exec level N COMMAND`): reset and no put the
// command back to its default level.
func (x *cmd) privilege() {
	x.c.keyword("exec")
	level := -1
	if x.c.keyword("level", "reset") == "level" {
		level = int(x.c.uint(0, 15))
	}
	command := strings.ToLower(strings.Join(strings.Fields(x.c.rest("LINE")), " "))
	if x.c.err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.ExecLevels, func(e ExecLevel) bool { return e.Command == command })
	if x.neg || level < 0 {
		if i >= 0 {
			x.cfg.ExecLevels = slices.Delete(x.cfg.ExecLevels, i, i+1)
		}
		return
	}
	x.touch("exec-levels[" + command + "]")
	if i >= 0 {
		x.cfg.ExecLevels[i].Level = level
		return
	}
	x.cfg.ExecLevels = append(x.cfg.ExecLevels, ExecLevel{Command: command, Level: level})
}

// loginBlock is `login block-for S attempts N within T`.
func (x *cmd) loginBlock() {
	x.c.keyword("block-for")
	if x.neg {
		x.c.skip()
		x.cfg.LoginBlock = LoginBlock{}
		return
	}
	var b LoginBlock
	b.BlockFor = time.Duration(x.c.uint(1, 65535)) * time.Second
	x.c.keyword("attempts")
	b.Attempts = int(x.c.uint(1, 65535))
	x.c.keyword("within")
	b.Within = time.Duration(x.c.uint(1, 65535)) * time.Second
	x.c.end()
	if x.c.err != nil {
		return
	}
	x.cfg.LoginBlock = b
	x.touch("login-block")
}
