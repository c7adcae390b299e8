package show

import (
	"io"

	"github.com/flowtap/flowtap/appliance/appclass"
)

// AccessList is one list of `show access-lists`, for `| json`: each
// entry as the screen words it, with its matches.
type AccessList struct {
	Kind    string // Standard, Extended or IPv6
	Name    string
	Entries []AccessListEntry
}

// AccessListEntry is one entry of a list.
type AccessListEntry struct {
	Seq     int
	Entry   string
	Matches uint64
}

// AccessListsView is `show access-lists [NAME]`: the screen as the
// configuration's own grammar words it, and the same lists and counters
// read once for `| json`.
type AccessListsView struct {
	Text  string
	Lists []AccessList
}

// AccessListsJSON is `show access-lists | json`.
func AccessListsJSON(v AccessListsView) any {
	type list struct {
		Kind, Name string
		Entries    map[string]any `json:"TABLE_entry"`
	}
	rows := []list{}
	for _, l := range v.Lists {
		es := l.Entries
		if es == nil {
			es = []AccessListEntry{}
		}
		rows = append(rows, list{l.Kind, l.Name, map[string]any{"ROW_entry": es}})
	}
	return map[string]any{"TABLE_acl": map[string]any{"ROW_acl": rows}}
}

// FlowSamplersJSON is `show flow-sampler | json`.
func FlowSamplersJSON(ss []FlowSampler) any {
	type row struct {
		FlowSampler
		Mode string
	}
	rows := []row{}
	for _, s := range ss {
		mode := "random"
		if s.Deterministic {
			mode = "deterministic"
		}
		rows = append(rows, row{s, mode})
	}
	return map[string]any{"TABLE_sampler": map[string]any{"ROW_sampler": rows}}
}

// FlowInterfacesJSON is `show ip flow interface | json`.
func FlowInterfacesJSON(ifs []FlowInterface) any {
	if ifs == nil {
		ifs = []FlowInterface{}
	}
	return map[string]any{"TABLE_interface": map[string]any{"ROW_interface": ifs}}
}

// TapsJSON is `show flowtap taps | json`: each tap with its fibres.
func TapsJSON(taps []TapView) any {
	type tap struct {
		Name    string
		IfIndex uint32
		Fibres  map[string]any `json:"TABLE_fibre"`
	}
	type fibre struct {
		FibreView
		State string
	}
	rows := []tap{}
	for _, t := range taps {
		fs := []fibre{}
		for _, f := range t.Fibres {
			fs = append(fs, fibre{f, f.state()})
		}
		rows = append(rows, tap{t.Name, t.IfIndex, map[string]any{"ROW_fibre": fs}})
	}
	return map[string]any{"TABLE_tap": map[string]any{"ROW_tap": rows}}
}

// ApplicationsView is `show ip flow applications`: per application class,
// the flows in the cache now and those expired since the last clear.
type ApplicationsView struct {
	Live, Expired *appclass.Tally
}

// IPFlowApplications renders `show ip flow applications`.
func IPFlowApplications(w io.Writer, v ApplicationsView) {
	v.Live.Write(w, "Flows in the cache now:")
	io.WriteString(w, "\n")
	v.Expired.Write(w, "Flows expired since the last clear ip flow stats:")
}

// ApplicationsJSON is `show ip flow applications | json`: the two tables,
// each row a class with its octets, packets, flows and share.
func ApplicationsJSON(v ApplicationsView) any {
	rows := func(t *appclass.Tally, name string) map[string]any {
		type row struct {
			Class                  string
			Octets, Packets, Flows uint64
			SharePercent           float64
		}
		out := []row{}
		for _, r := range t.Rows() {
			out = append(out, row{r.Name, r.Octets, r.Packets, r.Flows, tenths(r.Share)})
		}
		return map[string]any{"ROW_" + name: out}
	}
	return map[string]any{"TABLE_live": rows(v.Live, "live"), "TABLE_expired": rows(v.Expired, "expired")}
}
