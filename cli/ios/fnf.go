package ios

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/flow"

	"github.com/flowtap/flowtap/cli/show"
)

// fnfShow is IOS-XE's `show flow record|exporter|monitor|interface`:
// Flexible NetFlow's blocks with the main cache's and the collectors'
// counters (see show.FNFView).
func fnfShow() *Node {
	return kw("flow", "Flow information",
		kw("record", "Flow record information",
			kw("netflow", "Traditional NetFlow collection schemes",
				kw("ipv4", "Traditional IPv4 NetFlow collection schemes",
					kw("original-input", "Traditional IPv4 input NetFlow").Runs(fnfRun("record", show.FlowRecords))),
				kw("ipv6", "Traditional IPv6 NetFlow collection schemes",
					kw("original-input", "Traditional IPv6 input NetFlow").Runs(fnfRun("record", show.FlowRecords)))),
			arg("WORD", "Flow record name", nil).Runs(fnfRun("record", show.FlowRecords))).Runs(fnfRun("record", show.FlowRecords)),
		kw("exporter", "Flow exporter information", append(named("exporter", func() []*Node {
			return []*Node{kw("statistics", "Show flow exporter statistics").Runs(fnfRun("exporter", show.FlowExporterStatistics)),
				kw("templates", "Show flow exporter templates").Runs(fnfTemplates)}
		}, fnfRun("exporter", show.FlowExporters)),
			kw("templates", "Show flow exporter templates").Runs(fnfTemplates))...).Runs(fnfRun("exporter", show.FlowExporters)),
		kw("monitor", "Flow monitor information", named("monitor", func() []*Node {
			return []*Node{kw("statistics", "Show flow monitor statistics").Runs(fnfRun("monitor", show.FlowMonitorStatistics)), fnfCacheNode()}
		}, fnfRun("monitor", show.FlowMonitors))...).Runs(fnfRun("monitor", show.FlowMonitors)),
		kw("interface", "Flow interface information",
			arg("WORD", "Interface name", nil).Runs(fnfInterfaces)).Runs(fnfInterfaces))
}

// named is what follows `show flow exporter|monitor`: `statistics` of
// them all, or one's NAME, typed alone or after IOS-XE's `name` keyword
// (`show flow monitor name M cache format table` [RECALL]), then what
// kids gives; one runs NAME alone.
func named(kind string, kids func() []*Node, one func(*Session, io.Writer, []string) error) []*Node {
	help := "Flow " + kind + " name"
	return []*Node{
		kids()[0],
		kw("name", "Name of a flow "+kind, arg("WORD", help, nil, kids()...).Runs(one)),
		arg("WORD", help, nil, kids()...).Runs(one),
	}
}

// fnfName is the NAME typed after `show flow KIND [name]`, or "".
func fnfName(args []string) string {
	name, _ := fnfNameRest(args)
	return name
}

// fnfNameRest is the NAME of `show|clear flow KIND [name] NAME ...` and
// the words after it; "" and the words after KIND when no name is given.
func fnfNameRest(args []string) (string, []string) {
	switch {
	case len(args) > 5 && args[2] == "record" && args[3] == "netflow":
		// A predefined record's name is three words.
		return strings.Join(args[3:6], " "), args[6:]
	case len(args) > 4 && args[3] == "name":
		return args[4], args[5:]
	case len(args) > 3 && args[3] != "statistics" && args[3] != "templates":
		return args[3], args[4:]
	}
	return "", args[min(3, len(args)):]
}

// fnfOnly keeps the view's blocks of kind called name; the error is the
// `%` line for a name not configured.
func fnfOnly(v show.FNFView, kind, name string) (show.FNFView, error) {
	if name == "" {
		return v, nil
	}
	var n int
	switch kind {
	case "record":
		v.Records = slices.DeleteFunc(v.Records, func(r show.FNFRecord) bool { return r.Name != name })
		if len(v.Records) == 0 {
			// A predefined record no monitor uses is shown all the same.
			v.Records = slices.DeleteFunc(slices.Clone(v.Predefined), func(r show.FNFRecord) bool { return r.Name != name })
		}
		n = len(v.Records)
	case "exporter":
		v.Exporters = slices.DeleteFunc(v.Exporters, func(e show.FNFExporter) bool { return e.Name != name })
		n = len(v.Exporters)
	case "monitor":
		v.Monitors = slices.DeleteFunc(v.Monitors, func(m show.FNFMonitor) bool { return m.Name != name })
		n = len(v.Monitors)
	}
	if n == 0 {
		return v, fmt.Errorf("%% Flow %s \"%s\" does not exist", kind, name)
	}
	return v, nil
}

// fnfTemplates is `show flow exporter [NAME] templates`; its `| json`
// is each exporter's name and templates (the exporters' JSON leaves the
// templates out, as their screen does).
func fnfTemplates(s *Session, w io.Writer, args []string) error {
	type exporterTemplates struct {
		Name      string
		Templates []show.FNFTemplate
	}
	return view(func(s *Session, args []string) (show.FNFView, error) {
		return fnfOnly(s.b.FNF(), "exporter", fnfName(args))
	}, show.FlowExporterTemplates, func(v show.FNFView) any {
		out := []exporterTemplates{}
		for _, e := range v.Exporters {
			out = append(out, exporterTemplates{Name: e.Name, Templates: e.Templates})
		}
		return out
	})(s, w, args)
}

func fnfRun(kind string, text func(io.Writer, show.FNFView)) func(*Session, io.Writer, []string) error {
	return view(func(s *Session, args []string) (show.FNFView, error) {
		return fnfOnly(s.b.FNF(), kind, fnfName(args))
	}, text, func(v show.FNFView) any {
		switch kind {
		case "record":
			return v.Records
		case "exporter":
			return v.Exporters
		}
		return v.Monitors
	})
}

// fnfCacheNode is `show flow monitor NAME cache [filter FIELD VALUE]
// [sort highest|lowest FIELD [top [N]]] [format table|record|csv]`, in
// IOS-XE's order [RECALL: the Top N Talkers options' words; IOS-XE has
// more fields and aggregation, flowtap those of its one 7-tuple cache].
func fnfCacheNode() *Node {
	run := fnfCache
	leaf := func(n *Node, kids ...*Node) *Node {
		n.Children = append(n.Children, kids...)
		return n.Runs(run)
	}
	format := func() *Node {
		return kw("format", "Format of the output",
			kw("csv", "Display flows as comma-separated values").Runs(run),
			kw("record", "Display each flow as a record").Runs(run),
			kw("table", "Display flows as a table").Runs(run))
	}
	top := func() *Node {
		return leaf(kw("top", "Show only the top flows (20 unless a number is given)"),
			leaf(arg("<1-10000>", "Number of flows to show", rangeCheck(1, 10000)), format()), format())
	}
	// fields are the key and counter fields a filter or a sort names,
	// each ending in end(): a value, or the sort's field itself.
	type ender func(word, help, value string, check func(string) error) *Node
	fields := func(end ender, counters bool) []*Node {
		addr := func(fam, value string, check func(string) error) *Node {
			return kw(strings.ToLower(fam), fam+" fields",
				kw("source", "Source address", end("address", "Source "+fam+" address", value, check)),
				kw("destination", "Destination address", end("address", "Destination "+fam+" address", value, check)))
		}
		port := rangeCheck(0, 65535)
		byte8 := rangeCheck(0, 255)
		out := []*Node{
			addr("IPv4", "A.B.C.D", ipv4Check), addr("IPv6", "X:X:X:X::X", ipv6Check),
			kw("transport", "Transport fields",
				end("source-port", "Transport source port", "<0-65535>", port),
				end("destination-port", "Transport destination port", "<0-65535>", port)),
		}
		out[0].Children = append(out[0].Children, end("protocol", "IP protocol", "<0-255>", byte8), end("tos", "IP type of service", "<0-255>", byte8))
		if counters {
			out = append(out, kw("counter", "Counter fields",
				leaf(end("bytes", "Number of bytes", "", nil), leaf(kw("long", "64-bit counter"), top(), format())),
				leaf(end("packets", "Number of packets", "", nil), leaf(kw("long", "64-bit counter"), top(), format()))))
		} else {
			out = append(out, kw("interface", "Interface fields", end("input", "Input interface", "WORD", ifNameCheck)))
		}
		return out
	}
	sortDir := func(word, help string) *Node {
		return kw(word, help, fields(func(w, h, _ string, _ func(string) error) *Node { return leaf(kw(w, h), top(), format()) }, true)...)
	}
	sort := func() *Node {
		return kw("sort", "Sort the flows by a field",
			sortDir("highest", "Highest values first"), sortDir("lowest", "Lowest values first"))
	}
	filter := kw("filter", "Show only the flows whose field has a value",
		fields(func(w, h, value string, check func(string) error) *Node {
			return kw(w, h, leaf(arg(value, h, check), sort(), format()))
		}, false)...)
	return leaf(kw("cache", "Contents of the cache for the monitor"), filter, sort(), format())
}

// ipv6Check accepts an IPv6 address.
func ipv6Check(w string) error {
	if a, err := netip.ParseAddr(w); err != nil || !a.Is6() {
		return errors.New("not an IPv6 address")
	}
	return nil
}

// fnfCache is `show flow monitor NAME cache ...`: the flows of the
// monitor's family (IPv6 when it is bound only as ipv6 flow monitor),
// as the query asks.
func fnfCache(s *Session, w io.Writer, args []string) error {
	name, rest := fnfNameRest(args)
	v, err := fnfOnly(s.b.FNF(), "monitor", name)
	if err != nil {
		return err
	}
	m := v.Monitors[0]
	family := monitorFamily(v.Interfaces, m.Name)
	q := fnfCacheQuery(rest[1:], v.Cache) // rest[0] is "cache"
	if s.json {
		s.jsonDone = true
		c := v.Cache
		c.Flows, _ = q.Rows(c.Flows)
		return show.WriteJSON(w, show.CacheJSON(c, family == 6))
	}
	show.FlowMonitorCache(w, v, m, family, q)
	return nil
}

// fnfCacheQuery reads the words after `cache`, which the tree has
// checked.
func fnfCacheQuery(words []string, c show.CacheView) show.CacheQuery {
	q := show.CacheQuery{Format: "table"}
	// field is the record's value of the field named by words (after
	// `filter` or `sort highest|lowest`), how many words named it, and
	// whether it is an address.
	type getter func(r flow.Record) (uint64, netip.Addr, string)
	field := func(words []string) (getter, int) {
		switch strings.Join(words[:min(2, len(words))], " ") {
		case "ipv4 source", "ipv6 source":
			return func(r flow.Record) (uint64, netip.Addr, string) { return 0, r.Key.SrcAddr, "" }, 3
		case "ipv4 destination", "ipv6 destination":
			return func(r flow.Record) (uint64, netip.Addr, string) { return 0, r.Key.DstAddr, "" }, 3
		case "ipv4 protocol":
			return func(r flow.Record) (uint64, netip.Addr, string) { return uint64(r.Key.Proto), netip.Addr{}, "" }, 2
		case "ipv4 tos":
			return func(r flow.Record) (uint64, netip.Addr, string) { return uint64(r.Key.ToS), netip.Addr{}, "" }, 2
		case "transport source-port":
			return func(r flow.Record) (uint64, netip.Addr, string) { return uint64(r.Key.SrcPort), netip.Addr{}, "" }, 2
		case "transport destination-port":
			return func(r flow.Record) (uint64, netip.Addr, string) { return uint64(r.Key.DstPort), netip.Addr{}, "" }, 2
		case "interface input":
			return func(r flow.Record) (uint64, netip.Addr, string) {
				n := ""
				if c.IfName != nil {
					n = c.IfName(r.Key.InputIf)
				}
				if n == "" {
					n = fmt.Sprint(r.Key.InputIf)
				}
				return 0, netip.Addr{}, n
			}, 2
		case "counter bytes":
			return func(r flow.Record) (uint64, netip.Addr, string) { return r.Bytes, netip.Addr{}, "" }, 2
		case "counter packets":
			return func(r flow.Record) (uint64, netip.Addr, string) { return r.Packets, netip.Addr{}, "" }, 2
		}
		return nil, len(words)
	}
	for i := 0; i < len(words); {
		switch words[i] {
		case "filter":
			get, n := field(words[i+1:])
			want := words[i+1+n]
			q.Filter = func(r flow.Record) bool {
				num, addr, name := get(r)
				switch {
				case addr.IsValid():
					a, err := netip.ParseAddr(want)
					return err == nil && a == addr
				case name != "":
					return strings.EqualFold(name, want)
				}
				return fmt.Sprint(num) == want
			}
			i += n + 2
		case "sort":
			highest := words[i+1] == "highest"
			get, n := field(words[i+2:])
			i += n + 2
			if i < len(words) && words[i] == "long" {
				i++
			}
			q.Sort = func(a, b flow.Record) int {
				an, aa, _ := get(a)
				bn, ba, _ := get(b)
				c := cmp.Compare(an, bn)
				if aa.IsValid() {
					c = aa.Compare(ba)
				}
				if highest {
					return -c
				}
				return c
			}
		case "top":
			q.Top = 20
			i++
			if i < len(words) {
				if n, err := strconv.Atoi(words[i]); err == nil {
					q.Top = n
					i++
				}
			}
		case "format":
			q.Format = words[i+1]
			i += 2
		default:
			i++
		}
	}
	return q
}

// monitorFamily is 6 when the monitor is bound only as `ipv6 flow
// monitor`, else 4.
func monitorFamily(ifs []show.FNFInterface, name string) int {
	family := 4
	for _, it := range ifs {
		for _, b := range it.Monitors {
			if b.Monitor != name {
				continue
			}
			if b.Family == 4 {
				return 4
			}
			family = 6
		}
	}
	return family
}

// fnfInterfaces is `show flow interface [IFNAME]`.
func fnfInterfaces(s *Session, w io.Writer, args []string) error {
	return view(func(s *Session, args []string) ([]show.FNFInterface, error) {
		ifs := s.b.FNF().Interfaces
		if name := lastArg(args, 3); name != "" {
			ifs = slices.DeleteFunc(ifs, func(i show.FNFInterface) bool { return i.Name != name })
		}
		return ifs, nil
	}, show.FlowInterfaces, func(v []show.FNFInterface) any { return v })(s, w, args)
}

// fnfClear is IOS-XE's `clear flow monitor [name] NAME
// cache|force-export|statistics` and `clear flow exporter [[name] NAME]
// statistics` [RECALL: IOS-XE spells the name after the keyword `name`;
// the bare NAME is flowtap's shorthand, and a name that abbreviates a
// keyword there (`n`, `stat`) is taken as the keyword]. flowtap's
// monitors are its one main cache, so a monitor's clear is the cache's:
//   - force-export exports every flow and empties the cache, as on
//     IOS-XE (`clear mls netflow`'s path);
//   - cache, which on IOS-XE drops the entries unexported [RECALL], exports
//     them too: flowtap loses no metered packet, and an operator who
//     clears the cache to watch it fill again sees it empty all the same;
//   - statistics starts the cache's counters from 0 (show flow monitor
//     statistics, show ip cache flow), flows and export counters untouched.
//
// An exporter's statistics are its collector's CLI counters, the ones
// show ip flow export prints for it; SNMP's never go back.
func fnfClear() *Node {
	mon := func() []*Node {
		run := fnfClearMonitor
		return []*Node{
			kw("cache", "Clear the cache, exporting its flows (flowtap loses none)",
				kw("force-export", "Export the cache's flows, then clear it").Runs(run)).Runs(run),
			kw("force-export", "Export the cache's flows, then clear it").Runs(run),
			kw("statistics", "Clear the cache's statistics").Runs(run),
		}
	}
	exp := func() *Node { return kw("statistics", "Clear the exporter's statistics").Runs(fnfClearExporter) }
	return kw("flow", "Clear flow information",
		kw("monitor", "Clear flow monitor",
			kw("name", "Name a flow monitor",
				arg("WORD", "Flow monitor name", nil, mon()...)),
			arg("WORD", "Flow monitor name", nil, mon()...)),
		kw("exporter", "Clear flow exporter",
			exp(),
			kw("name", "Name a flow exporter",
				arg("WORD", "Flow exporter name", nil, exp())),
			arg("WORD", "Flow exporter name", nil, exp())))
}

func fnfClearMonitor(s *Session, _ io.Writer, args []string) error {
	v, err := fnfOnly(s.b.FNF(), "monitor", fnfName(args))
	if err != nil {
		return err
	}
	m := v.Monitors[0]
	if !m.Allocated {
		return fmt.Errorf("%% Cache for flow monitor %s is not allocated", m.Name)
	}
	if args[len(args)-1] == "statistics" {
		s.b.ClearCacheStats()
		return nil
	}
	if err := s.b.ClearMLSNetflow(); err != nil {
		return fmt.Errorf("%% %v", err)
	}
	return nil
}

func fnfClearExporter(s *Session, _ io.Writer, args []string) error {
	name := fnfName(args)
	v := s.b.FNF()
	if name != "" {
		var err error
		if v, err = fnfOnly(v, "exporter", name); err != nil {
			return err
		}
	}
	for _, e := range v.Exporters {
		if e.Stats != nil {
			s.b.ClearExporterStats(e.Stats.Collector)
		}
	}
	return nil
}
