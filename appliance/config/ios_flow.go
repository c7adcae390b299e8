package config

import (
	"net/netip"
	"slices"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
)

func (x *cmd) ip() {
	switch x.c.keyword("access-list", "flow-aggregation", "flow-cache", "flow-capture", "flow-export", "flow-top-talkers", "ssh") {
	case "access-list":
		x.ipAccessList()
	case "flow-cache":
		x.ipFlowCache()
	case "flow-capture":
		x.ipFlowCapture()
	case "flow-export":
		x.ipFlowExport()
	case "flow-aggregation":
		x.c.keyword("cache")
		x.aggregationCmd()
	case "flow-top-talkers":
		x.c.end()
		if x.neg {
			x.cfg.TopTalkers = TopTalkers{}
			return
		}
		x.cfg.TopTalkers.Configured = true
		x.open(modeTopTalkers, "")
	case "ssh":
		x.ipSSH()
	}
}

func (x *cmd) ipFlowCache() {
	k := &x.cfg.Cache
	switch x.c.keyword("entries", "timeout") {
	case "entries":
		if x.neg {
			x.c.skip()
			k.Entries = 0
			return
		}
		n := x.c.num(limitDesc(x.p.Table.Entries), 1, 1<<31-1)
		x.c.end()
		k.Entries = int(n)
		x.touch("cache.entries")
	case "timeout":
		which := x.c.keyword("active", "inactive")
		if x.c.err == nil && isCatalyst(x.p) {
			x.c.refuse("the %s persona ages its cache with mls aging normal and long", x.p.Name)
			return
		}
		if x.neg {
			x.c.skip()
			if which == "active" {
				k.Active = 0
			} else {
				k.Inactive = 0
			}
			return
		}
		if which == "active" {
			k.Active = time.Duration(x.c.num("<1-60>", 1, maxMinutes)) * time.Minute
			x.touch("cache.active")
		} else {
			k.Inactive = time.Duration(x.c.num(limitDesc(x.p.Aging.Inactive), 1, maxMinutes)) * time.Second
			x.touch("cache.inactive")
		}
		x.c.end()
	}
}

var captureFields = map[string]export.Capture{
	"mac-addresses": export.CaptureMAC,
	"ttl":           export.CaptureTTL,
	"vlan-id":       export.CaptureVLAN,
}

func (x *cmd) ipFlowCapture() {
	k := x.c.keyword("fragment-offset", "icmp", "ip-id", "mac-addresses", "nbar", "packet-length", "ttl", "vlan-id")
	x.c.end()
	if x.c.err != nil {
		return
	}
	bit, ok := captureFields[k]
	switch {
	case !ok:
		x.c.invalid(x.c.last(), "flowtap captures ttl, mac-addresses and vlan-id only")
	case x.neg:
		x.cfg.Capture &^= bit
	default:
		x.cfg.Capture |= bit
	}
}

var asModes = map[string]export.ASMode{"origin-as": export.ASOrigin, "peer-as": export.ASPeer}

// exportVersion reads 5, 7, 8, 9 or ipfix; the persona judges which it
// offers.
func (x *cmd) exportVersion() platform.ExportVersion {
	if x.c.tryKeyword("ipfix") != "" {
		return platform.IPFIX
	}
	n := x.c.num("5|7|8|9|ipfix", 5, 9)
	switch n {
	case 5, 7, 8, 9:
		return platform.ExportVersion(n)
	}
	if x.c.err == nil {
		x.c.invalid(x.c.last(), "")
	}
	return 0
}

func (x *cmd) ipFlowExport() {
	e := &x.cfg.Export
	switch x.c.keyword("destination", "interface-names", "source", "template", "version") {
	case "version":
		if x.neg {
			x.c.skip()
			e.Version, e.AS, e.BGPNextHop = 0, export.ASNone, false
			return
		}
		v := x.exportVersion()
		x.touch("export.version")
		as, bgp := export.ASNone, false
		for x.c.more() {
			switch k := x.c.keyword("bgp-nexthop", "origin-as", "peer-as"); k {
			case "origin-as", "peer-as":
				if as != export.ASNone {
					x.c.invalid(x.c.last(), "origin-as and peer-as exclude each other")
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
			x.c.skip()
			e.Source = ""
			return
		}
		e.Source = x.c.name("WORD", checkIfName)
		x.c.end()
		x.touch("export.source")
	case "template":
		x.exportTemplate()
	case "interface-names":
		x.c.end()
		e.InterfaceNames = !x.neg
	}
}

func (x *cmd) exportDestination() {
	a := x.c.addr(false)
	port := x.c.uint(1, 65535)
	if x.c.err != nil {
		return
	}
	ap := netip.AddrPortFrom(a.Unmap(), uint16(port))
	path := "export.destinations[" + ap.String() + "]"
	x.touch(path)
	e := &x.cfg.Export
	i := slices.IndexFunc(e.Destinations, func(d Destination) bool { return d.Addr == ap })
	if x.neg {
		x.c.skip()
		if i >= 0 {
			e.Destinations = slices.Delete(e.Destinations, i, i+1)
		}
		return
	}
	d := Destination{Addr: ap}
	for x.c.more() {
		switch x.c.keyword("origin-as", "peer-as", "source-address", "version") {
		case "origin-as":
			d.AS = export.ASOrigin
			x.touch(path + ".as")
		case "peer-as":
			d.AS = export.ASPeer
			x.touch(path + ".as")
		case "version":
			d.Version = x.exportVersion()
			x.touch(path + ".version")
		case "source-address":
			d.SourceAddress = x.c.addr(false)
			x.touch(path + ".source-address")
		}
	}
	if x.c.err != nil {
		return
	}
	if i >= 0 {
		e.Destinations[i] = d
	} else {
		e.Destinations = append(e.Destinations, d)
	}
}

func (x *cmd) exportTemplate() {
	e := &x.cfg.Export
	k := x.c.keyword("options", "refresh-rate", "timeout-rate")
	if k == "options" {
		x.c.invalid(x.c.last(), "options templates follow the template settings")
		return
	}
	if x.neg {
		x.c.skip()
		if k == "refresh-rate" {
			e.TemplateRefresh = 0
		} else {
			e.TemplateTimeout = 0
		}
		return
	}
	if k == "refresh-rate" {
		e.TemplateRefresh = int(x.c.uint(1, 600))
		x.touch("export.template-refresh")
	} else {
		e.TemplateTimeout = time.Duration(x.c.uint(1, 3600)) * time.Minute
		x.touch("export.template-timeout")
	}
	x.c.end()
}

// aggSchemeKeywords are the `ip flow-aggregation cache` schemes.
func aggSchemeKeywords() []string {
	var out []string
	for _, s := range export.Schemes() {
		if aggScheme(s) {
			out = append(out, s.String())
		}
	}
	return out
}

func (x *cmd) aggregationCmd() {
	name := x.c.keyword(aggSchemeKeywords()...)
	x.c.end()
	if x.c.err != nil {
		return
	}
	scheme, _ := export.ParseScheme(name)
	i := slices.IndexFunc(x.cfg.Aggregations, func(a Aggregation) bool { return a.Scheme == scheme })
	if x.neg {
		if i >= 0 {
			x.cfg.Aggregations = slices.Delete(x.cfg.Aggregations, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.Aggregations = append(x.cfg.Aggregations, Aggregation{Scheme: scheme})
	}
	x.open(modeAggregation, name)
}

func (x *cmd) ipSSH() {
	s := &x.cfg.SSH
	k := x.c.keyword("authentication-retries", "port", "pubkey-chain", "time-out")
	if k == "pubkey-chain" {
		x.c.invalid(x.c.last(), "configure keys with username NAME ssh-key TYPE BASE64")
		return
	}
	if x.neg {
		x.c.skip()
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
		s.Port = int(x.c.uint(1, 65535))
		x.touch("ssh.port")
	case "time-out":
		s.Timeout = time.Duration(x.c.uint(1, 120)) * time.Second
		x.touch("ssh.timeout")
	case "authentication-retries":
		s.AuthRetries = int(x.c.uint(1, 5))
		x.touch("ssh.auth-retries")
	}
	x.c.end()
}

var maskKeywords = []string{"destination", "destination-source", "full", "interface-destination-source", "interface-full", "source"}

// mls reads the Catalyst commands, which only the PFC personas have.
func (x *cmd) mls() {
	if !isCatalyst(x.p) {
		x.c.invalid(x.c.last(), "the "+x.p.Name+" persona has no mls commands")
		return
	}
	switch x.c.keyword("aging", "flow", "nde", "sampling") {
	case "flow":
		if x.c.keyword("ip", "ipv6") == "ipv6" {
			x.c.invalid(x.c.last(), "IPv6 flows use the IPv4 flow mask")
			return
		}
		if x.neg {
			x.c.skip()
			x.cfg.Cache.Mask = 0
			return
		}
		kw := x.c.keyword(maskKeywords...)
		x.c.end()
		x.cfg.Cache.Mask, _ = platform.ParseMask(kw)
		x.touch("cache.mask")
	case "aging":
		x.mlsAging()
	case "sampling":
		x.mlsSampling()
	case "nde":
		x.c.keyword("sender")
		if x.neg {
			x.c.skip()
			x.cfg.NDE = false
			return
		}
		x.cfg.NDE = true
		if x.c.optKeyword("version") != "" {
			x.cfg.Export.Version = x.exportVersion()
			x.touch("export.version")
		}
		x.c.end()
	}
}

func (x *cmd) mlsAging() {
	k := &x.cfg.Cache
	a := x.p.Aging
	which := x.c.keyword("fast", "long", "normal")
	if x.neg {
		x.c.skip()
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
		k.Inactive = time.Duration(x.c.num(limitDesc(a.Inactive), 1, maxMinutes)) * time.Second
		x.touch("cache.inactive")
	case "long":
		k.Active = time.Duration(x.c.num(limitDesc(a.Active), 1, maxMinutes)) * time.Second
		x.touch("cache.active")
	case "fast":
		t, n := time.Duration(a.FastTime.Default)*time.Second, uint64(0)
		x.touch("cache.fast-time")
		for x.c.more() {
			switch x.c.keyword("threshold", "time") {
			case "time":
				t = time.Duration(x.c.num(limitDesc(a.FastTime), 1, maxMinutes)) * time.Second
			case "threshold":
				n = x.c.num(limitDesc(a.FastThreshold), 1, 1<<32-1)
			}
			x.touch("cache.fast-time")
		}
		k.FastTime, k.FastThreshold = t, n
	}
	x.c.end()
}

func (x *cmd) mlsSampling() {
	if x.neg {
		x.c.skip()
		x.cfg.Sampling = platform.Sampling{}
		return
	}
	s := platform.Sampling{}
	switch x.c.keyword("packet-based", "time-based") {
	case "time-based":
		s.Mode = platform.SamplingTimeBased
	case "packet-based":
		s.Mode = platform.SamplingPacketBased
	}
	s.Rate = uint32(x.c.num("64|128|256|512|1024|2048|4096|8192", 1, 1<<32-1))
	x.touch("sampling")
	if s.Mode == platform.SamplingPacketBased && x.c.more() {
		s.Interval = time.Duration(x.c.num("<8000-16000>", 1, 1<<32-1)) * time.Millisecond
		x.touch("sampling")
	}
	x.c.end()
	x.cfg.Sampling = s
}
