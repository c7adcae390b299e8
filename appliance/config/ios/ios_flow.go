package ios

import (
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
	"github.com/flowtap/flowtap/appliance/platform"
)

func (x *cmd) ip() {
	switch k := x.c.Keyword("access-list", "domain", "domain-lookup", "domain-name", "flow", "flow-aggregation", "flow-cache", "flow-capture", "flow-export", "flow-top-talkers", "host", "http", "name-server", "ssh"); k {
	case "domain", "domain-lookup", "domain-name":
		x.ipDomain(k)
	case "host":
		x.ipHost()
	case "name-server":
		x.ipNameServer()
	case "flow":
		x.ipFlowLayer2()
	case "access-list":
		x.ipAccessList()
	case "flow-cache":
		x.ipFlowCache()
	case "flow-capture":
		x.ipFlowCapture()
	case "flow-export":
		x.ipFlowExport()
	case "flow-aggregation":
		x.c.Keyword("cache")
		x.aggregationCmd()
	case "flow-top-talkers":
		x.c.End()
		if x.neg {
			x.cfg.TopTalkers = config.TopTalkers{}
			return
		}
		x.cfg.TopTalkers.Configured = true
		x.open(modeTopTalkers, "")
	case "ssh":
		x.ipSSH()
	case "http":
		x.c.Keyword("metrics")
		x.ipHTTPMetrics()
	}
}

// ipHTTPMetrics is `[no] ip http metrics [port N] [access-class ACL]`.
// Each line states the whole endpoint, as `snmp-server community` does.
func (x *cmd) ipHTTPMetrics() {
	if x.neg {
		x.c.Skip()
		x.cfg.Metrics = config.Metrics{}
		return
	}
	m := config.Metrics{Enabled: true}
	if x.c.TryKeyword("port") != "" {
		m.Port = int(x.c.Uint(1, 65535))
	}
	if x.c.TryKeyword("access-class") != "" {
		m.AccessClass = x.aclRef()
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.cfg.Metrics = m
	x.touch("metrics")
}

func (x *cmd) ipFlowCache() {
	k := &x.cfg.Cache
	switch x.c.Keyword("entries", "mpls", "overload-protection", "timeout") {
	case "overload-protection":
		x.ipFlowCacheOverload()
	case "mpls":
		x.c.Keyword("label-positions")
		if x.neg {
			x.c.Skip()
			k.MPLSLabelPositions = [3]uint8{}
			return
		}
		var pos [3]uint8
		for i := range pos {
			if i > 0 && !x.c.More() {
				// `?` here lists another position before <cr>.
				x.c.Offer("<1-6>")
				break
			}
			pos[i] = uint8(x.c.Num("<1-6>", 1, config.MaxLabelPosition))
			for _, q := range pos[:i] {
				if x.c.Err == nil && q == pos[i] {
					x.c.Invalid(x.c.Last(), "label position "+strconv.Itoa(int(q))+" is named twice")
				}
			}
		}
		x.c.End()
		if x.c.Err == nil {
			k.MPLSLabelPositions = pos
		}
	case "entries":
		if x.neg {
			x.c.Skip()
			k.Entries = 0
			return
		}
		n := x.c.Num(grammar.LimitDesc(x.p.Table.Entries), 1, 1<<31-1)
		x.c.End()
		k.Entries = int(n)
		x.touch("cache.entries")
	case "timeout":
		which := x.c.Keyword("active", "inactive")
		if x.c.Err == nil && config.IsCatalyst(x.p) {
			x.c.Refuse("the %s persona ages its cache with mls aging normal and long", x.p.Name)
			return
		}
		if x.neg {
			x.c.Skip()
			if which == "active" {
				k.Active = 0
			} else {
				k.Inactive = 0
			}
			return
		}
		if which == "active" {
			k.Active = time.Duration(x.c.Num(grammar.LimitDesc(x.p.Aging.Active.In(time.Minute)), 1, config.MaxMinutes)) * time.Minute
			x.touch("cache.active")
		} else {
			k.Inactive = time.Duration(x.c.Num(grammar.LimitDesc(x.p.Aging.Inactive), 1, config.MaxMinutes)) * time.Second
			x.touch("cache.inactive")
		}
		x.c.End()
	}
}

// ipFlowCacheOverload is `[no] ip flow-cache overload-protection
// [threshold PCT] [max-rate N] [interval S] [budget NS]`, options in any
// order. Each line states the whole setting, as `ip http metrics` does.
func (x *cmd) ipFlowCacheOverload() {
	if x.neg {
		x.c.Skip()
		x.cfg.Cache.Overload = config.Overload{}
		return
	}
	o := config.Overload{Enabled: true}
	seen := map[string]bool{}
	for {
		var opts []string
		for _, k := range []string{"budget", "interval", "max-rate", "threshold"} {
			if !seen[k] {
				opts = append(opts, k)
			}
		}
		k := x.c.TryKeyword(opts...)
		if k == "" {
			break
		}
		seen[k] = true
		switch k {
		case "threshold":
			o.Threshold = int(x.c.Uint(1, 100))
		case "max-rate":
			o.MaxRate = uint32(x.c.Uint(2, 65535))
		case "interval":
			o.Interval = time.Duration(x.c.Uint(1, 60)) * time.Second
		case "budget":
			o.Budget = time.Duration(x.c.Uint(10, 100000)) * time.Nanosecond
		}
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.cfg.Cache.Overload = o
	x.touch("cache.overload")
}

// ipFlowLayer2 is the Catalyst's `[no] ip flow export layer2-switched
// vlan LIST`: the VLANs whose bridged flows are exported. `no` with a
// list takes those VLANs out; without one, all.
func (x *cmd) ipFlowLayer2() {
	x.c.Keyword("export")
	x.c.Keyword("layer2-switched")
	if x.c.Err != nil {
		return
	}
	if why := config.Layer2Reason(x.p); why != "" {
		x.c.Invalid(x.c.Last(), why)
		return
	}
	e := &x.cfg.Export
	if x.neg && !x.c.More() {
		e.Layer2VLANs = nil
		return
	}
	x.c.Keyword("vlan")
	list := x.c.Name("WORD", func(s string) error {
		_, err := platform.ParseVLANList(s)
		return err
	})
	x.c.End()
	if x.c.Err != nil {
		return
	}
	add, _ := platform.ParseVLANList(list)
	if x.neg {
		e.Layer2VLANs = e.Layer2VLANs.Remove(add)
		if len(e.Layer2VLANs) == 0 {
			e.Layer2VLANs = nil
		}
		return
	}
	for _, r := range add {
		e.Layer2VLANs = e.Layer2VLANs.Add(r)
	}
	x.touch("export.layer2-vlans")
}

var captureFields = map[string]config.Capture{
	"extension-headers": config.CaptureExtHeaders,
	"flow-label":        config.CaptureFlowLabel,
	"fragment-flags":    config.CaptureFragmentFlags,
	"fragment-offset":   config.CaptureFragmentOffset,
	"icmp":              config.CaptureICMP,
	"ip-id":             config.CaptureIPID,
	"mac-addresses":     config.CaptureMAC,
	"packet-length":     config.CapturePacketLength,
	"ttl":               config.CaptureTTL,
	"vlan-id":           config.CaptureVLAN,
}

func (x *cmd) ipFlowCapture() {
	k := x.c.Keyword("extension-headers", "flow-label", "fragment-flags", "fragment-offset", "icmp", "ip-id", "mac-addresses", "nbar", "packet-length", "ttl", "vlan-id")
	x.c.End()
	if x.c.Err != nil {
		return
	}
	bit, ok := captureFields[k]
	switch {
	case !ok:
		x.c.Invalid(x.c.Last(), "flowtap does not classify applications with NBAR")
	case x.neg:
		x.cfg.Capture &^= bit
	default:
		x.cfg.Capture |= bit
	}
}

var asModes = map[string]platform.ASMode{"origin-as": platform.ASOrigin, "peer-as": platform.ASPeer}

// exportVersion reads 5, 7, 8, 9 or ipfix; the persona judges which it
// offers.
func (x *cmd) exportVersion() platform.ExportVersion {
	// `?` lists each version, as IOS does, not one word for all.
	if !x.c.Need("5", "7", "8", "9", "ipfix") {
		return 0
	}
	if x.c.TryKeyword("ipfix") != "" {
		return platform.IPFIX
	}
	n := x.c.Num("5|7|8|9", 5, 9)
	switch n {
	case 5, 7, 8, 9:
		return platform.ExportVersion(n)
	}
	if x.c.Err == nil {
		x.c.Invalid(x.c.Last(), "")
	}
	return 0
}

func (x *cmd) ipFlowExport() {
	e := &x.cfg.Export
	switch x.c.Keyword("destination", "interface-names", "source", "template", "version") {
	case "version":
		if x.neg {
			x.c.Skip()
			e.Version, e.AS, e.BGPNextHop = 0, platform.ASNone, false
			return
		}
		v := x.exportVersion()
		x.touch("export.version")
		as, bgp := platform.ASNone, false
		for k := x.c.Optional("bgp-nexthop", "origin-as", "peer-as"); k != ""; k = x.c.Optional("bgp-nexthop", "origin-as", "peer-as") {
			switch k {
			case "origin-as", "peer-as":
				if as != platform.ASNone {
					x.c.Invalid(x.c.Last(), "origin-as and peer-as exclude each other")
				}
				as = asModes[k]
				x.touch("export.as")
			case "bgp-nexthop":
				bgp = true
				x.touch("export.bgp-next-hop")
			}
		}
		e.Version, e.AS, e.BGPNextHop = v, as, bgp
	case "destination":
		x.exportDestination()
	case "source":
		if x.neg {
			x.c.Skip()
			e.Source = ""
			return
		}
		e.Source = x.c.Name("WORD", config.CheckIfName)
		x.c.End()
		x.touch("export.source")
	case "template":
		x.exportTemplate()
	case "interface-names":
		x.c.End()
		e.InterfaceNames = !x.neg
	}
}

func (x *cmd) exportDestination() {
	a := x.c.Host(false, x.cfg.Names, x.offline, x.res)
	port := x.c.Uint(1, 65535)
	if x.c.Err != nil {
		return
	}
	ap := netip.AddrPortFrom(a.Unmap(), uint16(port))
	path := "export.destinations[" + ap.String() + "]"
	x.touch(path)
	e := &x.cfg.Export
	i := slices.IndexFunc(e.Destinations, func(d config.Destination) bool { return d.Addr == ap })
	if x.neg {
		x.c.Skip()
		if i >= 0 {
			e.Destinations = slices.Delete(e.Destinations, i, i+1)
		}
		return
	}
	d := config.Destination{Addr: ap}
	tail := []string{"biflow", "crypto-pan", "family", "origin-as", "peer-as", "source-address", "truncate", "version"}
	for k := x.c.Optional(tail...); k != ""; k = x.c.Optional(tail...) {
		switch k {
		case "family":
			// flowtap: the one family this collector gets (a JunOS
			// flow-server under one family).
			d.Families = map[string]config.Families{"ipv4": config.FamilyInet, "ipv6": config.FamilyInet6}[x.c.Keyword("ipv4", "ipv6")]
			x.touch(path + ".families")
		case "biflow":
			d.Biflow = true
			x.touch(path + ".biflow")
		case "truncate":
			d.Truncate = int(x.c.Uint(1, 31))
			x.touch(path + ".truncate")
		case "crypto-pan":
			d.CryptoPAn = x.c.Name("KEY", nil)
			x.touch(path + ".crypto-pan")
		case "origin-as":
			d.AS = platform.ASOrigin
			x.touch(path + ".as")
		case "peer-as":
			d.AS = platform.ASPeer
			x.touch(path + ".as")
		case "version":
			d.Version = x.exportVersion()
			x.touch(path + ".version")
		case "source-address":
			d.SourceAddress = x.c.Addr(false)
			x.touch(path + ".source-address")
		}
	}
	if x.c.Err != nil {
		return
	}
	put(&e.Destinations, i, d)
}

// iosMaxRefresh is the most export packets IOS's `template [options]
// refresh-rate` takes.
const iosMaxRefresh = 600

func (x *cmd) exportTemplate() {
	e := &x.cfg.Export
	k := x.c.Keyword("options", "refresh-rate", "timeout-rate")
	if k == "options" {
		// The options' resend interval (JunOS option-refresh-rate
		// seconds maps onto it) and packet count, each following the
		// template's until set.
		ok := x.c.Keyword("export-stats", "refresh-rate", "timeout-rate")
		if ok == "export-stats" {
			// The exporter-statistics options table to every collector
			// of the main cache (an FNF exporter's option exporter-stats).
			if x.neg {
				x.c.Skip()
				e.ExporterStats = false
				return
			}
			x.c.End()
			if x.c.Err == nil {
				e.ExporterStats = true
				x.touch("export.export-stats")
			}
			return
		}
		if x.neg {
			x.c.Skip()
			if ok == "refresh-rate" {
				e.OptionsRefresh = 0
			} else {
				e.OptionsTimeout = 0
			}
			return
		}
		if ok == "refresh-rate" {
			e.OptionsRefresh = int(x.c.Uint(1, iosMaxRefresh))
			x.touch("export.options-refresh")
		} else {
			e.OptionsTimeout = time.Duration(x.c.Uint(1, 3600)) * time.Minute
			x.touch("export.options-timeout")
		}
		x.c.End()
		return
	}
	if x.neg {
		x.c.Skip()
		if k == "refresh-rate" {
			e.TemplateRefresh = 0
		} else {
			e.TemplateTimeout = 0
		}
		return
	}
	if k == "refresh-rate" {
		e.TemplateRefresh = int(x.c.Uint(1, iosMaxRefresh))
		x.touch("export.template-refresh")
	} else {
		e.TemplateTimeout = time.Duration(x.c.Uint(1, 3600)) * time.Minute
		x.touch("export.template-timeout")
	}
	x.c.End()
}

// AggSchemeKeywords are the `ip flow-aggregation cache` schemes.
func AggSchemeKeywords() []string {
	var out []string
	for _, s := range platform.Schemes() {
		if config.AggScheme(s) {
			out = append(out, s.String())
		}
	}
	return out
}

func (x *cmd) aggregationCmd() {
	name := x.c.Keyword(AggSchemeKeywords()...)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	scheme, _ := platform.ParseScheme(name)
	i := slices.IndexFunc(x.cfg.Aggregations, func(a config.Aggregation) bool { return a.Scheme == scheme })
	if x.neg {
		if i >= 0 {
			x.cfg.Aggregations = slices.Delete(x.cfg.Aggregations, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.Aggregations = append(x.cfg.Aggregations, config.Aggregation{Scheme: scheme})
	}
	x.open(modeAggregation, name)
}

func (x *cmd) ipSSH() {
	s := &x.cfg.SSH
	k := x.c.Keyword("authentication-retries", "port", "pubkey-chain", "time-out", "version")
	if k == "version" {
		if x.neg {
			x.c.Skip()
			s.Version2 = false
			return
		}
		if x.c.Uint(1, 2) == 1 {
			x.c.Invalid(x.c.Last(), "flowtap's SSH server speaks version 2 only")
		}
		x.c.End()
		s.Version2 = x.c.Err == nil
		return
	}
	if k == "pubkey-chain" {
		x.c.Invalid(x.c.Last(), "configure keys with username NAME ssh-key TYPE BASE64")
		return
	}
	if x.neg {
		x.c.Skip()
		switch k {
		case "port":
			s.Port = 0
		case "time-out":
			s.Timeout = 0
		case "authentication-retries":
			s.AuthRetries = 0
		}
		return
	}
	switch k {
	case "port":
		s.Port = int(x.c.Uint(1, 65535))
		x.touch("ssh.port")
	case "time-out":
		s.Timeout = time.Duration(x.c.Uint(1, 120)) * time.Second
		x.touch("ssh.timeout")
	case "authentication-retries":
		s.AuthRetries = int(x.c.Uint(1, 5))
		x.touch("ssh.auth-retries")
	}
	x.c.End()
}

// mls reads the Catalyst commands, which only the PFC personas have.
func (x *cmd) mls() {
	if !config.IsCatalyst(x.p) {
		x.c.Invalid(x.c.Last(), "the "+x.p.Name+" persona has no mls commands")
		return
	}
	switch x.c.Keyword("aging", "flow", "nde", "netflow", "sampling") {
	case "netflow":
		// `mls netflow` populates the PFC's NetFlow table (the default);
		// `no mls netflow` stops it.
		if x.c.Optional("interface") != "" {
			// Per-interface NetFlow entry creation (12.2(33)SXH):
			// flowtap meters only the ip flow ingress interfaces anyway.
			x.c.End()
			x.cfg.MLSNetflowInterface = !x.neg
			if !x.neg {
				x.touch("mls-netflow-interface")
			}
			return
		}
		x.c.End()
		x.cfg.NetflowOff = x.neg
	case "flow":
		mask, path := &x.cfg.Cache.Mask, "cache.mask"
		if x.c.Keyword("ip", "ipv6") == "ipv6" {
			if why := config.IPv6MaskReason(x.p); why != "" {
				x.c.Invalid(x.c.Last(), why)
				return
			}
			mask, path = &x.cfg.Cache.Mask6, "cache.mask6"
		}
		if x.neg {
			x.c.Skip()
			*mask = 0
			return
		}
		kw := x.c.Keyword(platform.MaskKeywords(x.p.Masks)...)
		x.c.End()
		*mask, _ = platform.ParseMask(kw)
		x.touch(path)
	case "aging":
		x.mlsAging()
	case "sampling":
		x.mlsSampling()
	case "nde":
		switch x.c.Keyword("sender", "flow", "interface", "tcp-flags") {
		case "flow":
			x.ndeFlowFilter()
			return
		case "tcp-flags":
			// flowtap's extension: export the TCP flags the meter saw
			// instead of the PFC's 0.
			x.c.End()
			x.cfg.NDETCPFlags = !x.neg
			if !x.neg {
				x.touch("nde-tcp-flags")
			}
			return
		case "interface":
			x.c.End()
			x.cfg.NDEInterface = !x.neg
			if !x.neg {
				x.touch("nde-interface")
			}
			return
		}
		if x.neg {
			x.c.Skip()
			x.cfg.NDE = false
			return
		}
		x.cfg.NDE = true
		if x.c.OptKeyword("version") != "" {
			x.cfg.Export.Version = x.exportVersion()
			x.touch("export.version")
		}
		x.c.End()
	}
}

// ndeFlowFilter reads `mls nde flow include|exclude FIELD...`: the fields
// in any order, each at most once; a new line replaces the filter, and
// `no mls nde flow include|exclude` removes it.
func (x *cmd) ndeFlowFilter() {
	f := &x.cfg.NDEFilters.Include
	if x.c.Keyword("exclude", "include") == "exclude" {
		f = &x.cfg.NDEFilters.Exclude
	}
	if x.neg {
		x.c.Skip()
		*f = platform.NDEFlowFilter{}
		return
	}
	var nf platform.NDEFlowFilter
	words := []string{"dest-port", "destination", "protocol", "source", "src-port"}
	for k := x.c.Keyword(words...); k != ""; k = x.c.Optional(words...) {
		words = slices.DeleteFunc(words, func(w string) bool { return w == k })
		switch k {
		case "dest-port":
			nf.DestPort = uint16(x.c.Uint(1, 65535))
		case "src-port":
			nf.SrcPort = uint16(x.c.Uint(1, 65535))
		case "protocol":
			nf.Protocol = 6
			if x.c.Keyword("tcp", "udp") == "udp" {
				nf.Protocol = 17
			}
		case "destination", "source":
			a := x.c.Addr(true)
			mask := x.c.Addr(true)
			if x.c.Err != nil {
				return
			}
			bits, ok := maskBits(mask)
			if !ok {
				x.c.Invalid(x.c.Last(), "not a contiguous mask")
				return
			}
			pfx := netip.PrefixFrom(a, bits).Masked()
			if k == "destination" {
				nf.Destination = pfx
			} else {
				nf.Source = pfx
			}
		}
		if len(words) == 0 {
			break
		}
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	*f = nf
	x.touch("nde-filter")
}

func (x *cmd) mlsAging() {
	k := &x.cfg.Cache
	a := x.p.Aging
	which := x.c.Keyword("fast", "long", "normal")
	if x.neg {
		x.c.Skip()
		switch which {
		case "normal":
			k.Inactive = 0
		case "long":
			k.Active = 0
		case "fast":
			k.FastTime, k.FastThreshold = 0, 0
		}
		return
	}
	switch which {
	case "normal":
		k.Inactive = time.Duration(x.c.Num(grammar.LimitDesc(a.Inactive), 1, config.MaxMinutes)) * time.Second
		x.touch("cache.inactive")
	case "long":
		k.Active = time.Duration(x.c.Num(grammar.LimitDesc(a.Active), 1, config.MaxMinutes)) * time.Second
		x.touch("cache.active")
	case "fast":
		t, n := time.Duration(a.FastTime.Default)*time.Second, uint64(0)
		x.touch("cache.fast-time")
		for k := x.c.Optional("threshold", "time"); k != ""; k = x.c.Optional("threshold", "time") {
			switch k {
			case "time":
				t = time.Duration(x.c.Num(grammar.LimitDesc(a.FastTime), 1, config.MaxMinutes)) * time.Second
			case "threshold":
				n = x.c.Num(grammar.LimitDesc(a.FastThreshold), 1, 1<<32-1)
			}
			x.touch("cache.fast-time")
		}
		k.FastTime, k.FastThreshold = t, n
	}
	x.c.End()
}

func (x *cmd) mlsSampling() {
	if x.neg {
		x.c.Skip()
		x.cfg.Sampling = platform.Sampling{}
		return
	}
	s := platform.Sampling{}
	switch x.c.Keyword("packet-based", "time-based") {
	case "time-based":
		s.Mode = platform.SamplingTimeBased
	case "packet-based":
		s.Mode = platform.SamplingPacketBased
	}
	s.Rate = uint32(x.c.Num("64|128|256|512|1024|2048|4096|8192", 1, 1<<32-1))
	x.touch("sampling")
	if s.Mode == platform.SamplingPacketBased && x.c.More() {
		s.Interval = time.Duration(x.c.Num("<8000-16000>", 1, 1<<32-1)) * time.Millisecond
		x.touch("sampling")
	}
	x.c.End()
	x.cfg.Sampling = s
}
