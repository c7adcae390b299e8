package ios

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// globalKeywords are the global configuration commands.
var globalKeywords = []string{
	"access-list", "archive", "banner", "class-map", "clock", "enable", "end", "exit", "flow", "flow-sampler-map", "flowtap", "hostname", "interface",
	"ip", "ipv6", "line", "logging", "login", "mls", "no", "ntp", "platform", "policy-map", "privilege", "sampler", "service", "snmp-server", "username",
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
	case modeTap:
		x.tapMode()
	case modeClassMap:
		x.classMapMode()
	case modePolicyMap:
		x.policyMapMode()
	case modePolicyClass:
		x.policyClassMode()
	case modeACLv6:
		x.acl6Mode()
	case modeArchive:
		x.archiveMode()
	case modeArchiveLog:
		x.archiveLogMode()
	case modeFlowRecord:
		x.flowRecordMode()
	case modeFlowExporter:
		x.flowExporterMode()
	case modeFlowMonitor:
		x.flowMonitorMode()
	case modeFNFSampler:
		x.fnfSamplerMode()
	}
}

// negation reads a leading `no` (or `default`, which puts a command back
// to its default: in this model that is what removing it does) among a
// mode's keywords and returns the command keyword.
func (x *cmd) negation(keywords ...string) string {
	k := x.c.Keyword(append([]string{"no", "default"}, keywords...)...)
	if k == "no" || k == "default" {
		x.neg, x.dflt = true, k == "default"
		// end and exit have no `no` form: `no ?` does not offer them.
		k = x.c.Keyword(slices.DeleteFunc(slices.Clone(keywords), func(s string) bool { return s == "end" || s == "exit" })...)
	}
	return k
}

func (x *cmd) global() {
	if x.refuseForeign(foreign) || x.takeQuietly(quiet) {
		return
	}
	k := x.negation(slices.DeleteFunc(slices.Clone(globalKeywords), func(s string) bool { return s == "no" })...)
	if x.neg && (k == "end" || k == "exit") {
		x.c.Invalid(x.c.Last(), "")
		return
	}
	switch k {
	case "end":
		x.c.End()
		x.ended = true
	case "exit":
		x.c.End()
		x.exited = true
	case "hostname":
		x.hostname()
	case "banner":
		x.banner()
	case "platform":
		x.platform()
	case "interface":
		x.interfaceCmd()
	case "flow":
		x.flowGlobal()
	case "sampler":
		x.samplerGlobal()
	case "flow-sampler-map":
		x.samplerMap()
	case "class-map":
		x.classMap()
	case "policy-map":
		x.policyMap()
	case "ip":
		x.ip()
	case "ipv6":
		x.ipv6Global()
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
		x.login()
	case "privilege":
		x.privilege()
	case "archive":
		x.archive()
	case "clock":
		x.clock()
	case "service":
		x.service()
	}
}

func (x *cmd) hostname() {
	if x.neg {
		x.c.Skip()
		x.cfg.Hostname = ""
		return
	}
	h := x.c.Name("WORD", config.CheckHostname)
	x.c.End()
	x.cfg.Hostname = h
	x.touch("hostname")
}

func (x *cmd) platform() {
	if x.neg {
		// `no platform NAME`, as show running-config writes the line
		// with its name, is `no platform` (IOS's no takes the line as
		// shown).
		x.c.Skip()
		x.cfg.Platform = ""
		x.touch("platform")
		return
	}
	name := x.c.Keyword(platform.Names()...)
	x.c.End()
	x.cfg.Platform = name
	x.touch("platform")
}

func (x *cmd) interfaceCmd() {
	// A router's port names (GigabitEthernet0/1) and its loopbacks come
	// with every pasted configuration: say what flowtap's ports are
	// rather than only that the name is malformed.
	if x.c.More() && !x.neg {
		w := x.c.Words[x.c.Pos].Text
		lw := strings.ToLower(w)
		switch {
		case strings.HasPrefix(lw, "loopback") || strings.HasPrefix(lw, "null"):
			x.c.Refuse("interface %s: flowtap meters the Linux links it taps; a loopback or null interface carries no traffic to meter", w)
			return
		case strings.Contains(w, "/"):
			x.c.Invalid(x.c.Pos, "interface name \""+w+"\": not a Linux interface name; flowtap's ports are the Linux links it taps (eth1, ens1f0), not a router's slot/port")
			return
		}
	}
	name := x.c.Name("WORD", config.CheckIfName)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.Interfaces, func(it config.Interface) bool { return it.Name == name })
	if x.dflt {
		// IOS's default interface empties the interface and keeps it,
		// and says so.
		if i >= 0 {
			x.cfg.Interfaces[i] = config.Interface{Name: name}
			x.touch("interfaces[" + name + "]")
		}
		x.notes = append(x.notes, fmt.Sprintf("Interface %s set to default configuration", name))
		return
	}
	if x.neg {
		if i >= 0 {
			x.cfg.Interfaces = slices.Delete(x.cfg.Interfaces, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.Interfaces = append(x.cfg.Interfaces, config.Interface{Name: name})
	}
	x.touch("interfaces[" + name + "]")
	x.open(modeInterface, name)
}

func (x *cmd) samplerMap() { x.openSampler(false) }

// openSampler is `[no] flow-sampler-map NAME` and, with fnf, IOS-XE's
// `[no] sampler NAME`: one list of samplers, so a name belongs to one
// form or the other.
func (x *cmd) openSampler(fnf bool) {
	name := x.c.Name("WORD", config.CheckName32)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.Samplers, func(m config.SamplerMap) bool { return m.Name == name })
	if i >= 0 && x.cfg.Samplers[i].FNF != fnf {
		other := "sampler"
		if fnf {
			other = "flow-sampler-map"
		}
		x.c.Refuse("%s %s has that name; a sampler and a flow-sampler-map share their names", other, name)
		return
	}
	x.touch("samplers[" + name + "]")
	keepNamed(x.neg, &x.cfg.Samplers, config.SamplerMap{Name: name, FNF: fnf}, func(m config.SamplerMap) string { return m.Name })
	if x.neg {
		return
	}
	if fnf {
		x.open(modeFNFSampler, name)
	} else {
		x.open(modeSampler, name)
	}
}

// flowtap reads the flowtap extensions.
func (x *cmd) flowtap() {
	switch x.c.Keyword("application-class", "as-mode", "logging", "prefix-as-file", "sampling", "services-interface", "tap") {
	case "logging":
		x.flowtapLogging()
	case "services-interface":
		x.servicesInterface()
	case "tap":
		x.tapCmd()
	case "application-class":
		x.appClass()
	case "prefix-as-file":
		if x.neg {
			x.c.Skip()
			x.cfg.PrefixAS.File = ""
			return
		}
		f := x.c.Name("PATH", func(s string) error { return config.CheckName(s, 4096) })
		x.c.End()
		x.cfg.PrefixAS.File = f
		x.touch("prefix-as.file")
	case "as-mode":
		if x.neg {
			x.c.OptKeyword("origin", "peer")
			x.c.End()
			x.cfg.PrefixAS.Mode = platform.ASNone
			return
		}
		m := x.c.Keyword("origin", "peer")
		x.c.End()
		x.cfg.PrefixAS.Mode = map[string]platform.ASMode{"origin": platform.ASOrigin, "peer": platform.ASPeer}[m]
	case "sampling":
		x.flowtapSampling()
	}
}

// flowtapLogging is JunOS `system syslog host A any LEVEL` in IOS words:
// `flowtap logging host A level LEVEL` gives a configured logging host a
// level of its own (IOS's `logging trap` is one level for every host).
// `no` gives it logging trap's again. The running-config shows `logging
// trap` as the first host's level and this line for the hosts that
// differ from it.
func (x *cmd) flowtapLogging() {
	x.c.Keyword("host")
	a := x.c.Addr(false).Unmap()
	if x.c.Err != nil {
		return
	}
	l := &x.cfg.Logging
	if x.neg {
		x.c.Skip()
		l.HostLevels = slices.DeleteFunc(l.HostLevels, func(hl config.LogLevel) bool { return hl.Addr == a })
		l.CanonLevels()
		return
	}
	x.c.Keyword("level")
	lv := x.severity()
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if !slices.Contains(l.Hosts, a) {
		x.c.Refuse("%s is not a logging host: configure logging host %s first", a, a)
		return
	}
	l.SetHostLevel(a, lv)
	x.touch("logging.host-levels")
}

// flowtapSampling is JunOS `forwarding-options sampling input` in IOS
// words: `flowtap sampling rate N [run-length N]
// [max-packets-per-second N]`.
func (x *cmd) flowtapSampling() {
	if x.neg {
		x.c.End()
		x.cfg.Sampling = platform.Sampling{}
		return
	}
	s := platform.Sampling{Mode: platform.SamplingJuniper}
	x.c.Keyword("rate")
	s.Rate = uint32(x.c.Uint(1, 1<<32-1))
	x.touch("sampling")
	for k := x.c.Optional("max-packets-per-second", "run-length"); k != ""; k = x.c.Optional("max-packets-per-second", "run-length") {
		switch k {
		case "run-length":
			s.RunLength = uint32(x.c.Uint(0, 1<<32-1))
		case "max-packets-per-second":
			// 0 (sample nothing) is left out: delete the sampling instead.
			s.MaxPacketsPerSecond = uint32(x.c.Uint(1, 65535))
		}
		x.touch("sampling")
	}
	x.cfg.Sampling = s
}

func (x *cmd) username() {
	name := x.c.Name("WORD", func(s string) error { return config.CheckName(s, 64) })
	if x.c.Err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.Users, func(u config.User) bool { return u.Name == name })
	if x.neg {
		if x.c.TryKeyword("ssh-key") == "" {
			// `no username NAME privilege N secret ...`, the line as
			// show running-config writes it, removes the user as `no
			// username NAME` does.
			x.c.Skip()
			if i >= 0 {
				x.cfg.Users = slices.Delete(x.cfg.Users, i, i+1)
			}
			return
		}
		key, all := x.sshKey(true)
		if x.c.Err == nil && i >= 0 {
			u := &x.cfg.Users[i]
			u.Keys = slices.DeleteFunc(u.Keys, func(k config.SSHKey) bool { return all || k == key })
		}
		return
	}
	u := config.User{Name: name}
	if i >= 0 {
		u = x.cfg.Users[i]
	}
	path := "users[" + name + "]"
	if !x.c.Need("privilege", "secret", "password", "nopassword", "ssh-key") {
		return
	}
	tail := []string{"nopassword", "password", "privilege", "secret", "ssh-key"}
	for k := x.c.Optional(tail...); k != ""; k = x.c.Optional(tail...) {
		switch k {
		case "privilege":
			u.Privilege = int(x.c.Uint(1, 15))
			x.touch(path + ".privilege")
		case "nopassword":
			u.Secret, u.NoPassword = config.Secret{}, true
			x.c.End()
		case "secret":
			u.Secret, u.NoPassword = x.secret(), false
			x.touch(path + ".secret")
		case "password":
			u.Secret, u.NoPassword = x.password(), false
			x.touch(path + ".secret")
		case "ssh-key":
			key, _ := x.sshKey(false)
			x.touch(path + ".keys")
			if x.c.Err == nil && !slices.Contains(u.Keys, key) {
				u.Keys = append(u.Keys, key)
			}
		}
	}
	if x.c.Err != nil {
		return
	}
	put(&x.cfg.Users, i, u)
}

// sshKey reads TYPE BASE64; optional (for `no`) allows neither.
func (x *cmd) sshKey(optional bool) (config.SSHKey, bool) {
	if optional && !x.c.More() {
		return config.SSHKey{}, true
	}
	typ := x.c.Keyword(config.SSHKeyTypes...)
	blob := x.c.Name("BASE64", func(b string) error { _, err := config.ParseSSHKey(typ, b); return err })
	x.c.End()
	return config.SSHKey{Type: typ, Blob: blob}, false
}

// secret reads `[0] CLEARTEXT` (the rest of the line) or `5|8|9 HASH`.
// A hash is kept as given, and must be of the type its number names (IOS
// refuses `secret 8 $1$...` too). Type 4 is refused as IOS 15 refuses it
// (Cisco withdrew it: its SHA-256 had no salt or rounds), and type 7 is
// not a secret but a reversible `password 7`.
func (x *cmd) secret() config.Secret {
	typ := x.c.TryKeyword("0", "4", "5", "7", "8", "9")
	switch typ {
	case "5", "8", "9":
		h := x.c.Name("HASH", func(s string) error {
			sec, err := config.ParseSecret(s)
			if err == nil && strconv.Itoa(sec.Type()) != typ {
				err = fmt.Errorf("the hash is type %d, not type %s", sec.Type(), typ)
			}
			return err
		})
		x.c.End()
		return config.Secret{Hash: h}
	case "4":
		x.c.Invalid(x.c.Last(), "type 4 secrets are withdrawn (an unsalted SHA-256); give the password in clear or as type 5, 8 or 9")
		return config.Secret{}
	case "7":
		x.c.Invalid(x.c.Last(), "type 7 is a reversible password, not a secret: use password 7")
		return config.Secret{}
	}
	return x.clearSecret()
}

// clearSecret hashes the clear-text rest of the line as type 8.
func (x *cmd) clearSecret() config.Secret {
	return x.hashed(x.c.Rest("LINE"))
}

// hashed is plain hashed as type 8, unless the line already failed.
func (x *cmd) hashed(plain string) config.Secret {
	if x.c.Err != nil {
		return config.Secret{}
	}
	s, err := config.HashSecret(plain)
	if err != nil {
		x.c.Refuse("%v", err)
	}
	return s
}

// password reads `[0] CLEARTEXT` or `7 HEX`, IOS's reversible form. flowtap
// keeps no password it could reverse: it recovers the type 7 password and
// hashes it as type 8, so the running-config shows `secret 8` for it.
func (x *cmd) password() config.Secret {
	if x.c.TryKeyword("0", "7") != "7" {
		return x.clearSecret()
	}
	var plain string
	x.c.Name("HEX", func(s string) error {
		p, err := config.DecodeType7(s)
		plain = p
		return err
	})
	x.c.End()
	return x.hashed(plain)
}

// enable is `enable secret` and `enable password`. IOS checks `enable`
// against the secret when one is set and against the password only
// otherwise, and keeps the password reversibly (clear, or type 7 with
// service password-encryption), as flowtap does (config.LinePassword).
// A startup-config an older flowtap wrote has the password as the enable
// secret, which still logs in.
func (x *cmd) enable() {
	if x.c.Keyword("password", "secret") == "password" {
		if x.neg {
			x.c.Skip()
			x.cfg.EnablePassword = config.LinePassword{}
			return
		}
		p := x.reversible()
		x.touch("enable-password")
		if x.c.Err == nil {
			x.cfg.EnablePassword = p
		}
		return
	}
	if x.neg {
		x.c.Skip()
		x.cfg.EnableSecret = config.Secret{}
		return
	}
	s := x.secret()
	x.touch("enable-secret")
	x.cfg.EnableSecret = s
}

func (x *cmd) line() {
	k := x.c.Keyword("aux", "console", "vty")
	if k == "aux" {
		x.c.Refuse("Not supported on this platform: flowtap has no aux port")
		return
	}
	if k == "console" {
		x.c.Uint(0, 0)
		x.c.End()
		if x.neg {
			x.c.Refuse("line con 0 cannot be removed")
			return
		}
		x.open(modeConsole, "")
		return
	}
	first := x.c.Uint(0, config.MaxVTYLast)
	last := first
	// `?` after the first line lists the last before <cr>.
	x.c.Offer(fmt.Sprintf("<0-%d>", config.MaxVTYLast))
	if x.c.More() {
		if last = x.c.Uint(0, config.MaxVTYLast); x.c.Err == nil && last < first {
			x.c.Invalid(x.c.Last(), "the last line is below the first")
		}
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if x.neg {
		// `no line vty 5 15` removes the lines IOS can remove: those
		// above 0-4, from the first named on.
		if first <= config.DefaultVTYLast {
			x.c.Refuse("line vty 0 %d cannot be removed", config.DefaultVTYLast)
			return
		}
		if int(first) <= x.cfg.VTY.Lines()-1 && int(last) >= x.cfg.VTY.Lines()-1 {
			x.cfg.VTY.SetLast(int(first) - 1)
			x.touch("vty.last")
		}
		return
	}
	// The lines a range names exist from then on (IOS adds them, with
	// its default settings; lines 0-4 always exist): the highest one
	// decides how many SSH sessions may be open at once.
	if int(last) > x.cfg.VTY.Lines()-1 {
		x.cfg.VTY.SetLast(int(last))
		x.touch("vty.last")
	}
	x.open(modeVTY, strconv.FormatUint(first, 10)+" "+strconv.FormatUint(last, 10))
}

func (x *cmd) logging() {
	l := &x.cfg.Logging
	k := x.c.TryKeyword("buffered", "facility", "host", "source-interface", "trap")
	if x.c.Err != nil {
		return
	}
	switch k {
	case "", "host":
		// IOS still takes the old `logging A.B.C.D` and shows it as
		// `logging host A.B.C.D`.
		x.loggingHost(l)
	case "buffered":
		if x.neg {
			x.c.Skip()
			l.Buffered, l.BufferedLevel = 0, ""
			return
		}
		// `logging buffered [SIZE] [LEVEL]`: a one-digit word is a
		// level, as on IOS (sizes start at 4096).
		size, lv := 0, ""
		// `?` lists a size and the levels; after a size, the levels.
		sizes := fmt.Sprintf("<%d-%d>", config.MinLoggingBuffer, config.MaxLoggingBuffer)
		x.c.Offer(append([]string{"<0-7>", sizes}, config.LogSeverities...)...)
		if x.c.More() && len(x.c.Words[x.c.Pos].Text) > 1 && x.c.Words[x.c.Pos].Text[0] >= '0' && x.c.Words[x.c.Pos].Text[0] <= '9' {
			size = int(x.c.Uint(config.MinLoggingBuffer, config.MaxLoggingBuffer))
			x.c.Offer(append([]string{"<0-7>"}, config.LogSeverities...)...)
		}
		if x.c.More() {
			lv = x.severity()
		}
		x.c.End()
		if x.c.Err != nil {
			return
		}
		if size == 0 {
			size = config.MinLoggingBuffer // IOS's default size
		}
		l.Buffered, l.BufferedLevel = size, lv
		x.touch("logging.buffered")
	case "trap":
		// IOS's one level for every host: it also ends the levels
		// hosts were given of their own (JunOS `any LEVEL` per host).
		if x.neg {
			x.c.Skip()
			l.Trap, l.HostLevels = "", nil
			return
		}
		lv := x.severity()
		x.c.End()
		if x.c.Err == nil {
			l.Trap, l.HostLevels = lv, nil
			x.touch("logging.trap")
		}
	case "facility":
		if x.neg {
			x.c.Skip()
			l.Facility = ""
			return
		}
		names := make([]string, 0, len(config.LogFacilities))
		for n := range config.LogFacilities {
			names = append(names, n)
		}
		slices.Sort(names)
		f := x.c.Keyword(names...)
		x.c.End()
		if x.c.Err == nil {
			l.Facility = f
			x.touch("logging.facility")
		}
	case "source-interface":
		if x.neg {
			x.c.Skip()
			l.SourceInterface = ""
			return
		}
		// IOS writes `logging source-interface Loopback 0` as one name.
		name := x.c.Name("WORD", config.CheckIfName)
		if x.c.More() {
			name += x.c.Name("<0-2147483647>", config.CheckIfName)
		}
		x.c.End()
		if x.c.Err == nil {
			l.SourceInterface = name
			x.touch("logging.source-interface")
		}
	}
}

// severity reads a level as IOS takes it, a name or 0-7, and gives the
// name, which is how IOS shows it.
func (x *cmd) severity() string {
	if !x.c.Need(append([]string{"<0-7>"}, config.LogSeverities...)...) {
		return ""
	}
	w := x.c.Words[x.c.Pos].Text
	if len(w) == 1 && w[0] >= '0' && w[0] <= '7' {
		x.c.Pos++
		return config.LogSeverities[w[0]-'0']
	}
	return x.c.Keyword(config.LogSeverities...)
}

// loggingHost is `logging host {A.B.C.D | NAME} [transport udp port N]`. TCP
// syslog and VRFs are refused with the reason: flowtap sends syslog over
// UDP from its one routing table.
func (x *cmd) loggingHost(l *config.Logging) {
	// A host name is resolved now, as IOS does, and the line keeps the
	// address (see docs/vendor-behaviour.md: IOS keeps the name).
	a := x.c.Host(false, x.cfg.Names, x.offline, x.res)
	port := config.DefaultSyslogPort
	// `?` after the address lists transport before <cr>.
	x.c.Offer("transport")
	for x.c.Err == nil && x.c.More() {
		switch x.c.Keyword("transport", "vrf") {
		case "vrf":
			x.c.Refuse("logging host vrf: flowtap has one routing table and no VRFs; configure the host without vrf")
		case "transport":
			if x.c.Keyword("tcp", "udp") == "tcp" {
				x.c.Refuse("logging host transport tcp: flowtap sends syslog over UDP only")
				return
			}
			if x.c.OptKeyword("port") != "" {
				port = int(x.c.Uint(1, 65535))
			}
		}
	}
	x.addrListEdit(&l.Hosts, a, "logging.hosts")
	if x.c.Err != nil {
		return
	}
	a = a.Unmap()
	l.Ports = slices.DeleteFunc(l.Ports, func(p config.LogPort) bool { return p.Addr == a })
	if !x.neg && port != config.DefaultSyslogPort {
		l.Ports = append(l.Ports, config.LogPort{Addr: a, Port: port})
	}
}

func (x *cmd) ntp() {
	if x.c.Keyword("server", "update-calendar") == "update-calendar" {
		x.c.End()
		if x.c.Err == nil {
			x.cfg.NTP.UpdateCalendar = !x.neg
		}
		return
	}
	a := x.c.Host(false, x.cfg.Names, x.offline, x.res) // a name resolved now, as for logging host
	prefer := false
	if x.c.More() && x.c.Err == nil {
		if w := strings.ToLower(x.c.Words[x.c.Pos].Text); w != "" && strings.HasPrefix("prefer", w) {
			x.c.Pos++
			prefer = true
		} else {
			x.c.Invalid(x.c.Pos, "flowtap's NTP client takes prefer (asked first); key, version and source are not taken")
		}
	}
	if !prefer {
		x.c.Offer("prefer")
	}
	x.c.End()
	x.addrListEdit(&x.cfg.NTP.Servers, a, "ntp.servers")
	if x.c.Err != nil {
		return
	}
	// `ntp server A` again without prefer makes it an ordinary server,
	// as on IOS, where the line replaces the one before.
	n := &x.cfg.NTP
	n.Preferred = slices.DeleteFunc(n.Preferred, func(p netip.Addr) bool { return p == a.Unmap() })
	if prefer && !x.neg {
		n.Preferred = append(n.Preferred, a.Unmap())
	}
}

// addrListEdit adds a (or removes it, for `no`) from an address list.
func (x *cmd) addrListEdit(list *[]netip.Addr, a netip.Addr, path string) {
	if x.c.Err != nil {
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

// privilege is `privilege exec|configure|interface level N COMMAND` and
// `privilege MODE reset COMMAND` (or `no privilege MODE level N
// COMMAND`): reset and no put the command back to its default level.
func (x *cmd) privilege() {
	m := x.c.Keyword(config.ModeConfigure, "exec", config.ModeInterface)
	level := -1
	if x.c.Keyword("level", "reset") == "level" {
		level = int(x.c.Uint(0, 15))
	}
	command := strings.ToLower(strings.Join(strings.Fields(x.c.Rest("LINE")), " "))
	if x.c.Err != nil {
		return
	}
	if m != "exec" {
		x.modeLevel(config.ModeLevel{Mode: m, Command: command, Level: level})
		return
	}
	i := slices.IndexFunc(x.cfg.ExecLevels, func(e config.ExecLevel) bool { return e.Command == command })
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
	x.cfg.ExecLevels = append(x.cfg.ExecLevels, config.ExecLevel{Command: command, Level: level})
}

// modeLevel sets (or, with level -1 or `no`, drops) a configuration
// command's level.
func (x *cmd) modeLevel(e config.ModeLevel) {
	i := slices.IndexFunc(x.cfg.ModeLevels, func(o config.ModeLevel) bool { return o.Key() == e.Key() })
	if x.neg || e.Level < 0 {
		if i >= 0 {
			x.cfg.ModeLevels = slices.Delete(x.cfg.ModeLevels, i, i+1)
		}
		return
	}
	x.touch("mode-levels[" + e.Key() + "]")
	if i >= 0 {
		x.cfg.ModeLevels[i].Level = e.Level
		return
	}
	x.cfg.ModeLevels = append(x.cfg.ModeLevels, e)
}

// login is `login block-for S attempts N within T` and `login
// on-failure|on-success log [every N]`.
func (x *cmd) login() {
	switch x.c.Keyword("block-for", "on-failure", "on-success") {
	case "on-failure":
		x.loginLog(&x.cfg.LoginFailureLog, "login-failure-log")
		return
	case "on-success":
		x.loginLog(&x.cfg.LoginSuccessLog, "login-success-log")
		return
	}
	if x.neg {
		x.c.Skip()
		x.cfg.LoginBlock = config.LoginBlock{}
		return
	}
	var b config.LoginBlock
	b.BlockFor = time.Duration(x.c.Uint(1, 65535)) * time.Second
	x.c.Keyword("attempts")
	b.Attempts = int(x.c.Uint(1, 65535))
	x.c.Keyword("within")
	b.Within = time.Duration(x.c.Uint(1, 65535)) * time.Second
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.cfg.LoginBlock = b
	x.touch("login-block")
}

// loginLog is `login on-failure|on-success log [every N]`: IOS logs
// failed and successful logins only when asked to.
func (x *cmd) loginLog(to *config.LoginLog, key string) {
	if x.neg {
		x.c.Skip()
		*to = config.LoginLog{}
		return
	}
	x.c.Keyword("log")
	f := config.LoginLog{On: true}
	if x.c.Optional("every") != "" {
		// Every 1 is every login: the running-config says it without.
		if f.Every = int(x.c.Uint(1, 65535)); f.Every == 1 {
			f.Every = 0
		}
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	*to = f
	x.touch(key)
}
