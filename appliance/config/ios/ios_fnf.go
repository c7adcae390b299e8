package ios

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// Flexible NetFlow (IOS-XE): `flow record|exporter|monitor NAME` blocks
// and the ports' `ip|ipv6 flow monitor NAME input|output`. The model
// keeps them as written (config.FNF); Normalize refuses what flowtap's one
// main cache cannot carry, and Effective folds the rest into it.

// flowGlobal is `[no] flow record|exporter|monitor NAME`.
func (x *cmd) flowGlobal() {
	k := x.c.Keyword("exporter", "monitor", "record")
	name := x.c.Name("WORD", config.CheckName32)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	f := &x.cfg.FNF
	path := "fnf." + k + "s[" + name + "]"
	switch k {
	case "record":
		keepNamed(x.neg, &f.Records, config.FlowRecord{Name: name}, func(r config.FlowRecord) string { return r.Name })
		if !x.neg {
			x.open(modeFlowRecord, name)
		}
	case "exporter":
		keepNamed(x.neg, &f.Exporters, config.FlowExporter{Name: name}, func(e config.FlowExporter) string { return e.Name })
		if !x.neg {
			x.open(modeFlowExporter, name)
		}
	case "monitor":
		keepNamed(x.neg, &f.Monitors, config.FlowMonitor{Name: name}, func(m config.FlowMonitor) string { return m.Name })
		if !x.neg {
			x.open(modeFlowMonitor, name)
		}
	}
	x.touch(path)
}

// fnfPhrase reads the words of one of table's phrases, keyword by
// keyword, so that `?` lists the next words and abbreviations work.
func (x *cmd) fnfPhrase(table []config.FNFField) (config.FNFField, bool) {
	var got []string
	for {
		prefix := strings.Join(got, " ")
		var next []string
		complete := false
		for _, f := range table {
			switch {
			case f.Phrase == prefix:
				complete = true
			case prefix == "" || strings.HasPrefix(f.Phrase, prefix+" "):
				w := strings.Fields(strings.TrimPrefix(f.Phrase[len(prefix):], " "))[0]
				if !slices.Contains(next, w) {
					next = append(next, w)
				}
			}
		}
		if complete {
			if len(next) == 0 || !x.c.More() {
				x.c.Offer(next...)
				f, _ := config.FindFNFField(table, prefix)
				return f, x.c.Err == nil
			}
		}
		w := x.c.Keyword(next...)
		if x.c.Err != nil {
			return config.FNFField{}, false
		}
		got = append(got, w)
	}
}

func (x *cmd) flowRecordMode() {
	k, ok := x.subMode("collect", "description", "match")
	if !ok {
		return
	}
	f := &x.cfg.FNF
	i := slices.IndexFunc(f.Records, func(r config.FlowRecord) bool { return r.Name == x.mode.key })
	if i < 0 {
		x.gone("flow record")
		return
	}
	r := &f.Records[i]
	path := "fnf.records[" + r.Name + "]"
	if k == "description" {
		if x.neg {
			x.c.Skip()
			r.Description = ""
			return
		}
		r.Description = x.c.Rest("LINE")
		x.touch(path + ".description")
		return
	}
	table, list := config.FNFMatches, &r.Match
	if k == "collect" {
		table, list = config.FNFCollects, &r.Collect
	}
	fld, ok := x.fnfPhrase(table)
	if !ok {
		return
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	j := slices.Index(*list, fld.Phrase)
	if x.neg {
		if j >= 0 {
			*list = slices.Delete(*list, j, j+1)
		}
		x.touch(path)
		return
	}
	if fld.Why != "" {
		x.c.Refuse("%s (%s %s)", fld.Why, k, fld.Phrase)
		return
	}
	if j < 0 {
		*list = append(*list, fld.Phrase)
	}
	if why := r.MixedFamily(); why != "" {
		// A record of one family: the other family's field is refused
		// as it is typed.
		x.c.Refuse("%s", why)
		return
	}
	x.touch(path)
}

func (x *cmd) flowExporterMode() {
	k, ok := x.subMode("description", "destination", "dscp", "export-protocol", "option", "source", "template", "transport", "ttl")
	if !ok {
		return
	}
	f := &x.cfg.FNF
	i := slices.IndexFunc(f.Exporters, func(e config.FlowExporter) bool { return e.Name == x.mode.key })
	if i < 0 {
		x.gone("flow exporter")
		return
	}
	e := &f.Exporters[i]
	path := "fnf.exporters[" + e.Name + "]"
	switch k {
	case "description":
		if x.neg {
			x.c.Skip()
			e.Description = ""
			return
		}
		e.Description = x.c.Rest("LINE")
	case "destination":
		if x.neg {
			x.c.Skip()
			e.Destination = netip.Addr{}
			x.touch(path + ".destination")
			return
		}
		a := x.c.Host(false, x.cfg.Names, x.offline, x.res)
		if x.c.OptKeyword("vrf") != "" {
			x.c.Refuse("Not supported on this platform: flowtap has no VRFs")
			return
		}
		x.c.End()
		e.Destination = a.Unmap()
		x.touch(path + ".destination")
	case "source":
		if x.neg {
			x.c.Skip()
			e.Source = ""
			x.touch(path + ".source")
			return
		}
		if x.c.More() && strings.Contains(x.c.Words[x.c.Pos].Text, "/") {
			w := x.c.Words[x.c.Pos].Text
			x.c.Invalid(x.c.Pos, "interface name \""+w+"\": not a Linux interface name; flowtap exports from the address of a Linux link (source eth0), not a router's slot/port")
			return
		}
		e.Source = x.c.Name("WORD", config.CheckIfName)
		x.c.End()
		x.touch(path + ".source")
	case "transport":
		x.c.Keyword("udp")
		if x.neg {
			x.c.Skip()
			e.Port = 0
			x.touch(path + ".port")
			return
		}
		e.Port = uint16(x.c.Uint(1, 65535))
		x.c.End()
		x.touch(path + ".port")
	case "export-protocol":
		if x.neg {
			x.c.Skip()
			e.Protocol = 0
			x.touch(path + ".protocol")
			return
		}
		switch x.c.Keyword("ipfix", "netflow-v5", "netflow-v9") {
		case "ipfix":
			e.Protocol = platform.IPFIX
		case "netflow-v5":
			e.Protocol = platform.V5
		case "netflow-v9":
			e.Protocol = platform.V9
		}
		x.c.End()
		x.touch(path + ".protocol")
	case "template":
		x.c.Keyword("data")
		x.c.Keyword("timeout")
		if x.neg {
			x.c.Skip()
			e.TemplateTimeout = 0
			x.touch(path + ".template")
			return
		}
		e.TemplateTimeout = time.Duration(x.c.Uint(1, 86400)) * time.Second
		x.c.End()
		x.touch(path + ".template")
	case "option":
		which := x.c.Keyword("application-table", "exporter-stats", "interface-table", "sampler-table")
		if x.c.Err != nil {
			return
		}
		if which == "application-table" {
			if x.neg {
				x.c.Skip()
				return
			}
			x.c.Refuse("No %s options template: flowtap's are the interface table (option interface-table), the sampler table (option sampler-table) and exporter statistics (option exporter-stats)", which)
			return
		}
		on, timeout := &e.InterfaceTable, &e.InterfaceTableTimeout
		switch which {
		case "sampler-table":
			on, timeout = &e.SamplerTable, &e.SamplerTableTimeout
		case "exporter-stats":
			on, timeout = &e.ExporterStats, &e.ExporterStatsTimeout
		}
		if x.neg {
			x.c.Skip()
			*on, *timeout = false, 0
			x.touch(path + ".options")
			return
		}
		var t time.Duration
		if x.c.Optional("timeout") != "" {
			t = time.Duration(x.c.Uint(1, 86400)) * time.Second
		}
		x.c.End()
		if x.c.Err != nil {
			return
		}
		if o := e.OptionsTimeout(); t != 0 && o != 0 && o != t && *timeout != o {
			x.c.Refuse("flowtap resends its options templates and records together: this exporter's other option resends every %d seconds", int(o/time.Second))
			return
		}
		*on, *timeout = true, t
		x.touch(path + ".options")
	case "ttl":
		if x.neg {
			x.c.Skip()
			e.TTL = 0
			x.touch(path + ".ttl")
			return
		}
		e.TTL = int(x.c.Uint(1, 255))
		x.c.End()
		x.touch(path + ".ttl")
	case "dscp":
		if x.neg {
			x.c.Skip()
			return
		}
		x.c.Uint(0, 63)
		x.c.End()
		if x.c.Err == nil {
			x.c.Refuse("DSCP is not set per exporter: flowtap's export packets leave with DSCP 0")
		}
	}
}

func (x *cmd) flowMonitorMode() {
	k, ok := x.subMode("cache", "description", "exporter", "record", "statistics")
	if !ok {
		return
	}
	f := &x.cfg.FNF
	i := slices.IndexFunc(f.Monitors, func(m config.FlowMonitor) bool { return m.Name == x.mode.key })
	if i < 0 {
		x.gone("flow monitor")
		return
	}
	m := &f.Monitors[i]
	path := "fnf.monitors[" + m.Name + "]"
	switch k {
	case "description":
		if x.neg {
			x.c.Skip()
			m.Description = ""
			return
		}
		m.Description = x.c.Rest("LINE")
	case "statistics":
		x.c.Keyword("packet")
		w := x.c.Keyword("protocol", "size")
		if x.c.Err == nil && !x.neg {
			x.c.Refuse("No packet %s statistics per monitor: show ip cache flow shows flowtap's protocol and size distributions", w)
		}
		x.c.Skip()
	case "exporter":
		name := x.c.Name("WORD", config.CheckName32)
		x.c.End()
		if x.c.Err != nil {
			return
		}
		j := slices.Index(m.Exporters, name)
		switch {
		case x.neg && j >= 0:
			m.Exporters = slices.Delete(m.Exporters, j, j+1)
		case !x.neg && j < 0:
			m.Exporters = append(m.Exporters, name)
		}
		x.touch(path + ".exporter")
	case "record":
		if x.neg {
			x.c.Skip()
			m.Record = ""
			x.touch(path + ".record")
			return
		}
		var name string
		switch x.c.TryKeyword("netflow", "netflow-original") {
		case "netflow-original":
			name = "netflow-original"
		case "netflow":
			fam := x.c.Keyword("ipv4", "ipv6")
			w := x.c.Keyword("original-input", "original-output")
			if w == "original-output" && x.c.Err == nil {
				x.c.Refuse("record netflow %s original-output keys on the output interface; flowtap's cache keys on the input interface", fam)
				return
			}
			name = "netflow " + fam + " " + w
		default:
			name = x.c.Name("WORD", config.CheckName32)
		}
		x.c.End()
		if x.c.Err != nil {
			return
		}
		m.Record = name
		x.touch(path + ".record")
	case "cache":
		x.flowMonitorCache(m, path)
	}
}

func (x *cmd) flowMonitorCache(m *config.FlowMonitor, path string) {
	switch x.c.Keyword("entries", "timeout", "type") {
	case "entries":
		if x.neg {
			x.c.Skip()
			m.Entries = 0
			x.touch(path + ".entries")
			return
		}
		m.Entries = int(x.c.Num("<16-1048576>", 1, 1<<31-1))
		x.c.End()
		x.touch(path + ".entries")
	case "type":
		w := x.c.Keyword("immediate", "normal", "permanent")
		x.c.End()
		if x.c.Err == nil && w != "normal" && !x.neg {
			x.c.Refuse("No %s cache: flowtap's main cache is a normal cache, aged by its timeouts", w)
		}
	case "timeout":
		which := x.c.Keyword("active", "event", "inactive", "update")
		if x.c.Err != nil {
			return
		}
		if which == "event" || which == "update" {
			if x.neg {
				x.c.Skip()
				return
			}
			x.c.Refuse("No %s timeout: flowtap's main cache ages flows with active and inactive timeouts only", which)
			return
		}
		d := &m.Active
		if which == "inactive" {
			d = &m.Inactive
		}
		if x.neg {
			x.c.Skip()
			*d = 0
			x.touch(path + "." + which)
			return
		}
		*d = time.Duration(x.c.Num("<1-604800>", 1, 604800)) * time.Second
		x.c.End()
		x.touch(path + "." + which)
	}
}

// interfaceFlowMonitor is `[no] ip|ipv6 flow monitor NAME [sampler S]
// input|output` on a port, the words after `flow`.
func (x *cmd) interfaceFlowMonitor(it *config.Interface, family int) {
	name := x.c.Name("WORD", config.CheckName32)
	sampler := ""
	if x.c.TryKeyword("sampler") != "" {
		sampler = x.c.Name("WORD", config.CheckName32)
	}
	dir := x.c.Keyword("input", "output")
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if sampler != "" && dir == "output" && !x.neg {
		x.c.Refuse("flowtap samples ingress only: sampler %s cannot sample an output monitor", sampler)
		return
	}
	b := config.MonitorBinding{Interface: it.Name, Family: family, Output: dir == "output", Monitor: name}
	slot := map[[2]int]*string{{4, 0}: &it.MonitorIn, {4, 1}: &it.MonitorOut, {6, 0}: &it.MonitorIn6, {6, 1}: &it.MonitorOut6}[[2]int{family, map[bool]int{false: 0, true: 1}[b.Output]}]
	// The other family's input monitor, which shares the port's sampler.
	other := &it.MonitorIn6
	if family == 6 {
		other = &it.MonitorIn
	}
	if x.neg {
		if *slot == name {
			*slot = ""
		}
		if it.MonitorIn == "" && it.MonitorIn6 == "" {
			it.MonitorSampler = ""
		}
		x.touch(b.Path())
		return
	}
	if !b.Output && *other != "" && sampler != it.MonitorSampler {
		x.c.Refuse("flowtap samples a port's packets of both families through one sampler: %s has %s; give both input monitors the same sampler",
			config.MonitorBinding{Family: 10 - family, Monitor: *other}.Line(), orWord(it.MonitorSampler, "no sampler"))
		return
	}
	if *slot != "" && *slot != name {
		x.c.Refuse("%s already has flow monitor %s %s; flowtap has one cache per port and direction: remove it first (no %s)", it.Name, *slot, dir,
			config.MonitorBinding{Family: family, Output: b.Output, Monitor: *slot}.Line())
		return
	}
	*slot = name
	if !b.Output {
		it.MonitorSampler = sampler
		if sampler != "" {
			x.touch("interfaces[" + it.Name + "].monitor-sampler")
		}
	}
	x.touch(b.Path())
}

func orWord(s, none string) string {
	if s == "" {
		return none
	}
	return "sampler " + s
}

// samplerGlobal is IOS-XE's `[no] sampler NAME`: a flow-sampler-map
// written the FNF way (config.SamplerMap.FNF).
func (x *cmd) samplerGlobal() { x.openSampler(true) }

// fnfSamplerMode is `sampler NAME`'s ` description LINE` and ` mode
// deterministic|random 1 out-of N`.
func (x *cmd) fnfSamplerMode() {
	k, ok := x.subMode("description", "mode")
	if !ok {
		return
	}
	i := slices.IndexFunc(x.cfg.Samplers, func(m config.SamplerMap) bool { return m.Name == x.mode.key })
	if i < 0 {
		x.gone("sampler")
		return
	}
	m := &x.cfg.Samplers[i]
	path := "samplers[" + m.Name + "]"
	if k == "description" {
		if x.neg {
			x.c.Skip()
			m.Description = ""
			return
		}
		m.Description = x.c.Rest("LINE")
		x.touch(path + ".description")
		return
	}
	if x.neg {
		x.c.Skip()
		m.Rate, m.Deterministic = 0, false
		x.touch(path + ".rate")
		return
	}
	det := x.c.Keyword("deterministic", "random") == "deterministic"
	x.c.Keyword("1")
	x.c.Keyword("out-of")
	rate := uint32(x.c.Num("<2-32768>", 2, 32768))
	x.c.End()
	if x.c.Err != nil {
		return
	}
	m.Rate, m.Deterministic = rate, det
	x.touch(path + ".rate")
}

// renderFNF writes the flow records, exporters and monitors as IOS-XE's
// running-config does: each block's lines in IOS's order (descriptions
// first, a monitor's record last), a record's fields in the order typed.
// [RECALL] of IOS-XE 16/17 running-configs; the corpus's ISR 4431
// section reads back as it is.
func renderFNF(r *iosWriter, f config.FNF) {
	for _, rec := range f.Records {
		r.line("flow record %s", rec.Name)
		if rec.Description != "" {
			r.line(" description %s", rec.Description)
		}
		for _, m := range rec.Match {
			r.line(" match %s", m)
		}
		for _, c := range rec.Collect {
			r.line(" collect %s", c)
		}
		r.section()
	}
	for _, e := range f.Exporters {
		r.line("flow exporter %s", e.Name)
		if e.Description != "" {
			r.line(" description %s", e.Description)
		}
		if e.Destination.IsValid() {
			r.line(" destination %s", e.Destination)
		}
		if e.Source != "" {
			r.line(" source %s", e.Source)
		}
		if e.TTL != 0 {
			r.line(" ttl %d", e.TTL)
		}
		if e.Port != 0 {
			r.line(" transport udp %d", e.Port)
		}
		switch e.Protocol {
		case platform.V5:
			r.line(" export-protocol netflow-v5")
		case platform.IPFIX:
			r.line(" export-protocol ipfix")
		}
		if e.TemplateTimeout != 0 {
			r.line(" template data timeout %d", int(e.TemplateTimeout/time.Second))
		}
		renderOption(r, "interface-table", e.InterfaceTable, e.InterfaceTableTimeout)
		renderOption(r, "sampler-table", e.SamplerTable, e.SamplerTableTimeout)
		renderOption(r, "exporter-stats", e.ExporterStats, e.ExporterStatsTimeout)
		r.section()
	}
	for _, m := range f.Monitors {
		r.line("flow monitor %s", m.Name)
		if m.Description != "" {
			r.line(" description %s", m.Description)
		}
		for _, e := range m.Exporters {
			r.line(" exporter %s", e)
		}
		if m.Inactive != 0 {
			r.line(" cache timeout inactive %d", int(m.Inactive/time.Second))
		}
		if m.Active != 0 {
			r.line(" cache timeout active %d", int(m.Active/time.Second))
		}
		if m.Entries != 0 {
			r.line(" cache entries %d", m.Entries)
		}
		if m.Record != "" {
			r.line(" record %s", m.Record)
		}
		r.section()
	}
}

func renderOption(r *iosWriter, name string, on bool, timeout time.Duration) {
	switch {
	case on && timeout != 0:
		r.line(" option %s timeout %d", name, int(timeout/time.Second))
	case on:
		r.line(" option %s", name)
	}
}

// renderBindings writes a port's flow monitors, the sampler on the
// input ones.
func renderBindings(r *iosWriter, it config.Interface) {
	for _, l := range it.MonitorLines() {
		r.line(" %s", l)
	}
}

// renderFNFSamplers writes the `sampler` blocks.
func renderFNFSamplers(r *iosWriter, ms []config.SamplerMap) {
	for _, m := range ms {
		if !m.FNF {
			continue
		}
		r.line("sampler %s", m.Name)
		if m.Description != "" {
			r.line(" description %s", m.Description)
		}
		if m.Rate != 0 {
			r.line(" mode %s 1 out-of %d", samplerMode(m), m.Rate)
		}
		r.section()
	}
}

// fnfHelp is `?` for the Flexible NetFlow commands, worded as IOS-XE's
// help [RECALL]; init adds it to keywordHelp.
var fnfHelp = map[string]string{
	"config flow":                          "Global Flow configuration subcommands",
	"config flow record":                   "Flow Record configuration",
	"config flow exporter":                 "Flow Exporter configuration",
	"config flow monitor":                  "Flow Monitor configuration",
	"flow record WORD":                     "User defined Flow Record name",
	"flow exporter WORD":                   "User defined Flow Exporter name",
	"flow monitor WORD":                    "User defined Flow Monitor name",
	"config-flow-record exit":              "Exit from Flow Record configuration mode",
	"config-flow-exporter exit":            "Exit from Flow Exporter configuration mode",
	"config-flow-monitor exit":             "Exit from Flow Monitor configuration mode",
	"config-flow-record match":             "Specify a key field",
	"config-flow-record collect":           "Specify a non-key field",
	"match ipv4":                           "IPv4 fields",
	"match ipv6":                           "IPv6 fields",
	"match transport":                      "Transport layer fields",
	"match interface":                      "Interface fields",
	"match flow":                           "Flow identifying fields",
	"match datalink":                       "Datalink (layer2) fields",
	"match application":                    "Application fields",
	"collect ipv4":                         "IPv4 fields",
	"collect ipv6":                         "IPv6 fields",
	"collect transport":                    "Transport layer fields",
	"collect interface":                    "Interface fields",
	"collect flow":                         "Flow identifying fields",
	"collect datalink":                     "Datalink (layer2) fields",
	"collect application":                  "Application fields",
	"collect counter":                      "Counter fields",
	"collect timestamp":                    "Timestamp fields",
	"collect routing":                      "Routing attributes",
	"match ipv4 source":                    "IPv4 source address",
	"match ipv4 destination":               "IPv4 destination address",
	"match ipv6 source":                    "IPv6 source address",
	"match ipv6 destination":               "IPv6 destination address",
	"collect ipv4 source":                  "IPv4 source address based fields",
	"collect ipv4 destination":             "IPv4 destination address based fields",
	"collect ipv6 source":                  "IPv6 source address based fields",
	"collect ipv6 destination":             "IPv6 destination address based fields",
	"ipv4 protocol":                        "IP protocol",
	"ipv6 protocol":                        "IPv6 payload protocol",
	"ipv4 tos":                             "IPv4 type of service",
	"ipv6 traffic-class":                   "IPv6 traffic class",
	"ipv4 dscp":                            "IPv4 DSCP",
	"ipv6 dscp":                            "IPv6 DSCP",
	"ipv6 flow-label":                      "IPv6 flow label",
	"ipv6 extension":                       "IPv6 extension header fields",
	"extension map":                        "IPv6 extension header map",
	"ipv4 ttl":                             "IPv4 time to live",
	"ipv6 hop-limit":                       "IPv6 hop limit",
	"ipv4 total-length":                    "IPv4 total length",
	"ipv4 id":                              "IPv4 identification",
	"ipv4 fragmentation":                   "IPv4 fragmentation fields",
	"fragmentation offset":                 "IPv4 fragment offset",
	"fragmentation flags":                  "IPv4 fragmentation flags",
	"ttl minimum":                          "Minimum TTL",
	"ttl maximum":                          "Maximum TTL",
	"hop-limit minimum":                    "Minimum hop limit",
	"hop-limit maximum":                    "Maximum hop limit",
	"total-length minimum":                 "Minimum total length",
	"total-length maximum":                 "Maximum total length",
	"transport source-port":                "Transport source port",
	"transport destination-port":           "Transport destination port",
	"transport tcp":                        "TCP fields",
	"transport icmp":                       "ICMP fields",
	"tcp flags":                            "TCP flags",
	"icmp ipv4":                            "ICMP over IPv4",
	"icmp ipv6":                            "ICMP over IPv6",
	"ipv4 type":                            "ICMP type",
	"ipv4 code":                            "ICMP code",
	"ipv6 type":                            "ICMPv6 type",
	"ipv6 code":                            "ICMPv6 code",
	"match interface input":                "The input interface",
	"match interface output":               "The output interface",
	"collect interface input":              "The input interface",
	"collect interface output":             "The output interface",
	"flow direction":                       "Direction the observed packet was traveling",
	"flow sampler":                         "Sampler ID",
	"application name":                     "Application name",
	"datalink mac":                         "MAC address fields",
	"datalink dot1q":                       "802.1Q fields",
	"datalink ethertype":                   "Ethertype of the packet",
	"dot1q vlan":                           "VLAN ID",
	"counter bytes":                        "Total number of bytes",
	"counter packets":                      "Total number of packets",
	"counter flows":                        "Number of flows",
	"bytes long":                           "Total number of bytes (64 bit counter)",
	"packets long":                         "Total number of packets (64 bit counter)",
	"timestamp sys-uptime":                 "Timestamp based on system uptime",
	"timestamp absolute":                   "Absolute time",
	"sys-uptime first":                     "Time the flow was first seen",
	"sys-uptime last":                      "Time the flow was last seen",
	"absolute first":                       "Time the flow was first seen",
	"absolute last":                        "Time the flow was last seen",
	"routing next-hop":                     "Next hop information",
	"next-hop address":                     "Next hop address",
	"address ipv4":                         "IPv4 next hop address",
	"address ipv6":                         "IPv6 next hop address",
	"ipv4 bgp":                             "BGP next hop",
	"ipv6 bgp":                             "BGP next hop",
	"routing source":                       "Source routing attributes",
	"routing destination":                  "Destination routing attributes",
	"mac source":                           "Source MAC address",
	"mac destination":                      "Destination MAC address",
	"address input":                        "Packets received by the interface",
	"config-flow-exporter dscp":            "Optional DSCP",
	"config-flow-exporter ttl":             "Optional TTL or hop limit",
	"dscp <0-63>":                          "DSCP",
	"ttl <1-255>":                          "Time to live",
	"config-flow-exporter transport":       "Transport protocol",
	"transport udp":                        "UDP transport protocol",
	"udp <1-65535>":                        "Port value",
	"config-flow-exporter export-protocol": "Export protocol version",
	"export-protocol ipfix":                "IPFIX export protocol",
	"export-protocol netflow-v5":           "NetFlow Version 5",
	"export-protocol netflow-v9":           "NetFlow Version 9",
	"config-flow-exporter option":          "Select an option for exporting",
	"option application-table":             "Application Table Option",
	"option exporter-stats":                "Exporter Statistics Option",
	"option interface-table":               "Interface SNMP-index-to-name Table Option",
	"option sampler-table":                 "Export Sampler Option",
	"config-flow-exporter template":        "Flow Exporter Template configuration",
	"template data":                        "Data Template configuration",
	"data timeout":                         "Resend data based on a timeout",
	"timeout <1-86400>":                    "Timeout period in seconds",
	"config-flow-exporter source":          "Originating interface",
	"config-flow-exporter source WORD":     "Interface name",
	"config-flow-exporter destination Hostname or A.B.C.D or X:X:X:X::X": "Destination IPv4 or IPv6 address or hostname",
	"config-flow-exporter destination":                                   "Export destination configuration",
	"config-flow-exporter description":                                   "Provide a description for this Flow Exporter",
	"config-flow-record description":                                     "Provide a description for this Flow Record",
	"config-flow-monitor description":                                    "Provide a description for this Flow Monitor",
	"config-flow-monitor exporter":                                       "Add an exporter to use to export records",
	"config-flow-monitor exporter WORD":                                  "Flow Exporter name",
	"config-flow-monitor record":                                         "Specify flow record to use to define the cache",
	"config-flow-monitor record WORD":                                    "Flow Record name",
	"record netflow":                                                     "Traditional NetFlow collection schemes",
	"record netflow-original":                                            "Traditional IPv4 input NetFlow with origin ASs",
	"netflow ipv4":                                                       "IPv4 NetFlow collection schemes",
	"netflow ipv6":                                                       "IPv6 NetFlow collection schemes",
	"ipv4 original-input":                                                "Traditional IPv4 input NetFlow",
	"ipv4 original-output":                                               "Traditional IPv4 output NetFlow",
	"ipv6 original-input":                                                "Traditional IPv6 input NetFlow",
	"ipv6 original-output":                                               "Traditional IPv6 output NetFlow",
	"config-flow-monitor statistics":                                     "Collect statistics",
	"statistics packet":                                                  "Packet statistics",
	"packet protocol":                                                    "Protocol distribution statistics",
	"packet size":                                                        "Size distribution statistics",
	"config-flow-monitor cache":                                          "Configure Flow Cache parameters",
	"cache type":                                                         "Type of the flow cache",
	"type immediate":                                                     "Immediate flow cache",
	"type normal":                                                        "Normal flow cache",
	"type permanent":                                                     "Permanent flow cache",
	"config-flow-monitor cache entries":                                  "Maximum number of entries in the cache",
	"config-flow-monitor cache timeout":                                  "Cache timeout",
	"timeout event":                                                      "Timeout for event-based flow export",
	"timeout update":                                                     "Timeout for periodic export of permanent cache entries",
	"config-flow-monitor cache timeout active <1-604800>":                "Active timeout in seconds",
	"config-flow-monitor cache timeout inactive <1-604800>":              "Inactive timeout in seconds",
	"entries <16-1048576>":                                               "The number of entries in the flow cache",
	"config-if ip flow monitor":                                          "Apply a Flow Monitor",
	"config-if ipv6 flow monitor":                                        "Apply a Flow Monitor",
	"monitor WORD sampler":                                               "Optional Sampler to apply to this Flow Monitor",
	"config sampler":                                                     "Sampler configuration",
	"config-sampler description":                                         "Provide a description for this sampler",
	"deterministic 1":                                                    "Sample one packet",
	"random 1":                                                           "Sample one packet",
	"1 out-of":                                                           "Sample one packet out of N",
	"out-of <2-32768>":                                                   "Sampling interval (N)",
	"sampler WORD":                                                       "Sampler name",
}

func init() {
	for k, v := range fnfHelp {
		if _, dup := keywordHelp[k]; dup {
			panic("fnfHelp: " + k + " is in keywordHelp already")
		}
		keywordHelp[k] = v
	}
}

// keepNamed adds v to list unless an element of its name is there or,
// negated (`no`), takes that element out.
func keepNamed[T any](neg bool, list *[]T, v T, name func(T) string) {
	i := slices.IndexFunc(*list, func(e T) bool { return name(e) == name(v) })
	switch {
	case neg && i >= 0:
		*list = slices.Delete(*list, i, i+1)
	case !neg && i < 0:
		*list = append(*list, v)
	}
}
