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

// RunningConfig is `show running-config`: the header IOS prints, then
// Render. Both parse back.
func RunningConfig(c config.Config) string {
	body := Render(c)
	return fmt.Sprintf("Building configuration...\n\nCurrent configuration : %d bytes\n%s", len(body), body)
}

// Render writes the configuration in IOS order and indentation, with
// `!` between sections and defaults left out, ending with `end`. It is
// what Save writes.
func Render(c config.Config) string {
	r := &iosWriter{}
	r.section()
	// IOS's order: debug, then log.
	renderTimestamps(r, "debug", c.DebugTimestamps)
	renderTimestamps(r, "log", c.LogTimestamps)
	if c.PasswordEncryption {
		r.line("service password-encryption")
	}
	r.section()
	r.line("hostname %s", c.HostnameOrDefault())
	r.section()
	r.line("platform %s", c.PlatformName())
	r.section()
	if l := c.Logging; l.Buffered != 0 {
		if l.BufferedLevel != "" {
			r.line("logging buffered %d %s", l.Buffered, l.BufferedLevel)
		} else {
			r.line("logging buffered %d", l.Buffered)
		}
	}
	if c.EnableSecret.IsSet() {
		r.line("enable secret %d %s", c.EnableSecret.Type(), c.EnableSecret.Hash)
	}
	if c.EnablePassword.IsSet() {
		r.line("enable password %s", c.EnablePassword.Words())
	}
	r.section()
	renderClock(r, c.Clock)
	r.section()
	renderNames(r, c.Names)
	r.section()
	renderUsers(r, c.Users)
	if b := c.LoginBlock; b.Attempts != 0 {
		r.line("login block-for %d attempts %d within %d", int(b.BlockFor.Seconds()), b.Attempts, int(b.Within.Seconds()))
	}
	switch f := c.LoginFailureLog; {
	case f.On && f.Every > 1:
		r.line("login on-failure log every %d", f.Every)
	case f.On:
		r.line("login on-failure log")
	}
	switch f := c.LoginSuccessLog; {
	case f.On && f.Every > 1:
		r.line("login on-success log every %d", f.Every)
	case f.On:
		r.line("login on-success log")
	}
	r.section()
	renderCache(r, c)
	r.section()
	for _, m := range c.Samplers {
		if m.FNF {
			continue // shown with Flexible NetFlow
		}
		r.line("flow-sampler-map %s", m.Name)
		if m.Rate != 0 {
			r.line(" mode %s one-out-of %d", samplerMode(m), m.Rate)
		}
		r.section()
	}
	renderFNF(r, c.FNF)
	r.section()
	renderFNFSamplers(r, c.Samplers)
	r.section()
	renderPolicies(r, c)
	renderSSH(r, c.SSH)
	renderMetrics(r, c.Metrics)
	r.section()
	for _, it := range c.Interfaces {
		renderInterface(r, it)
		r.section()
	}
	renderTaps(r, c)
	renderExport(r, c)
	r.section()
	for _, a := range c.Aggregations {
		renderAggregation(r, a)
		r.section()
	}
	renderTopTalkers(r, c.TopTalkers)
	r.section()
	if c.PrefixAS.File != "" {
		r.line("flowtap prefix-as-file %s", c.PrefixAS.File)
	}
	if c.PrefixAS.Mode != platform.ASNone {
		r.line("flowtap as-mode %s", strings.TrimSuffix(c.PrefixAS.Mode.String(), "-as"))
	}
	if e := c.Export; e.ServicesIf != "" {
		line := "flowtap services-interface " + e.ServicesIf
		if e.ServicesSource.IsValid() {
			line += " source-address " + e.ServicesSource.String()
		}
		r.line("%s", line)
	}
	r.section()
	renderAppClasses(r, c.AppClasses)
	r.section()
	renderLogging(r, c.Logging)
	r.section()
	renderArchive(r, c.Archive)
	r.section()
	for _, l := range c.AccessLists {
		renderAccessList(r, l)
	}
	r.section()
	renderSNMP(r, c.SNMP)
	r.section()
	for _, e := range c.ExecLevels {
		r.line("privilege exec level %d %s", e.Level, e.Command)
	}
	for _, e := range c.ModeLevels {
		r.line("privilege %s level %d %s", e.Mode, e.Level, e.Command)
	}
	r.section()
	renderBanners(r, c.Banners)
	r.section()
	if con := c.Console; con != (config.Console{}) {
		r.line("line con 0")
		if con.Privilege != 0 {
			r.line(" privilege level %d", con.Privilege)
		}
		if con.Password.IsSet() {
			r.line(" password %s", con.Password.Words())
		}
		switch {
		case con.LoginLocal:
			r.line(" login local")
		case con.LoginLine:
			r.line(" login")
		}
	}
	// The lines as IOS lists them: each run of alike lines under its own
	// `line vty A B`, nothing when every line has the defaults.
	if groups := c.VTY.Groups(); c.VTY.Last != 0 || len(groups) > 1 || groups[0].VTYLine != (config.VTYLine{}) {
		for _, g := range groups {
			if g.First == g.Last {
				r.line("line vty %d", g.First)
			} else {
				r.line("line vty %d %d", g.First, g.Last)
			}
			r.vtyLine(g.VTYLine)
		}
	}
	r.section()
	if c.NTP.UpdateCalendar {
		r.line("ntp update-calendar")
	}
	for _, s := range c.NTP.Servers {
		if slices.Contains(c.NTP.Preferred, s) {
			r.line("ntp server %s prefer", s)
		} else {
			r.line("ntp server %s", s)
		}
	}
	r.section()
	r.line("end")
	return r.b.String()
}

// iosWriter writes lines and collapses runs of empty sections into one
// `!`, as IOS prints them.
type iosWriter struct {
	b       strings.Builder
	pending bool // a `!` is due before the next line
	started bool
}

func (r *iosWriter) section() { r.pending = true }

func (r *iosWriter) line(format string, args ...any) {
	if r.pending || !r.started {
		r.b.WriteString("!\n")
		r.pending, r.started = false, true
	}
	fmt.Fprintf(&r.b, format, args...)
	r.b.WriteByte('\n')
}

func renderUsers(r *iosWriter, users []config.User) {
	for _, u := range users {
		priv := ""
		if u.Privilege != 0 {
			priv = fmt.Sprintf(" privilege %d", u.Privilege)
		}
		switch {
		case u.Secret.IsSet():
			r.line("username %s%s secret %d %s", u.Name, priv, u.Secret.Type(), u.Secret.Hash)
		case u.NoPassword:
			r.line("username %s%s nopassword", u.Name, priv)
		case priv != "" || len(u.Keys) == 0:
			// No password at all: the keys alone log in. Not
			// `nopassword`, which would let anyone in as this user.
			if priv == "" {
				priv = " privilege 1"
			}
			r.line("username %s%s", u.Name, priv)
		}
		for _, k := range u.Keys {
			r.line("username %s ssh-key %s %s", u.Name, k.Type, k.Blob)
		}
	}
}

// renderCache spells the main cache the persona's way.
func renderCache(r *iosWriter, c config.Config) {
	p, err := c.Persona()
	k := c.Cache
	if err == nil && config.IsCatalyst(&p) {
		if k.Mask != 0 {
			r.line("mls flow ip %s", k.Mask)
		}
		if k.Mask6 != 0 {
			r.line("mls flow ipv6 %s", k.Mask6)
		}
		if k.Inactive != 0 {
			r.line("mls aging normal %d", k.Inactive/time.Second)
		}
		if k.FastTime != 0 {
			th := ""
			if k.FastThreshold != 0 {
				th = fmt.Sprintf(" threshold %d", k.FastThreshold)
			}
			r.line("mls aging fast time %d%s", k.FastTime/time.Second, th)
		}
		if k.Active != 0 {
			r.line("mls aging long %d", k.Active/time.Second)
		}
		renderMLSSampling(r, c.Sampling)
		if c.NetflowOff {
			r.line("no mls netflow")
		}
		if c.MLSNetflowInterface {
			r.line("mls netflow interface")
		}
		if c.NDE {
			if v := c.Export.Version; ndeVersionOnly(c.Export) {
				r.line("mls nde sender version %s", v)
			} else {
				r.line("mls nde sender")
			}
		}
		if c.NDEInterface {
			r.line("mls nde interface")
		}
		if c.NDETCPFlags {
			r.line("mls nde tcp-flags")
		}
		if f := c.NDEFilters.Include; f.Set() {
			r.line("mls nde flow include %s", f)
		}
		if f := c.NDEFilters.Exclude; f.Set() {
			r.line("mls nde flow exclude %s", f)
		}
	}
	if k.Entries != 0 {
		r.line("ip flow-cache entries %d", k.Entries)
	}
	if o := k.Overload; o.Enabled {
		r.line("ip flow-cache overload-protection%s", OverloadOptions(o))
	}
	if err != nil || !config.IsCatalyst(&p) {
		if k.Active != 0 {
			r.line("ip flow-cache timeout active %d", k.Active/time.Minute)
		}
		if k.Inactive != 0 {
			r.line("ip flow-cache timeout inactive %d", k.Inactive/time.Second)
		}
	}
	if n := k.MPLSLabels(); n > 0 {
		line := "ip flow-cache mpls label-positions"
		for _, p := range k.MPLSLabelPositions[:n] {
			line += fmt.Sprintf(" %d", p)
		}
		r.line("%s", line)
	}
	for _, f := range []string{"extension-headers", "flow-label", "fragment-flags", "fragment-offset", "icmp", "ip-id", "mac-addresses", "packet-length", "ttl", "vlan-id"} {
		if c.Capture&captureFields[f] != 0 {
			r.line("ip flow-capture %s", f)
		}
	}
	if s := c.Sampling; s.Mode == platform.SamplingJuniper {
		line := fmt.Sprintf("flowtap sampling rate %d", s.Rate)
		if s.RunLength != 0 {
			line += fmt.Sprintf(" run-length %d", s.RunLength)
		}
		if s.MaxPacketsPerSecond != 0 {
			line += fmt.Sprintf(" max-packets-per-second %d", s.MaxPacketsPerSecond)
		}
		r.line("%s", line)
	}
}

// ndeVersionOnly reports whether `mls nde sender version V` says all of
// the export version line.
func ndeVersionOnly(e config.Export) bool {
	return (e.Version == platform.V5 || e.Version == platform.V7) && e.AS == platform.ASNone && !e.BGPNextHop
}

func renderMLSSampling(r *iosWriter, s platform.Sampling) {
	switch s.Mode {
	case platform.SamplingTimeBased:
		r.line("mls sampling time-based %d", s.Rate)
	case platform.SamplingPacketBased:
		if s.Interval != 0 {
			r.line("mls sampling packet-based %d %d", s.Rate, s.Interval/time.Millisecond)
		} else {
			r.line("mls sampling packet-based %d", s.Rate)
		}
	}
}

func renderSSH(r *iosWriter, s config.SSH) {
	if s.Version2 {
		r.line("ip ssh version 2")
	}
	if s.Port != 0 {
		r.line("ip ssh port %d", s.Port)
	}
	if s.Timeout != 0 {
		r.line("ip ssh time-out %d", s.Timeout/time.Second)
	}
	if s.AuthRetries != 0 {
		r.line("ip ssh authentication-retries %d", s.AuthRetries)
	}
}

func renderMetrics(r *iosWriter, m config.Metrics) {
	if !m.Enabled {
		return
	}
	line := "ip http metrics"
	if m.Port != 0 {
		line += fmt.Sprintf(" port %d", m.Port)
	}
	if m.AccessClass != "" {
		line += " access-class " + m.AccessClass
	}
	r.line("%s", line)
}

func renderInterface(r *iosWriter, it config.Interface) {
	r.line("interface %s", it.Name)
	if it.Description != "" {
		r.line(" description %s", it.Description)
	}
	if it.Encapsulation != 0 {
		r.line(" encapsulation dot1Q %d", it.Encapsulation)
	}
	if it.Ingress {
		r.line(" ip flow ingress")
	}
	if it.InputFilter != "" {
		r.line(" ip flow ingress input-filter %s", it.InputFilter)
	}
	if it.InputFilter6 != "" {
		r.line(" ipv6 flow ingress input-filter %s", it.InputFilter6)
	}
	if it.Egress {
		r.line(" ip flow egress")
	}
	renderBindings(r, it)
	if it.Sampler != "" {
		r.line(" flow-sampler %s", it.Sampler)
	}
	if it.MLSSampling {
		r.line(" mls netflow sampling")
	}
	if it.ServicePolicy != "" {
		r.line(" service-policy input %s", it.ServicePolicy)
	}
	if it.Verdict != platform.Passive {
		r.line(" flowtap verdict %s", it.Verdict)
	}
	if it.XDPMode != config.XDPBest {
		r.line(" flowtap xdp-mode %s", it.XDPMode)
	}
	if it.NoLinkTrap {
		r.line(" no snmp trap link-status")
	}
	if it.Shutdown {
		r.line(" shutdown")
	}
}

func renderExport(r *iosWriter, c config.Config) {
	e := c.Export
	if e.Source != "" {
		r.line("ip flow-export source %s", e.Source)
	}
	catalystNDE := false
	if p, err := c.Persona(); err == nil && config.IsCatalyst(&p) && c.NDE && ndeVersionOnly(e) {
		catalystNDE = true // said by `mls nde sender version`
	}
	if !catalystNDE && (e.Version != 0 || e.AS != platform.ASNone || e.BGPNextHop) {
		v := e.Version
		if v == 0 {
			p, _ := c.Persona()
			v = p.DefaultExport
		}
		line := "ip flow-export version " + v.String()
		if e.AS != platform.ASNone {
			line += " " + e.AS.String()
		}
		if e.BGPNextHop {
			line += " bgp-nexthop"
		}
		r.line("%s", line)
	}
	// A JunOS flow-monitoring template may resend after more packets
	// (up to 480000) or sooner (seconds) than IOS can say: such a value
	// is left to the template's `flowtap junos` line, which a load
	// folds in again.
	if n := e.TemplateRefresh; n != 0 && n <= iosMaxRefresh {
		r.line("ip flow-export template refresh-rate %d", n)
	}
	if d := e.TemplateTimeout; d != 0 && d%time.Minute == 0 {
		r.line("ip flow-export template timeout-rate %d", d/time.Minute)
	}
	if d := e.OptionsTimeout; d != 0 && d%time.Minute == 0 {
		r.line("ip flow-export template options timeout-rate %d", d/time.Minute)
	}
	if n := e.OptionsRefresh; n != 0 && n <= iosMaxRefresh {
		r.line("ip flow-export template options refresh-rate %d", n)
	}
	if e.ExporterStats {
		r.line("ip flow-export template options export-stats")
	}
	if e.InterfaceNames {
		r.line("ip flow-export interface-names")
	}
	if len(e.Layer2VLANs) > 0 {
		r.line("ip flow export layer2-switched vlan %s", e.Layer2VLANs)
	}
	for _, d := range e.Destinations {
		line := fmt.Sprintf("ip flow-export destination %s %d", d.Addr.Addr(), d.Addr.Port())
		if d.Version != 0 {
			line += " version " + d.Version.String()
		}
		if d.SourceAddress.IsValid() {
			line += " source-address " + d.SourceAddress.String()
		}
		if d.AS != platform.ASNone {
			line += " " + d.AS.String()
		}
		if d.Truncate != 0 {
			line += fmt.Sprintf(" truncate %d", d.Truncate)
		}
		if d.CryptoPAn != "" {
			line += " crypto-pan " + d.CryptoPAn
		}
		if d.Biflow {
			line += " biflow"
		}
		switch d.Families {
		case config.FamilyInet:
			line += " family ipv4"
		case config.FamilyInet6:
			line += " family ipv6"
		}
		r.line("%s", line)
	}
}

func renderAggregation(r *iosWriter, a config.Aggregation) {
	r.line("ip flow-aggregation cache %s", a.Scheme)
	if a.Entries != 0 {
		r.line(" cache entries %d", a.Entries)
	}
	if a.Inactive != 0 {
		r.line(" cache timeout inactive %d", a.Inactive/time.Second)
	}
	if a.Active != 0 {
		r.line(" cache timeout active %d", a.Active/time.Minute)
	}
	if a.Version != 0 {
		r.line(" export version %s", a.Version)
	}
	for _, d := range a.Destinations {
		r.line(" export destination %s %d", d.Addr(), d.Port())
	}
	if a.SourceMask != 0 {
		r.line(" mask source minimum %d", a.SourceMask)
	}
	if a.DestinationMask != 0 {
		r.line(" mask destination minimum %d", a.DestinationMask)
	}
	if a.Enabled {
		r.line(" enabled")
	}
}

func renderTopTalkers(r *iosWriter, t config.TopTalkers) {
	if t == (config.TopTalkers{}) {
		return
	}
	r.line("ip flow-top-talkers")
	if t.Top != 0 {
		r.line(" top %d", t.Top)
	}
	if t.SortBy != 0 {
		r.line(" sort-by %s", t.SortBy)
	}
	if t.CacheTimeout != 0 {
		r.line(" cache-timeout %d", t.CacheTimeout/time.Millisecond)
	}
	m := t.Match
	if m.ProtocolSet {
		switch m.Protocol {
		case 6:
			r.line(" match protocol tcp")
		case 17:
			r.line(" match protocol udp")
		default:
			r.line(" match protocol %d", m.Protocol)
		}
	}
	renderMatchEnd(r, "source", m.Src, m.SrcAS, m.SrcPort)
	renderMatchEnd(r, "destination", m.Dst, m.DstAS, m.DstPort)
	renderMatchRange(r, "byte-range", m.Bytes)
	renderMatchRange(r, "packet-range", m.Packets)
	switch m.ToS.Kind {
	case config.TopToSByte:
		r.line(" match tos %d", m.ToS.Value)
	case config.TopToSDSCP:
		r.line(" match tos dscp %d", m.ToS.Value)
	case config.TopToSPrecedence:
		r.line(" match tos precedence %d", m.ToS.Value)
	}
	if m.InputIf != "" {
		r.line(" match input-interface %s", m.InputIf)
	}
	if m.OutputIf != "" {
		r.line(" match output-interface %s", m.OutputIf)
	}
	if p := m.NextHop; p.IsValid() {
		r.line(" match nexthop-address %s mask %s", p.Addr(), maskAddr(p.Bits()))
	}
}

func renderMatchEnd(r *iosWriter, end string, p netip.Prefix, as uint32, port config.TopPorts) {
	if p.IsValid() {
		r.line(" match %s address %s mask %s", end, p.Addr(), maskAddr(p.Bits()))
	}
	if as != 0 {
		r.line(" match %s as %d", end, as)
	}
	if !port.Set {
		return
	}
	if port.Min == port.Max {
		r.line(" match %s port %d", end, port.Min)
		return
	}
	if port.Min != 0 {
		r.line(" match %s port min %d", end, port.Min)
	}
	if port.Max != 65535 {
		r.line(" match %s port max %d", end, port.Max)
	}
}

func renderMatchRange(r *iosWriter, what string, m config.TopCounts) {
	switch {
	case m.Min != 0 && m.Max != 0:
		r.line(" match %s %d %d", what, m.Min, m.Max)
	case m.Min != 0:
		r.line(" match %s min %d", what, m.Min)
	case m.Max != 0:
		r.line(" match %s max %d", what, m.Max)
	}
}

func maskAddr(bits int) netip.Addr {
	v := ^uint32(0) << (32 - bits)
	if bits == 0 {
		v = 0
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

var levelNames = [...]string{config.LevelNoAuth: "noauth", config.LevelAuth: "auth", config.LevelPriv: "priv"}

func renderSNMP(r *iosWriter, s config.SNMP) {
	for _, cm := range s.Communities {
		line := "snmp-server community " + cm.Name
		if cm.View != "" {
			line += " view " + cm.View
		}
		if cm.RW {
			line += " RW"
		} else {
			line += " RO"
		}
		if cm.ACL != "" {
			line += " " + cm.ACL
		}
		r.line("%s", line)
	}
	if s.EngineID != "" {
		r.line("snmp-server engineID local %s", s.EngineID)
	}
	for _, e := range s.RemoteEngines {
		r.line("snmp-server engineID remote %s%s %s", e.Addr, udpPort(e.Port), e.EngineID)
	}
	for _, v := range s.Views {
		for _, t := range v.Subtrees {
			what := "included"
			if t.Excluded {
				what = "excluded"
			}
			r.line("snmp-server view %s %s %s", v.Name, t.OID, what)
		}
	}
	for _, g := range s.Groups {
		line := fmt.Sprintf("snmp-server group %s v3 %s", g.Name, levelName(g.Level))
		if g.Read != "" {
			line += " read " + g.Read
		}
		if g.Write != "" {
			line += " write " + g.Write
		}
		if g.ACL != "" {
			line += " access " + g.ACL
		}
		r.line("%s", line)
	}
	for _, u := range s.Users {
		r.line("%s", snmpUserLine(u))
	}
	if s.Location != "" {
		r.line("snmp-server location %s", s.Location)
	}
	if s.Contact != "" {
		r.line("snmp-server contact %s", s.Contact)
	}
	if s.Traps {
		r.line("snmp-server enable traps")
	} else {
		t := s.TrapTypes
		line := "snmp-server enable traps snmp"
		for i, on := range []bool{s.AuthTraps, t.LinkDown, t.LinkUp, t.ColdStart, t.WarmStart} {
			if on {
				line += " " + snmpTrapKinds[i]
			}
		}
		if line != "snmp-server enable traps snmp" {
			r.line("%s", line)
		}
		if t.Config {
			r.line("snmp-server enable traps config")
		}
		if t.Entity {
			r.line("snmp-server enable traps entity")
		}
		if t.Fibre {
			r.line("snmp-server enable traps fibre")
		}
	}
	for _, h := range s.Hosts {
		line := "snmp-server host " + h.Addr.String()
		if h.Informs {
			line += " informs"
		}
		// The version is always written, although IOS leaves out version
		// 1: it keeps a host name such as "t" or "ver" from reading as
		// the keyword it abbreviates.
		switch h.Version {
		case config.SNMPv1:
			line += " version 1"
		case config.SNMPv2c:
			line += " version 2c"
		case config.SNMPv3:
			line += " version 3 " + levelName(h.Level)
		}
		line += " " + h.Name
		if h.Port != 0 {
			line += fmt.Sprintf(" udp-port %d", h.Port)
		}
		r.line("%s", line)
	}
}

func levelName(l config.SecurityLevel) string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprint(l)
}

// snmpUserLine shows a user with its localized keys (`encrypted`): the
// passphrases were never kept.
func snmpUserLine(u config.SNMPUser) string {
	line := fmt.Sprintf("snmp-server user %s %s", u.Name, u.Group)
	if u.Remote.IsValid() {
		line += fmt.Sprintf(" remote %s%s", u.Remote, udpPort(u.RemotePort))
	}
	line += " v3"
	if u.Auth != config.AuthNone {
		auth := map[config.AuthProtocol]string{config.AuthMD5: "md5", config.AuthSHA: "sha", config.AuthSHA256: "sha-256"}[u.Auth]
		line += " encrypted auth " + auth + " " + string(u.AuthKey)
		switch u.Priv {
		case config.PrivAES128:
			line += " priv aes 128 " + string(u.PrivKey)
		case config.PrivDES:
			line += " priv des " + string(u.PrivKey)
		}
	}
	if u.ACL != "" {
		line += " access " + u.ACL
	}
	return line
}

func udpPort(p uint16) string {
	if p == 0 {
		return ""
	}
	return fmt.Sprintf(" udp-port %d", p)
}

// OverloadOptions are the options of `ip flow-cache overload-protection`
// that differ from the defaults, each with a leading space.
func OverloadOptions(o config.Overload) string {
	var b strings.Builder
	if o.Threshold != 0 {
		fmt.Fprintf(&b, " threshold %d", o.Threshold)
	}
	if o.MaxRate != 0 {
		fmt.Fprintf(&b, " max-rate %d", o.MaxRate)
	}
	if o.Interval != 0 {
		fmt.Fprintf(&b, " interval %d", o.Interval/time.Second)
	}
	if o.Budget != 0 {
		fmt.Fprintf(&b, " budget %d", o.Budget.Nanoseconds())
	}
	return b.String()
}

// renderLogging writes the syslog lines after `logging buffered`, in
// IOS's order.
func renderLogging(r *iosWriter, l config.Logging) {
	if l.Trap != "" {
		r.line("logging trap %s", l.Trap)
	}
	if l.Facility != "" {
		r.line("logging facility %s", l.Facility)
	}
	if l.SourceInterface != "" {
		r.line("logging source-interface %s", l.SourceInterface)
	}
	for _, h := range l.Hosts {
		if p := l.HostPort(h); p != config.DefaultSyslogPort {
			r.line("logging host %s transport udp port %d", h, p)
		} else {
			r.line("logging host %s", h)
		}
	}
	// Hosts with a level of their own (JunOS `any LEVEL`), which IOS
	// cannot say: flowtap's own line, after the hosts it names.
	for _, hl := range l.HostLevels {
		r.line("flowtap logging host %s level %s", hl.Addr, hl.Level)
	}
}

// vtyLine writes one vty range's settings in IOS's order: access-class,
// exec-timeout, privilege level, login, transport.
func (r *iosWriter) vtyLine(v config.VTYLine) {
	if v.AccessClass != "" {
		r.line(" access-class %s in", v.AccessClass)
	}
	switch t := v.ExecTimeout; t {
	case 0:
	case config.NoExecTimeout:
		r.line(" exec-timeout 0 0")
	default:
		r.line(" exec-timeout %d %d", t/time.Minute, t%time.Minute/time.Second)
	}
	if v.Privilege != 0 {
		r.line(" privilege level %d", v.Privilege)
	}
	if v.Password.IsSet() {
		r.line(" password %s", v.Password.Words())
	}
	switch v.Login {
	case config.VTYLoginLocal:
		r.line(" login local")
	case config.VTYLoginLine:
		r.line(" login")
	}
	if v.TransportInput != "" {
		r.line(" transport input %s", v.TransportInput)
	}
	if v.TransportOutputNone {
		r.line(" transport output none")
	}
}

// samplerMode is a sampler's mode word, as both of its forms write it.
func samplerMode(m config.SamplerMap) string {
	if m.Deterministic {
		return "deterministic"
	}
	return "random"
}
