package cfgfile

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

// gen builds random valid configurations for the property tests.
type gen struct {
	r *rand.Rand
	p platform.Persona
}

// Hashes and keys are expensive or fiddly to make at random; these are
// valid ones (the type 8 hashes are of "cisco").
var (
	testHashes = []config.Secret{
		{Hash: "$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQFs"},
		{Hash: "$8$mTj4RZG8N9ZDOk$elY/asfm8kD3iDmkBe3hD2r4xcA/0oWS5V3os.O91u."},
	}
	testKeys = []config.SSHKey{
		{Type: "ssh-ed25519", Blob: "AAAAC3NzaC1lZDI1NTE5AAAAIPZBDwahyKRjlVXeB5PkjoEtqkwnNfaC81g8nGIn6/LC"},
		{Type: "ssh-ed25519", Blob: "AAAAC3NzaC1lZDI1NTE5AAAAIDJSr25RtJnDTF+XW2XuoW9TxT6HR2kVzQ56o5Vbbgsb"},
	}
)

func (g *gen) maybe() bool { return g.r.IntN(2) == 0 }

func (g *gen) between(lo, hi int64) int64 { return lo + g.r.Int64N(hi-lo+1) }

// limit picks a value the persona accepts without rounding it.
func (g *gen) limit(l platform.Limit) int64 {
	if len(l.Allowed) > 0 {
		return l.Allowed[g.r.IntN(len(l.Allowed))]
	}
	v := g.between(l.Min, l.Max)
	if r := max(l.RoundTo, l.RoundUpTo); r > 0 {
		v = max(v/r*r, (l.Min+r-1)/r*r)
	}
	return v
}

func (g *gen) pick(words ...string) string { return words[g.r.IntN(len(words))] }

func (g *gen) name(prefix string) string { return fmt.Sprintf("%s%d", prefix, g.r.IntN(1000)) }

// text makes free text with the characters that need quoting in JunOS.
func (g *gen) text() string {
	parts := []string{"tap", "A", "uplink;", "{x}", "#7", "(side)", "Rack", "4,", "row-B", "a  b"}
	n := 1 + g.r.IntN(4)
	s := ""
	for i := range n {
		if i > 0 {
			s += " "
		}
		s += parts[g.r.IntN(len(parts))]
	}
	return s
}

func (g *gen) addr(v4 bool) netip.Addr {
	if v4 || g.maybe() {
		return netip.AddrFrom4([4]byte{192, 0, 2, byte(1 + g.r.IntN(254))})
	}
	var b [16]byte
	b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
	b[15] = byte(1 + g.r.IntN(254))
	return netip.AddrFrom16(b)
}

func (g *gen) addrs(max int) []netip.Addr {
	var out []netip.Addr
	for range g.r.IntN(max + 1) {
		if a := g.addr(false); !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func (g *gen) version() platform.ExportVersion { return g.p.Export[g.r.IntN(len(g.p.Export))] }

// randomConfig is a random configuration of persona; it is normalized, so
// that the round trips can compare it as it is.
func randomConfig(t testing.TB, r *rand.Rand, persona string) config.Config {
	t.Helper()
	p, err := platform.Lookup(persona)
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{r: r, p: p}
	c := config.Config{Platform: persona}
	if g.maybe() {
		c.Hostname = g.pick("edge", "probe-1", "R2", "cat6k-a")
	}
	g.cache(&c)
	g.flow(&c)
	g.management(&c)
	n, err := config.Normalize(c)
	if err != nil {
		t.Fatalf("generated an invalid configuration: %v\n%s", err, ios.Render(c))
	}
	return n
}

func (g *gen) cache(c *config.Config) {
	p := &g.p
	k := &c.Cache
	if p.Table.Entries.Configurable() && g.maybe() {
		k.Entries = int(g.limit(p.Table.Entries))
	}
	if config.IsCatalyst(p) && g.maybe() {
		k.Mask = p.Masks[g.r.IntN(len(p.Masks))]
	}
	if g.maybe() {
		k.Inactive = p.Aging.Inactive.Duration(g.limit(p.Aging.Inactive))
	}
	if p.Aging.Active.Configurable() && g.maybe() {
		k.Active = p.Aging.Active.Duration(g.limit(p.Aging.Active))
	}
	if p.Aging.FastTime.Configurable() && g.maybe() {
		k.FastTime = p.Aging.FastTime.Duration(g.limit(p.Aging.FastTime))
		if g.maybe() {
			k.FastThreshold = uint64(g.limit(p.Aging.FastThreshold))
		}
	}
	if g.maybe() {
		c.Export.Version = g.version()
	}
	for _, spec := range p.Sampling {
		if spec.Mode == platform.SamplingRandom || !g.maybe() {
			continue
		}
		s := platform.Sampling{Mode: spec.Mode, Rate: uint32(g.limit(spec.Rate))}
		if spec.Interval.Configurable() && g.maybe() {
			s.Interval = spec.Interval.Duration(g.limit(spec.Interval))
		}
		if spec.RunLength.Configurable() {
			s.RunLength = uint32(g.limit(spec.RunLength))
		}
		if spec.MaxPPS.Configurable() && g.maybe() {
			s.MaxPacketsPerSecond = uint32(g.between(1, spec.MaxPPS.Max))
		}
		if spec.Masks != nil {
			k.Mask = spec.Masks[g.r.IntN(len(spec.Masks))]
		}
		c.Sampling = s
	}
	c.NDE = config.IsCatalyst(p) && g.maybe()
}

func (g *gen) flow(c *config.Config) {
	if g.p.Supports(platform.SamplingRandom) {
		for range g.r.IntN(3) {
			name := g.name("S")
			if !slices.ContainsFunc(c.Samplers, func(m config.SamplerMap) bool { return m.Name == name }) {
				c.Samplers = append(c.Samplers, config.SamplerMap{Name: name, Rate: uint32(g.between(0, 65535))})
			}
		}
	}
	for i := range g.r.IntN(5) {
		it := config.Interface{Name: fmt.Sprintf("eth%d", i+g.r.IntN(3)*10), Ingress: g.maybe(), Egress: g.maybe(), Shutdown: g.maybe()}
		if slices.ContainsFunc(c.Interfaces, func(o config.Interface) bool { return o.Name == it.Name }) {
			continue
		}
		if g.maybe() {
			it.Description = g.text()
		}
		if j := g.r.IntN(len(c.Samplers) + 1); j < len(c.Samplers) && c.Samplers[j].Rate != 0 {
			it.Sampler = c.Samplers[j].Name
		}
		it.Verdict = platform.Verdict(g.r.IntN(2))
		it.XDPMode = config.XDPMode(g.r.IntN(4))
		c.Interfaces = append(c.Interfaces, it)
	}
	e := &c.Export
	e.AS = platform.ASMode(g.r.IntN(3))
	v := e.Version
	if v == 0 {
		v = g.p.DefaultExport
	}
	e.BGPNextHop = (v == platform.V9 || v == platform.IPFIX) && g.maybe()
	if g.maybe() {
		e.Source = g.pick("eth0", "lo", "mgmt0")
	}
	if g.maybe() {
		e.TemplateRefresh = int(g.between(1, 600))
	}
	if g.maybe() {
		e.TemplateTimeout = time.Duration(g.between(1, 3600)) * time.Minute
	}
	e.InterfaceNames = g.maybe()
	for range g.r.IntN(4) {
		d := config.Destination{Addr: netip.AddrPortFrom(g.addr(false), uint16(g.between(1, 65535)))}
		if g.maybe() {
			d.Version = g.version()
		}
		if g.maybe() {
			d.SourceAddress = g.addr(d.Addr.Addr().Is4())
			if d.SourceAddress.Is4() != d.Addr.Addr().Is4() {
				d.SourceAddress = netip.Addr{}
			}
		}
		if g.maybe() {
			d.Truncate = int(g.between(1, 31))
		}
		if g.maybe() {
			d.CryptoPAn = fmt.Sprintf("k%x", g.r.Uint64())
		}
		if !slices.ContainsFunc(e.Destinations, func(o config.Destination) bool { return o.Addr == d.Addr }) {
			e.Destinations = append(e.Destinations, d)
		}
	}
	g.aggregations(c)
	g.topTalkers(c)
	c.Capture = config.Capture(g.r.IntN(8))
	if g.maybe() {
		c.PrefixAS.File = "/etc/flowtap/routes-" + g.name("v") + ".txt"
	}
	c.PrefixAS.Mode = platform.ASMode(g.r.IntN(3))
	// bgp-nexthop takes its next hops from the prefix-as-file.
	c.Export.BGPNextHop = c.Export.BGPNextHop && c.PrefixAS.File != ""
}

func (g *gen) aggregations(c *config.Config) {
	schemes := ios.AggSchemeKeywords()
	for range g.r.IntN(3) {
		s, _ := platform.ParseScheme(g.pick(schemes...))
		if slices.ContainsFunc(c.Aggregations, func(a config.Aggregation) bool { return a.Scheme == s }) {
			continue
		}
		a := config.Aggregation{Scheme: s, Enabled: g.maybe()}
		if g.maybe() {
			a.Entries = int(g.between(1024, 524288))
		}
		if g.maybe() {
			a.Active = time.Duration(g.between(1, 60)) * time.Minute
		}
		if g.maybe() {
			a.Inactive = time.Duration(g.between(10, 600)) * time.Second
		}
		if g.maybe() {
			a.Version = platform.V9
		}
		for range g.r.IntN(3) {
			d := netip.AddrPortFrom(g.addr(false), uint16(g.between(1, 65535)))
			if !slices.Contains(a.Destinations, d) {
				a.Destinations = append(a.Destinations, d)
			}
		}
		if s.UsesSourcePrefix() && g.maybe() {
			a.SourceMask = int(g.between(1, 32))
		}
		if s.UsesDestinationPrefix() && g.maybe() {
			a.DestinationMask = int(g.between(1, 32))
		}
		c.Aggregations = append(c.Aggregations, a)
	}
}

func (g *gen) topTalkers(c *config.Config) {
	if !g.maybe() {
		return
	}
	t := &c.TopTalkers
	t.Configured = true
	if g.maybe() {
		t.Top = int(g.between(1, 200))
	}
	t.SortBy = platform.SortBy([]uint8{0, 2, 3}[g.r.IntN(3)])
	if g.maybe() {
		t.CacheTimeout = time.Duration(g.between(1, 3600000)) * time.Millisecond
	}
	m := &t.Match
	if g.maybe() {
		m.ProtocolSet, m.Protocol = true, uint8(g.r.IntN(256))
	}
	if g.maybe() {
		m.Src = netip.PrefixFrom(g.addr(true), g.r.IntN(33)).Masked()
	}
	if g.maybe() {
		m.Dst = netip.PrefixFrom(g.addr(true), g.r.IntN(33)).Masked()
	}
	for _, pm := range []*config.TopPorts{&m.SrcPort, &m.DstPort} {
		if g.maybe() {
			lo := uint16(g.r.IntN(65536))
			*pm = config.TopPorts{Set: true, Min: lo, Max: lo + uint16(g.r.IntN(int(65536-uint32(lo))))}
		}
	}
	for _, cm := range []*config.TopCounts{&m.Bytes, &m.Packets} {
		switch g.r.IntN(4) {
		case 1:
			cm.Min = uint64(g.between(1, 1000))
		case 2:
			cm.Max = uint64(g.between(1, 1<<32-1))
		case 3:
			cm.Min = uint64(g.between(1, 1000))
			cm.Max = cm.Min + uint64(g.between(0, 1000))
		}
	}
	switch g.r.IntN(4) {
	case 1:
		m.ToS = config.TopToS{Kind: config.TopToSByte, Value: uint8(g.r.IntN(256))}
	case 2:
		m.ToS = config.TopToS{Kind: config.TopToSDSCP, Value: uint8(g.r.IntN(64))}
	case 3:
		m.ToS = config.TopToS{Kind: config.TopToSPrecedence, Value: uint8(g.r.IntN(8))}
	}
	if g.maybe() {
		m.InputIf = g.name("eth")
	}
	if g.maybe() {
		m.OutputIf = g.name("eth")
	}
	if g.maybe() {
		m.NextHop = netip.PrefixFrom(g.addr(true), g.r.IntN(33)).Masked()
	}
	if g.maybe() {
		m.SrcAS = uint32(g.between(1, 1<<32-1))
	}
	if g.maybe() {
		m.DstAS = uint32(g.between(1, 1<<32-1))
	}
}

func (g *gen) hexKey(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return hex.EncodeToString(b)
}

func (g *gen) management(c *config.Config) {
	s := &c.SNMP
	for range g.r.IntN(3) {
		cm := config.Community{Name: g.name("comm"), RW: g.maybe()}
		if g.maybe() {
			cm.View = g.name("view")
		}
		if g.maybe() {
			cm.ACL = strconv.Itoa(int(g.between(1, 99)))
		}
		if !slices.ContainsFunc(s.Communities, func(o config.Community) bool { return o.Name == cm.Name }) {
			s.Communities = append(s.Communities, cm)
		}
	}
	for range g.r.IntN(3) {
		v := config.SNMPView{Name: g.name("view")}
		for range 1 + g.r.IntN(3) {
			t := config.ViewSubtree{OID: g.pick("iso", "mib-2", "system", "1.3.6.1.4.1.9.9.387", "1.3.6.1.2.1.2.2.1.10", "enterprises.32473"), Excluded: g.maybe()}
			if !slices.ContainsFunc(v.Subtrees, func(o config.ViewSubtree) bool { return o.Key() == t.Key() }) {
				v.Subtrees = append(v.Subtrees, t)
			}
		}
		if !slices.ContainsFunc(s.Views, func(o config.SNMPView) bool { return o.Name == v.Name }) {
			s.Views = append(s.Views, v)
		}
	}
	for range g.r.IntN(3) {
		gr := config.SNMPGroup{Name: g.name("G"), Level: config.SecurityLevel(g.r.IntN(3))}
		if g.maybe() {
			gr.Read = g.name("view")
		}
		if g.maybe() {
			gr.Write = g.name("view")
		}
		if g.maybe() {
			gr.ACL = g.pick("10", "120", "MGMT")
		}
		if !slices.ContainsFunc(s.Groups, func(o config.SNMPGroup) bool { return o.Name == gr.Name }) {
			s.Groups = append(s.Groups, gr)
		}
	}
	for range g.r.IntN(3) {
		u := config.SNMPUser{Name: g.name("u"), Group: g.name("G")}
		if g.maybe() {
			u.Auth = config.AuthProtocol(1 + g.r.IntN(3))
			u.AuthKey = config.USMKey(g.hexKey(u.Auth.KeyHash().Size()))
			if g.maybe() {
				u.Priv, u.PrivKey = config.PrivProtocol(1+g.r.IntN(2)), config.USMKey(g.hexKey(16))
			}
			s.EngineID = "80007ed905a1b2c3d4e5f60718"
		}
		if g.maybe() {
			u.ACL = g.pick("11", "2000", "SNMP-IN")
		}
		if !slices.ContainsFunc(s.Users, func(o config.SNMPUser) bool { return o.Name == u.Name }) {
			s.Users = append(s.Users, u)
		}
	}
	for range g.r.IntN(3) {
		h := config.TrapHost{Addr: g.addr(false), Version: config.SNMPVersion(g.r.IntN(3)), Name: g.pick("public", "t", "ver", "informs", g.name("h"))}
		h.Informs = h.Version == config.SNMPv2c && g.maybe()
		if h.Version == config.SNMPv3 {
			h.Level = config.SecurityLevel(g.r.IntN(3))
		}
		if g.maybe() {
			h.Port = uint16(g.between(1, 65535))
		}
		if !slices.ContainsFunc(s.Hosts, func(o config.TrapHost) bool { return o.Key() == h.Key() }) {
			s.Hosts = append(s.Hosts, h)
		}
	}
	if g.maybe() {
		// An inform receiver with its engine ID and user, as IOS has it.
		h := config.TrapHost{Addr: g.addr(false), Informs: true, Version: config.SNMPv3, Level: config.LevelPriv, Name: g.name("r")}
		if g.maybe() {
			h.Port = uint16(g.between(1, 65535))
		}
		e := config.RemoteEngine{Addr: h.Addr, Port: h.Port, EngineID: "80001f8805" + g.hexKey(6)}
		u := config.SNMPUser{Name: h.Name, Group: g.name("G"), Remote: h.Addr, RemotePort: h.Port, Auth: config.AuthSHA256,
			AuthKey: config.USMKey(g.hexKey(32)), Priv: config.PrivAES128, PrivKey: config.USMKey(g.hexKey(16))}
		if !slices.ContainsFunc(s.Hosts, func(o config.TrapHost) bool { return o.Key() == h.Key() }) {
			s.Hosts, s.RemoteEngines, s.Users = append(s.Hosts, h), append(s.RemoteEngines, e), append(s.Users, u)
		}
	}
	if g.maybe() {
		s.Location = g.text()
	}
	if g.maybe() {
		s.Contact = g.text()
	}
	s.Traps = g.maybe()
	s.AuthTraps = !s.Traps && g.maybe()
	if g.maybe() {
		c.EnableSecret = testHashes[g.r.IntN(len(testHashes))]
	}
	if g.maybe() {
		c.EnablePassword = g.linePassword()
		c.EnablePassword.Hash = config.Secret{} // IOS has no hashed enable password
		if !c.EnablePassword.IsSet() {
			c.EnablePassword = config.ClearLinePassword("en"+g.name("pw"), false)
		}
	}
	c.PasswordEncryption = g.maybe()
	for range g.r.IntN(3) {
		u := config.User{Name: g.name("user"), Privilege: int(g.between(0, 15))}
		if g.maybe() {
			u.Secret = testHashes[g.r.IntN(len(testHashes))]
		}
		for _, k := range testKeys {
			if g.maybe() {
				u.Keys = append(u.Keys, k)
			}
		}
		if !slices.ContainsFunc(c.Users, func(o config.User) bool { return o.Name == u.Name }) {
			c.Users = append(c.Users, u)
		}
	}
	if g.maybe() {
		c.SSH = config.SSH{Port: int(g.between(1, 65535)), Timeout: time.Duration(g.between(1, 120)) * time.Second, AuthRetries: int(g.between(1, 5))}
	}
	for range g.r.IntN(4) {
		l := config.AccessList{Number: int(g.between(1, 99))}
		switch g.r.IntN(4) {
		case 0:
			l.Number = int(g.between(1300, 1999))
		case 1:
			l.Number, l.Extended = int(g.between(100, 199)), true
		case 2:
			l.Number, l.Name, l.Extended = 0, g.name("acl"), g.maybe()
		}
		if slices.ContainsFunc(c.AccessLists, func(o config.AccessList) bool { return o.Ref() == l.Ref() }) {
			continue
		}
		wild := func() (netip.Addr, netip.Addr) {
			a, w := g.addr(true), netip.AddrFrom4([4]byte{0, 0, byte(g.r.IntN(256)), 255})
			switch g.r.IntN(3) {
			case 0:
				w = config.AnyAddr
			case 1:
				a, w = config.AnyAddr, config.AnyWildcard
			}
			return a, w
		}
		seq := 0
		for range 1 + g.r.IntN(3) {
			seq += 10
			if l.Name != "" {
				seq += g.r.IntN(5)
			}
			if g.r.IntN(6) == 0 {
				l.Entries = append(l.Entries, config.ACE{Seq: seq, Remark: g.text()})
				continue
			}
			e := config.ACE{Seq: seq, Permit: g.maybe()}
			e.Addr, e.Wildcard = wild()
			if l.Extended {
				e.Protocol = []uint8{0, 1, 6, 17, 47}[g.r.IntN(5)]
				e.DstAddr, e.DstWild = wild()
				if e.Protocol == 6 || e.Protocol == 17 {
					e.SrcPort = config.PortMatch{Op: config.PortOp(g.r.IntN(5)), Lo: uint16(g.r.IntN(1024))}
					e.DstPort = config.PortMatch{Op: config.PortRange, Lo: 161, Hi: 162 + uint16(g.r.IntN(100))}
					if e.SrcPort.Op == config.PortAny {
						e.SrcPort.Lo = 0
					}
				}
			}
			l.Entries = append(l.Entries, e)
		}
		c.AccessLists = append(c.AccessLists, l)
	}
	if g.maybe() {
		c.VTY.AccessClass = strconv.Itoa(int(g.between(1, 99)))
	}
	if g.maybe() {
		c.VTY.Last = int(g.between(5, 15))
	}
	if g.maybe() {
		c.VTY.ExecTimeout = []time.Duration{config.NoExecTimeout, 30 * time.Second, 5 * time.Minute, 90*time.Minute + 15*time.Second}[g.r.IntN(4)]
	}
	for _, cmd := range []string{"show running-config", "configure terminal", "clear ip flow stats"} {
		if g.maybe() {
			c.ExecLevels = append(c.ExecLevels, config.ExecLevel{Command: cmd, Level: int(g.between(0, 15))})
		}
	}
	c.Console.LoginLocal = g.maybe()
	if !c.Console.LoginLocal && g.maybe() {
		// login with the line's password, at a level of the line's.
		c.Console.LoginLine = true
		c.Console.Password = g.linePassword()
		c.Console.Privilege = int(g.between(0, 15))
	}
	if g.maybe() {
		c.VTY.Login = config.VTYLoginLine
		c.VTY.Password = g.linePassword()
	}
	if c.PasswordEncryption {
		// Passwords set under service password-encryption read type 7.
		c.Console.Password = c.Console.Password.Encrypted()
		c.VTY.Password = c.VTY.Password.Encrypted()
		c.EnablePassword = c.EnablePassword.Encrypted()
	}
	if g.maybe() {
		c.LoginFailureLog = config.LoginLog{On: true, Every: []int{0, 2, 65535}[g.r.IntN(3)]}
	}
	if g.maybe() {
		c.LoginSuccessLog = config.LoginLog{On: true, Every: []int{0, 3, 65535}[g.r.IntN(3)]}
	}
	if g.maybe() {
		c.LoginBlock = config.LoginBlock{BlockFor: time.Duration(g.between(1, 65535)) * time.Second, Attempts: int(g.between(1, 65535)),
			Within: time.Duration(g.between(1, 65535)) * time.Second}
	}
	c.Logging.Hosts = g.addrs(2)
	if g.maybe() {
		c.Logging.Buffered = int(g.between(config.MinLoggingBuffer, 1<<20))
	}
	c.NTP.Servers = g.addrs(3)
}

// randomJunOSConfig draws only what JunOS can express, so that the JunOS
// renderings round-trip it exactly.
func randomJunOSConfig(t testing.TB, r *rand.Rand, persona string) config.Config {
	t.Helper()
	p, err := platform.Lookup(persona)
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{r: r, p: p}
	c := config.Config{Platform: persona}
	if g.maybe() {
		c.Hostname = g.pick("jflow", "mx-1")
	}
	for i := range g.r.IntN(4) {
		it := config.Interface{Name: fmt.Sprintf("eth%d", i), Ingress: g.maybe(), Egress: g.maybe(), Shutdown: g.maybe()}
		if g.maybe() {
			it.Description = g.text()
		}
		c.Interfaces = append(c.Interfaces, it)
	}
	for range g.r.IntN(3) {
		cm := config.Community{Name: g.name("c"), RW: g.maybe()}
		if !slices.ContainsFunc(c.SNMP.Communities, func(o config.Community) bool { return o.Name == cm.Name }) {
			c.SNMP.Communities = append(c.SNMP.Communities, cm)
		}
	}
	if g.maybe() {
		c.SNMP.Location = g.text()
	}
	if g.maybe() {
		c.SNMP.Contact = g.text()
	}
	if g.maybe() {
		c.Cache.Inactive = p.Aging.Inactive.Duration(g.limit(p.Aging.Inactive))
	}
	if p.Aging.Active.Configurable() && g.maybe() {
		c.Cache.Active = p.Aging.Active.Duration(g.limit(p.Aging.Active))
	}
	if p.Supports(platform.SamplingJuniper) && g.maybe() {
		spec := p.Sampling[0]
		c.Sampling = platform.Sampling{Mode: platform.SamplingJuniper, Rate: uint32(g.limit(spec.Rate)),
			RunLength: uint32(g.limit(spec.RunLength))}
		if g.maybe() {
			c.Sampling.MaxPacketsPerSecond = uint32(g.between(1, 65535))
		}
	}
	for range g.r.IntN(4) {
		a := g.addr(false)
		if n := len(c.Export.Destinations); n > 0 && g.maybe() {
			a = c.Export.Destinations[g.r.IntN(n)].Addr.Addr() // another port of a collector host
		}
		d := config.Destination{Addr: netip.AddrPortFrom(a, uint16(g.between(1, 65535)))}
		if g.maybe() {
			d.Version = g.version()
		}
		if g.maybe() && d.Addr.Addr().Is4() {
			d.SourceAddress = g.addr(true)
		}
		// JunOS says autonomous-system-type per flow-server.
		d.AS = platform.ASMode(g.r.IntN(3))
		if !slices.ContainsFunc(c.Export.Destinations, func(o config.Destination) bool { return o.Addr == d.Addr }) {
			c.Export.Destinations = append(c.Export.Destinations, d)
		}
	}
	n, err := config.Normalize(c)
	if err != nil {
		t.Fatalf("generated an invalid configuration: %v\n%s", err, junos.RenderSet(c))
	}
	return n
}

// linePassword is a line password in each form a configuration holds it:
// clear, type 7 (as pasted, or encrypted by service
// password-encryption) or an older flowtap's hash.
func (g *gen) linePassword() config.LinePassword {
	switch g.r.IntN(4) {
	case 0:
		return config.ClearLinePassword(g.name("pw"), false)
	case 1:
		return config.ClearLinePassword(g.name("pw"), true)
	case 2:
		p, err := config.ParseLinePassword7("0822455D0A16")
		if err != nil {
			panic(err)
		}
		return p
	}
	return config.LinePassword{Hash: testHashes[g.r.IntN(len(testHashes))]}
}
