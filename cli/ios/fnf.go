package ios

import (
	"fmt"
	"io"
	"slices"

	"github.com/flowtap/flowtap/cli/show"
)

// fnfShow is IOS-XE's `show flow record|exporter|monitor|interface`:
// Flexible NetFlow's blocks with the main cache's and the collectors'
// counters (see show.FNFView).
func fnfShow() *Node {
	return kw("flow", "Flow information",
		kw("record", "Flow record information",
			arg("WORD", "Flow record name", nil).Runs(fnfRun("record", show.FlowRecords))).Runs(fnfRun("record", show.FlowRecords)),
		kw("exporter", "Flow exporter information",
			kw("statistics", "Show flow exporter statistics").Runs(fnfRun("exporter", show.FlowExporterStatistics)),
			arg("WORD", "Flow exporter name",
				nil, kw("statistics", "Show flow exporter statistics").Runs(fnfRun("exporter", show.FlowExporterStatistics))).Runs(fnfRun("exporter", show.FlowExporters))).Runs(fnfRun("exporter", show.FlowExporters)),
		kw("monitor", "Flow monitor information",
			kw("statistics", "Show flow monitor statistics").Runs(fnfRun("monitor", show.FlowMonitorStatistics)),
			arg("WORD", "Flow monitor name", nil,
				kw("statistics", "Show flow monitor statistics").Runs(fnfRun("monitor", show.FlowMonitorStatistics)),
				kw("cache", "Contents of the cache for the monitor",
					kw("format", "Format of the output",
						kw("record", "Display each flow as a record").Runs(fnfCache(true)),
						kw("table", "Display flows as a table").Runs(fnfCache(false)))).Runs(fnfCache(false))).Runs(fnfRun("monitor", show.FlowMonitors))).Runs(fnfRun("monitor", show.FlowMonitors)),
		kw("interface", "Flow interface information",
			arg("WORD", "Interface name", nil).Runs(fnfInterfaces)).Runs(fnfInterfaces))
}

// fnfName is the NAME typed after `show flow KIND`, or "".
func fnfName(args []string) string {
	if len(args) > 3 && args[3] != "statistics" {
		return args[3]
	}
	return ""
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

// fnfCache is `show flow monitor NAME cache [format table|record]`: the
// flows of the monitor's family (IPv6 when it is bound only as ipv6 flow
// monitor).
func fnfCache(asRecords bool) func(*Session, io.Writer, []string) error {
	return func(s *Session, w io.Writer, args []string) error {
		v, err := fnfOnly(s.b.FNF(), "monitor", args[3])
		if err != nil {
			return err
		}
		m := v.Monitors[0]
		family := monitorFamily(v.Interfaces, m.Name)
		if s.json {
			s.jsonDone = true
			return show.WriteJSON(w, show.CacheJSON(v.Cache, family == 6))
		}
		show.FlowMonitorCache(w, v, m, family, asRecords)
		return nil
	}
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

// fnfClearName is the NAME of `clear flow monitor|exporter [name] NAME
// ...`, "" when none is given.
func fnfClearName(args []string) string {
	switch {
	case len(args) > 4 && args[3] == "name":
		return args[4]
	case len(args) > 3 && args[3] != "statistics":
		return args[3]
	}
	return ""
}

func fnfClearMonitor(s *Session, _ io.Writer, args []string) error {
	v, err := fnfOnly(s.b.FNF(), "monitor", fnfClearName(args))
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
	name := fnfClearName(args)
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
