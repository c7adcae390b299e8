package daemon

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/cli/show"
)

// FNF is the `show flow ...` view: the configuration's records,
// exporters and monitors with the main cache's and the collectors'
// counters, those `show ip cache flow` and `show ip flow export` read
// (a bound monitor is the main cache; an exporter's collector is one of
// its destinations).
func (c *CLI) FNF() show.FNFView {
	cfg := c.m.Config()
	eff := cfg.Effective()
	v := show.FNFView{Cache: c.CacheView()}
	exp := c.ExportView()
	set := c.m.d.Settings()
	// The sessions are asked once, and only when an exporter exports.
	var sess []ExportSession
	asked := false
	sessions := func() []ExportSession {
		if !asked {
			sess, asked = c.m.d.ExportSessions(), true
		}
		return sess
	}
	bound := map[string][]string{}
	families := map[string]int{} // 4 or 6; 0 when bound for both
	for _, b := range cfg.MonitorBindings() {
		if f, ok := families[b.Monitor]; !ok || f == b.Family {
			families[b.Monitor] = b.Family
		} else {
			families[b.Monitor] = 0
		}
		dir := "input"
		if b.Output {
			dir = "output"
		}
		if b.Family == 6 {
			dir += " (IPv6)"
		}
		bound[b.Monitor] = append(bound[b.Monitor], b.Interface+" "+dir)
	}
	f := cfg.FNF
	var records []config.FlowRecord
	records = append(records, f.Records...)
	for _, m := range f.Monitors {
		if r, ok := f.FindRecord(m.Record); ok && !slices.ContainsFunc(records, func(o config.FlowRecord) bool { return o.Name == r.Name }) {
			records = append(records, r)
		}
	}
	for _, r := range records {
		v.Records = append(v.Records, show.FNFRecord{Name: r.Name, Description: r.Description, Users: len(f.MonitorsUsing(r.Name, "")),
			FieldBytes: r.FieldBytes(), Match: r.Match, Collect: r.Collect})
	}
	for _, r := range config.FNFPredefined {
		v.Predefined = append(v.Predefined, show.FNFRecord{Name: r.Name, Description: r.Description, Users: len(f.MonitorsUsing(r.Name, "")),
			FieldBytes: r.FieldBytes(), Match: r.Match, Collect: r.Collect})
	}
	for _, e := range f.Exporters {
		fe := show.FNFExporter{Name: e.Name, Description: e.Description, Protocol: e.ProtocolOrDefault(), Destination: e.Destination,
			Port: e.PortOrDefault(), SourceIf: e.Source, TTL: e.TTL, TemplateTimeout: e.TemplateTimeoutOrDefault(), Users: f.MonitorsUsing("", e.Name)}
		if e.Source != "" && e.Source == eff.Export.Source {
			fe.Source = exp.Source
		}
		if e.InterfaceTable {
			fe.Options = append(fe.Options, option("interface-table", e.InterfaceTableTimeout))
		}
		if e.SamplerTable {
			fe.Options = append(fe.Options, option("sampler-table", e.SamplerTableTimeout))
		}
		if e.ExporterStats {
			fe.Options = append(fe.Options, option("exporter-stats", e.ExporterStatsTimeout))
		}
		if e.Destination.IsValid() {
			want := e.ExportDestination().Addr
			for i := range exp.Destinations {
				if exp.Destinations[i].Collector == want {
					st := exp.Destinations[i]
					fe.Stats = &st
				}
			}
			if fe.Stats != nil {
				fe.Templates = fnfTemplates(sessions(), want, fe.Users)
			}
		}
		v.Exporters = append(v.Exporters, fe)
	}
	for _, m := range f.Monitors {
		fm := show.FNFMonitor{Name: m.Name, Description: m.Description, Record: m.Record, Exporters: m.Exporters,
			Interfaces: bound[m.Name], Allocated: len(bound[m.Name]) > 0, Family: families[m.Name],
			Entries: set.CacheEntries, Active: set.Aging.Active, Inactive: set.Aging.Inactive}
		if !fm.Allocated {
			// Not the main cache: what it would ask for.
			p, _ := cfg.Persona()
			d := p.Defaults()
			fm.Entries, fm.Active, fm.Inactive = or(m.Entries, d.CacheEntries), or(m.Active, d.Active), or(m.Inactive, d.Inactive)
		}
		v.Monitors = append(v.Monitors, fm)
	}
	for _, it := range cfg.Interfaces {
		var fi show.FNFInterface
		for _, b := range it.Bindings() {
			fi.Monitors = append(fi.Monitors, show.FNFBinding{Monitor: b.Monitor, Family: b.Family, Output: b.Output})
		}
		if len(fi.Monitors) > 0 {
			fi.Name = it.Name
			v.Interfaces = append(v.Interfaces, fi)
		}
	}
	return v
}

// fnfTemplates are the templates the main cache's destination at
// collector sends, for `show flow exporter templates`: the data
// templates are the monitors' (flowtap's one cache), the options
// templates the exporter's options.
func fnfTemplates(sessions []ExportSession, collector netip.AddrPort, monitors []string) []show.FNFTemplate {
	var out []show.FNFTemplate
	for _, s := range sessions {
		if s.Scheme != platform.SchemeNone || s.Config.Collector != collector {
			continue
		}
		for _, t := range s.Info {
			ft := show.FNFTemplate{ID: t.ID, SourceID: s.Config.Encoder.ObservationDomain, Options: t.Options,
				Client: "Flow Monitor " + strings.Join(monitors, ", ")}
			if t.Options {
				ft.Client = "Option options " + optionsTable(t.Fields)
			}
			for _, f := range t.Fields {
				ft.Fields = append(ft.Fields, show.FNFTemplateField{IE: f.IE, Enterprise: f.Enterprise, Length: f.Length, Scope: f.Scope})
			}
			out = append(out, ft)
		}
	}
	return out
}

// optionsTable is the `option` an options template answers, told by
// its fields (IOS-XE names the client by it).
func optionsTable(fields []export.TemplateField) string {
	for _, f := range fields {
		switch f.IE {
		case 82: // interfaceName
			return "interface-table"
		case 96: // applicationName
			return "application-table"
		case 48, 49, 50, 302, 304, 305, 306, 335:
			return "sampler-table"
		case 130, 131, 211, 212: // the exporter's and collector's addresses
			return "exporter-stats"
		}
	}
	return "table"
}

func option(name string, timeout time.Duration) string {
	if timeout == 0 {
		return name
	}
	return fmt.Sprintf("%s timeout %d", name, int(timeout/time.Second))
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
