package ios

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// subMode reads a sub-mode's command keyword and handles exit; ok is false
// when the line is done (exit, or an error).
func (x *cmd) subMode(keywords ...string) (string, bool) {
	k := x.negation(append([]string{"exit"}, keywords...)...)
	if k == "exit" {
		if x.neg {
			x.c.Invalid(x.c.Last(), "")
		}
		x.c.End()
		x.exited = true
		return "", false
	}
	return k, x.c.Err == nil
}

// gone refuses a sub-mode line whose element was removed meanwhile (an
// interactive `no interface` from within the interface).
func (x *cmd) gone(what string) {
	x.c.Refuse("%s %s is no longer configured", what, x.mode.key)
}

func (x *cmd) interfaceMode() {
	if x.refuseForeign(foreignIface) {
		return
	}
	k, ok := x.subMode("description", "encapsulation", "flow-sampler", "flowtap", "ip", "ipv6", "mls", "service-policy", "shutdown", "snmp")
	if !ok {
		return
	}
	i := slices.IndexFunc(x.cfg.Interfaces, func(it config.Interface) bool { return it.Name == x.mode.key })
	if i < 0 {
		x.gone("interface")
		return
	}
	it := &x.cfg.Interfaces[i]
	path := "interfaces[" + it.Name + "]"
	switch k {
	case "encapsulation":
		x.c.Keyword("dot1Q")
		if x.neg {
			x.c.Skip()
			it.Encapsulation = 0
			return
		}
		it.Encapsulation = uint16(x.c.Uint(1, 4094))
		x.c.End()
		x.touch(path + ".encapsulation")
	case "description":
		if x.neg {
			x.c.Skip()
			it.Description = ""
			return
		}
		it.Description = x.c.Rest("LINE")
		x.touch(path + ".description")
	case "shutdown":
		x.c.End()
		it.Shutdown = !x.neg
	case "snmp":
		// `[no] snmp trap link-status`: linkUp/linkDown for this
		// interface, on by default as on IOS.
		x.c.Keyword("trap")
		x.c.Keyword("link-status")
		x.c.End()
		it.NoLinkTrap = x.neg
	case "ip":
		x.c.Keyword("flow")
		dir := x.c.Keyword("egress", "ingress", "monitor")
		if dir == "monitor" {
			x.interfaceFlowMonitor(it, 4)
			return
		}
		if dir == "ingress" && x.c.OptKeyword("input-filter") != "" {
			// `no ip flow ingress input-filter [ACL]` drops the filter
			// and keeps metering.
			if x.neg {
				x.c.Skip()
				it.InputFilter = ""
				return
			}
			it.InputFilter = x.aclRef()
			x.c.End()
			it.Ingress = true
			x.touch(path + ".input-filter")
			return
		}
		x.c.End()
		if dir == "ingress" {
			it.Ingress = !x.neg
			if x.neg {
				it.InputFilter = ""
			}
		} else {
			it.Egress = !x.neg
		}
	case "flow-sampler":
		if x.neg {
			x.c.Skip()
			it.Sampler = ""
			return
		}
		name := x.c.Name("WORD", config.CheckName32)
		x.touch(path + ".sampler")
		if x.c.OptKeyword("egress") != "" {
			x.c.Invalid(x.c.Last(), "flowtap samples ingress only")
		}
		it.Sampler = name
	case "mls":
		// `mls netflow sampling`: the global `mls sampling` applies here.
		if !config.IsCatalyst(x.p) {
			x.c.Invalid(x.c.Last(), "the "+x.p.Name+" persona has no mls commands")
			return
		}
		x.c.Keyword("netflow")
		x.c.Keyword("sampling")
		x.c.End()
		it.MLSSampling = !x.neg
		if !x.neg {
			x.touch(path + ".mls-sampling")
		}
	case "flowtap":
		x.interfaceExtension(it)
	case "service-policy":
		x.servicePolicy(it)
	case "ipv6":
		// flowtap's `ipv6 flow ingress input-filter NAME`: the IPv6
		// counterpart of `ip flow ingress input-filter`.
		x.c.Keyword("flow")
		if x.c.Keyword("ingress", "monitor") == "monitor" {
			x.interfaceFlowMonitor(it, 6)
			return
		}
		x.c.Keyword("input-filter")
		if x.neg {
			x.c.Skip()
			it.InputFilter6 = ""
			return
		}
		name := x.c.Name("WORD", config.CheckName32)
		x.c.End()
		if x.c.Err != nil {
			return
		}
		x.touch(path + ".input-filter6")
		it.InputFilter6 = name
	}
}

func (x *cmd) interfaceExtension(it *config.Interface) {
	switch x.c.Keyword("verdict", "xdp-mode") {
	case "verdict":
		if x.neg {
			x.c.Skip()
			it.Verdict = platform.Passive
			return
		}
		if x.c.Keyword("inline", "passive") == "inline" {
			it.Verdict = platform.Inline
		} else {
			it.Verdict = platform.Passive
		}
	case "xdp-mode":
		if x.neg {
			x.c.Skip()
			it.XDPMode = config.XDPBest
			return
		}
		m, _ := config.ParseXDPMode(x.c.Keyword("best", "generic", "native", "offload"))
		it.XDPMode = m
	}
	x.c.End()
}

func (x *cmd) samplerMode() {
	if _, ok := x.subMode("mode"); !ok {
		return
	}
	i := slices.IndexFunc(x.cfg.Samplers, func(m config.SamplerMap) bool { return m.Name == x.mode.key })
	if i < 0 {
		x.gone("flow-sampler-map")
		return
	}
	m := &x.cfg.Samplers[i]
	if x.neg {
		x.c.Skip()
		m.Rate = 0
		m.Deterministic = false
		return
	}
	m.Deterministic = x.c.Keyword("deterministic", "random") == "deterministic"
	x.c.Keyword("one-out-of")
	m.Rate = uint32(x.c.Num("<1-65535>", 1, 1<<32-1))
	x.touch("samplers[" + m.Name + "].rate")
	x.c.End()
}

func (x *cmd) aggregationMode() {
	k, ok := x.subMode("cache", "enabled", "export", "mask")
	if !ok {
		return
	}
	scheme, _ := platform.ParseScheme(x.mode.key)
	i := slices.IndexFunc(x.cfg.Aggregations, func(a config.Aggregation) bool { return a.Scheme == scheme })
	if i < 0 {
		x.gone("ip flow-aggregation cache")
		return
	}
	a := &x.cfg.Aggregations[i]
	path := "aggregations[" + a.Scheme.String() + "]"
	switch k {
	case "enabled":
		x.c.End()
		a.Enabled = !x.neg
	case "cache":
		x.aggCache(a, path)
	case "export":
		x.aggExport(a, path)
	case "mask":
		dir := x.c.Keyword("destination", "source")
		if x.neg {
			x.c.Skip()
			if dir == "source" {
				a.SourceMask = 0
			} else {
				a.DestinationMask = 0
			}
			return
		}
		x.c.Keyword("minimum")
		n := int(x.c.Uint(1, 32))
		x.c.End()
		if dir == "source" {
			a.SourceMask = n
			x.touch(path + ".source-mask")
		} else {
			a.DestinationMask = n
			x.touch(path + ".destination-mask")
		}
	}
}

func (x *cmd) aggCache(a *config.Aggregation, path string) {
	k := x.c.Keyword("entries", "timeout")
	which := ""
	if k == "timeout" {
		which = x.c.Keyword("active", "inactive")
	}
	if x.neg {
		x.c.Skip()
		switch {
		case k == "entries":
			a.Entries = 0
		case which == "active":
			a.Active = 0
		case which == "inactive":
			a.Inactive = 0
		}
		return
	}
	lim := platform.Aggregation()
	switch {
	case k == "entries":
		a.Entries = int(x.c.Uint(uint64(lim.Entries.Min), uint64(lim.Entries.Max)))
		x.touch(path + ".entries")
	case which == "active":
		a.Active = lim.Active.Duration(int64(x.c.Uint(uint64(lim.Active.Min), uint64(lim.Active.Max))))
		x.touch(path + ".active")
	case which == "inactive":
		a.Inactive = lim.Inactive.Duration(int64(x.c.Uint(uint64(lim.Inactive.Min), uint64(lim.Inactive.Max))))
		x.touch(path + ".inactive")
	}
	x.c.End()
}

func (x *cmd) aggExport(a *config.Aggregation, path string) {
	switch x.c.Keyword("destination", "version") {
	case "version":
		if x.neg {
			x.c.Skip()
			a.Version = 0
			return
		}
		v := x.c.Keyword("8", "9")
		x.c.End()
		a.Version = map[string]platform.ExportVersion{"8": platform.V8, "9": platform.V9}[v]
		x.touch(path + ".version")
	case "destination":
		addr := x.c.Host(false, x.cfg.Names, x.offline, x.res)
		port := x.c.Uint(1, 65535)
		x.c.End()
		if x.c.Err != nil {
			return
		}
		ap := netip.AddrPortFrom(addr.Unmap(), uint16(port))
		x.touch(path + ".destinations")
		j := slices.Index(a.Destinations, ap)
		switch {
		case x.neg && j >= 0:
			a.Destinations = slices.Delete(a.Destinations, j, j+1)
		case !x.neg && j < 0:
			a.Destinations = append(a.Destinations, ap)
		}
	}
}

func (x *cmd) topTalkersMode() {
	k, ok := x.subMode("cache-timeout", "match", "sort-by", "top")
	if !ok {
		return
	}
	t := &x.cfg.TopTalkers
	if x.neg && k != "match" {
		x.c.Skip()
		switch k {
		case "top":
			t.Top = 0
		case "sort-by":
			t.SortBy = 0
		case "cache-timeout":
			t.CacheTimeout = 0
		}
		return
	}
	switch k {
	case "top":
		t.Top = int(x.c.Uint(1, platform.MaxTopTalkers))
	case "sort-by":
		if x.c.Keyword("bytes", "packets") == "bytes" {
			t.SortBy = platform.SortByBytes
		} else {
			t.SortBy = platform.SortByPackets
		}
	case "cache-timeout":
		t.CacheTimeout = time.Duration(x.c.Uint(1, 3600000)) * time.Millisecond
	case "match":
		x.topTalkersMatch(&t.Match)
		return
	}
	x.c.End()
}

var unsupportedMatches = []string{"class-map", "direction", "flow-sampler"}

func (x *cmd) topTalkersMatch(m *config.TopTalkersMatch) {
	k := x.c.Keyword(append([]string{"byte-range", "destination", "input-interface", "nexthop-address", "output-interface",
		"packet-range", "protocol", "source", "tos"}, unsupportedMatches...)...)
	if slices.Contains(unsupportedMatches, k) {
		x.c.Invalid(x.c.Last(), "flowtap matches addresses, AS numbers, ports, protocol, ToS, interfaces, next hop and byte or packet ranges")
		return
	}
	switch k {
	case "tos":
		if x.neg {
			x.c.Skip()
			m.ToS = config.TopToS{}
			return
		}
		t := config.TopToS{Kind: config.TopToSByte}
		switch x.c.TryKeyword("dscp", "precedence") {
		case "dscp":
			t = config.TopToS{Kind: config.TopToSDSCP, Value: uint8(x.c.Uint(0, 63))}
		case "precedence":
			t = config.TopToS{Kind: config.TopToSPrecedence, Value: uint8(x.c.Uint(0, 7))}
		default:
			t.Value = uint8(x.c.Uint(0, 255))
		}
		x.c.End()
		if x.c.Err == nil {
			m.ToS = t
		}
	case "input-interface", "output-interface":
		ifn := &m.InputIf
		if k == "output-interface" {
			ifn = &m.OutputIf
		}
		if x.neg {
			x.c.Skip()
			*ifn = ""
			return
		}
		n := x.c.Name("WORD", config.CheckIfName)
		x.c.End()
		if x.c.Err == nil {
			*ifn = n
		}
	case "nexthop-address":
		if x.neg {
			x.c.Skip()
			m.NextHop = netip.Prefix{}
			return
		}
		x.matchAddress(&m.NextHop)
	case "protocol":
		if x.neg {
			x.c.Skip()
			m.ProtocolSet, m.Protocol = false, 0
			return
		}
		switch x.c.TryKeyword("tcp", "udp") {
		case "tcp":
			m.Protocol = 6
		case "udp":
			m.Protocol = 17
		default:
			m.Protocol = uint8(x.c.Uint(0, 255))
		}
		m.ProtocolSet = true
		x.c.End()
	case "source", "destination":
		pfx, as, port := &m.Src, &m.SrcAS, &m.SrcPort
		if k == "destination" {
			pfx, as, port = &m.Dst, &m.DstAS, &m.DstPort
		}
		x.matchEnd(pfx, as, port)
	case "byte-range":
		x.matchRange(&m.Bytes)
	case "packet-range":
		x.matchRange(&m.Packets)
	}
}

func (x *cmd) matchEnd(pfx *netip.Prefix, as *uint32, port *config.TopPorts) {
	k := x.c.Keyword("address", "as", "port")
	if x.neg {
		x.c.Skip()
		switch k {
		case "address":
			*pfx = netip.Prefix{}
		case "as":
			*as = 0
		default:
			*port = config.TopPorts{}
		}
		return
	}
	switch k {
	case "as":
		n := uint32(x.c.Uint(1, 1<<32-1))
		x.c.End()
		if x.c.Err == nil {
			*as = n
		}
		return
	case "address":
		x.matchAddress(pfx)
		return
	}
	p := *port
	if !p.Set {
		p = config.TopPorts{Set: true, Min: 0, Max: 65535}
	}
	switch x.c.TryKeyword("max", "min") {
	case "min":
		p.Min = uint16(x.c.Uint(0, 65535))
	case "max":
		p.Max = uint16(x.c.Uint(0, 65535))
	default:
		n := uint16(x.c.Uint(0, 65535))
		p.Min, p.Max = n, n
	}
	x.c.End()
	if x.c.Err == nil && p.Min > p.Max {
		x.c.Invalid(x.c.Last(), "min above max")
	}
	*port = p
}

// matchAddress reads `A mask M`, the mask dotted and contiguous.
func (x *cmd) matchAddress(pfx *netip.Prefix) {
	a := x.c.Addr(true)
	x.c.Keyword("mask")
	mask := x.c.Addr(true)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	bits, ok := maskBits(mask)
	if !ok {
		x.c.Invalid(x.c.Last(), "not a contiguous mask")
		return
	}
	*pfx = netip.PrefixFrom(a, bits).Masked()
}

func (x *cmd) matchRange(r *config.TopCounts) {
	if x.neg {
		x.c.Skip()
		*r = config.TopCounts{}
		return
	}
	const hi = 1<<32 - 1
	v := *r
	switch x.c.TryKeyword("max", "min") {
	case "min":
		v.Min = x.c.Uint(1, hi)
	case "max":
		v.Max = x.c.Uint(1, hi)
	default:
		v.Min = x.c.Uint(1, hi)
		v.Max = x.c.Uint(1, hi)
	}
	x.c.End()
	if x.c.Err == nil && v.Max != 0 && v.Min > v.Max {
		x.c.Invalid(x.c.Last(), "min above max")
	}
	*r = v
}

// maskBits turns a dotted mask into a prefix length.
func maskBits(m netip.Addr) (int, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for v&0x80000000 != 0 {
		v <<= 1
		n++
	}
	return n, v == 0
}

func (x *cmd) vtyMode() {
	if x.refuseForeign(foreignLine) || x.takeQuietly(quietLine) {
		return
	}
	k, ok := x.subMode("access-class", "exec-timeout", "login", "password", "privilege", "transport")
	if !ok {
		return
	}
	// Each line has its own settings, as on IOS: the command applies to
	// every line of the range the mode was entered with, and changes
	// only what it names there (lines configured as 0-4 and 5-15 keep
	// their other differences when `line vty 0 15` sets an
	// access-class). The handlers work on x.cfg.VTY's own (line 0)
	// settings, so the command runs once for each run of alike lines in
	// the range, given that run's settings, from the same word.
	var first, last int
	fmt.Sscan(x.mode.key, &first, &last)
	saved, result := x.cfg.VTY, x.cfg.VTY
	pos := x.c.Pos
	for _, g := range saved.Groups() {
		if g.Last < first || g.First > last {
			continue
		}
		x.c.Pos = pos
		x.cfg.VTY = config.VTY{Last: saved.Last, VTYLine: g.VTYLine}
		x.vtyCommand(k)
		if x.c.Err != nil {
			break
		}
		after := x.cfg.VTY.VTYLine
		from, to := max(g.First, first), min(g.Last, last)
		result.Configure(from, to, func(l *config.VTYLine) { *l = after })
		if k == "login" && !x.neg && after.Login == config.VTYLoginLine && !after.Password.IsSet() {
			// vty N is line N+1: the console is line 0.
			for n := from; n <= to; n++ {
				x.loginDisabled(n + 1)
			}
		}
	}
	x.cfg.VTY = result
	if x.c.Err != nil {
		x.cfg.VTY = saved
	}
}

// vtyCommand carries out a `line vty` command on x.cfg.VTY's own
// settings (see vtyMode).
func (x *cmd) vtyCommand(k string) {
	switch k {
	case "exec-timeout":
		x.execTimeout()
	case "login":
		x.vtyLogin()
	case "password":
		if x.neg {
			x.c.Skip()
			x.cfg.VTY.Password = config.LinePassword{}
			return
		}
		if p := x.linePassword(); x.c.Err == nil {
			x.cfg.VTY.Password = p
			x.touch("vty.password")
		}
	case "privilege":
		x.c.Keyword("level")
		if x.neg {
			x.c.Skip()
			x.cfg.VTY.Privilege = 0
			return
		}
		n := int(x.c.Uint(1, 15))
		x.c.End()
		if x.c.Err == nil {
			x.cfg.VTY.Privilege = n
			x.touch("vty.privilege")
		}
	case "transport":
		x.vtyTransport()
	case "access-class":
		if x.neg {
			x.c.Skip()
			x.cfg.VTY.AccessClass = ""
			return
		}
		ref := x.aclRef()
		if x.c.Keyword("in", "out") == "out" {
			x.c.Invalid(x.c.Last(), "outgoing connections are not restricted")
		}
		x.c.End()
		x.cfg.VTY.AccessClass = ref
		x.touch("vty.access-class")
	}
}

// vtyLogin is `login local` (local users: flowtap's way in, shown as
// typed) and `login` (the line's password, any user name; without a
// password IOS refuses every login, "Password required, but none set",
// and so does flowtap's SSH). `no login` would let anyone in without a
// password, as IOS does; flowtap refuses the line rather than open the
// box. `login authentication LIST` needs AAA method lists, which flowtap
// has not.
func (x *cmd) vtyLogin() {
	if x.neg && x.c.OptKeyword("local") != "" {
		// `no login local`: back to the default, which logs in local
		// users as login local does, so the line goes and the vty
		// stays authenticated.
		x.c.End()
		if x.c.Err == nil {
			x.cfg.VTY.Login = config.VTYLoginDefault
			x.touch("vty.login")
		}
		return
	}
	if x.neg {
		x.c.End()
		if x.c.Err == nil {
			x.c.Refuse("no login would let anyone in without a password; flowtap's vty logins are always authenticated (login local)")
		}
		return
	}
	switch x.c.Optional("authentication", "local") {
	case "authentication":
		x.c.Refuse("login authentication needs AAA method lists, which flowtap does not have; use login local")
		return
	case "local":
		x.c.End()
		if x.c.Err == nil {
			x.cfg.VTY.Login = config.VTYLoginLocal
			x.touch("vty.login")
		}
		return
	}
	if x.c.Err == nil {
		x.cfg.VTY.Login = config.VTYLoginLine
		x.touch("vty.login")
	}
}

// loginDisabled is IOS's notice when `login` is given to a line that has
// no password yet: the line is taken, and no login on it can succeed
// until `password` is set (the console asks nothing; a vty refuses).
func (x *cmd) loginDisabled(line int) {
	x.notes = append(x.notes, fmt.Sprintf("%% Login disabled on line %d, until 'password' is set", line))
}

// vtyTransport is `transport input ...` and `transport output ...`.
// flowtap takes logins over SSH only: `transport input none` refuses
// them, a list that names ssh (all, telnet ssh) keeps SSH, and telnet
// alone is refused: it would leave no way in, and flowtap has no telnet
// server to offer. A vty session opens no outgoing connections, so
// `transport output none` is the only output form.
func (x *cmd) vtyTransport() {
	if x.c.Keyword("input", "output") == "output" {
		if x.neg {
			x.c.Skip()
			x.cfg.VTY.TransportOutputNone = false
			return
		}
		w := x.c.Keyword("all", "none", "ssh", "telnet")
		if w != "none" && x.c.Err == nil {
			x.c.Refuse("transport output %s: flowtap has no client to open outgoing connections from a vty; only transport output none applies", w)
			return
		}
		x.c.End()
		if x.c.Err == nil {
			x.cfg.VTY.TransportOutputNone = true
			x.touch("vty.transport-output")
		}
		return
	}
	if x.neg {
		x.c.Skip()
		x.cfg.VTY.TransportInput = ""
		return
	}
	var ssh, telnet bool
	switch x.c.Keyword("all", "none", "ssh", "telnet") {
	case "all":
		x.c.End()
		x.setTransportInput("all")
		return
	case "none":
		x.c.End()
		x.setTransportInput("none")
		return
	case "ssh":
		ssh = true
	case "telnet":
		telnet = true
	}
	// `?` after a protocol lists the others before <cr>.
	x.c.Offer("ssh", "telnet")
	for x.c.More() {
		switch x.c.Keyword("ssh", "telnet") {
		case "ssh":
			ssh = true
		case "telnet":
			telnet = true
		}
	}
	switch {
	case x.c.Err != nil:
	case !ssh:
		x.c.Refuse("telnet is not offered: flowtap takes vty logins over SSH only (transport input ssh)")
	case telnet:
		x.setTransportInput("telnet ssh")
	default:
		x.setTransportInput("ssh")
	}
}

func (x *cmd) setTransportInput(v string) {
	if x.c.Err == nil {
		x.cfg.VTY.TransportInput = v
		x.touch("vty.transport-input")
	}
}

// execTimeout is `exec-timeout MIN [SEC]` under `line vty`: 0 0 never
// closes an idle session; `no exec-timeout` is the default, 10 minutes.
func (x *cmd) execTimeout() {
	if x.neg {
		x.c.Skip()
		x.cfg.VTY.ExecTimeout = 0
		return
	}
	d := time.Duration(x.c.Uint(0, 35791)) * time.Minute
	x.touch("vty.exec-timeout")
	// `?` after the minutes lists the seconds before <cr>.
	x.c.Offer("<0-2147483>")
	if x.c.More() {
		d += time.Duration(x.c.Uint(0, 2147483)) * time.Second
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if d == 0 {
		d = config.NoExecTimeout
	}
	x.cfg.VTY.ExecTimeout = d
}

// consoleMode is `line con 0`: `login local` (local users), `login`
// (the line's password), `no login`, `password ...` and `privilege
// level N`.
func (x *cmd) consoleMode() {
	// The console has no reverse telnet: its transport lines mean nothing.
	if x.refuseForeign(foreignLine) || x.takeQuietly(append(slices.Clone(quietLine), "transport input", "transport preferred")) {
		return
	}
	k, ok := x.subMode("exec-timeout", "login", "password", "privilege")
	if !ok {
		return
	}
	con := &x.cfg.Console
	switch k {
	case "exec-timeout":
		// `exec-timeout 0 [0]` says what flowtap's console does: it
		// never times out.
		if !x.neg && x.c.More() && x.c.Words[x.c.Pos].Text == "0" && (x.c.Pos+1 == len(x.c.Words) || x.c.Words[x.c.Pos+1].Text == "0") && x.c.Pos+2 >= len(x.c.Words) {
			x.c.Skip()
			return
		}
		// Without this the line would be a bare marker: say why.
		x.c.Refuse("the console session does not time out in flowtap; exec-timeout applies to line vty")
	case "password":
		if x.neg {
			x.c.Skip()
			con.Password = config.LinePassword{}
			return
		}
		if p := x.linePassword(); x.c.Err == nil {
			con.Password = p
			x.touch("console.password")
		}
	case "privilege":
		x.c.Keyword("level")
		if x.neg {
			x.c.Skip()
			con.Privilege = 0
			return
		}
		n := int(x.c.Uint(0, 15))
		x.c.End()
		if x.c.Err == nil {
			con.Privilege = n
			x.touch("console.privilege")
		}
	case "login":
		if x.neg {
			x.c.Skip()
			con.LoginLocal, con.LoginLine = false, false
			return
		}
		if x.c.More() && strings.HasPrefix("authentication", strings.ToLower(x.c.Words[x.c.Pos].Text)) {
			x.c.Refuse("login authentication needs AAA method lists, which flowtap does not have; use login local")
			return
		}
		local := x.c.Optional("local") != ""
		x.c.End()
		if x.c.Err == nil {
			con.LoginLocal, con.LoginLine = local, !local
			x.touch("console.login")
			if !local && !con.Password.IsSet() {
				x.loginDisabled(0)
			}
		}
	}
}

// linePassword reads a line's `password`: `[0] CLEARTEXT` or `7 HEX`, as
// IOS takes it, kept as IOS keeps it (config.LinePassword: shown in clear,
// or as type 7 with `service password-encryption`). `5|8|9 HASH` is the
// form flowtap showed when it kept line passwords hashed: a startup-config
// it wrote then still loads, and the hash still logs in.
func (x *cmd) linePassword() config.LinePassword {
	switch x.c.TryKeyword("0", "5", "7", "8", "9") {
	case "5", "8", "9":
		x.c.Pos--
		return config.LinePassword{Hash: x.secret()}
	case "7":
		return x.linePassword7()
	case "0":
	}
	return x.clearLinePassword()
}

// reversible reads `[0] CLEARTEXT` or `7 HEX`, the forms IOS keeps
// reversibly (enable password).
func (x *cmd) reversible() config.LinePassword {
	if x.c.TryKeyword("0", "7") == "7" {
		return x.linePassword7()
	}
	return x.clearLinePassword()
}

// linePassword7 reads the HEX of `password 7 HEX`.
func (x *cmd) linePassword7() config.LinePassword {
	var p config.LinePassword
	x.c.Name("HEX", func(s string) error {
		var err error
		p, err = config.ParseLinePassword7(s)
		return err
	})
	x.c.End()
	return p
}

// clearLinePassword reads a clear-text password, the rest of the line.
func (x *cmd) clearLinePassword() config.LinePassword {
	if x.c.Err != nil {
		return config.LinePassword{}
	}
	plain := x.c.Rest("LINE")
	if x.c.Err != nil {
		return config.LinePassword{}
	}
	return config.ClearLinePassword(plain, x.cfg.PasswordEncryption)
}
