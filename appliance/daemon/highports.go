package daemon

import (
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/datapath"
)

// SharedPort is a port numbered past the datapath's port table whose
// setting is not its own: the one setting of every port past the table.
type SharedPort struct {
	Index   int
	Meter   bool
	Verdict platform.Verdict
	// From are the ports past the table whose own setting it takes.
	From []string
}

// sharePastTable gives every port of want numbered past the datapath's
// port table (ifIndex 65536 up, which a box whose links come and go
// reaches) the one setting the datapath keeps for them all: the union of
// theirs, metered if any of them is (`ip flow ingress`) and inline if
// any of them is. The last one written won before, so a port with `ip
// flow ingress` metered nothing once a port with `ip flow egress` alone
// was set after it, and an inline port could drop its traffic. index
// numbers a port (false: not there). It returns the ports as they are to
// be set and, by name, those whose setting is not their own.
func sharePastTable(want []Port, index func(name string) (int, bool)) ([]Port, map[string]SharedPort) {
	var past []int
	meter, inline := false, false
	for i, p := range want {
		if n, ok := index(p.Name); ok && n >= datapath.MaxPorts {
			past = append(past, i)
			meter = meter || p.Meter
			inline = inline || p.Verdict == platform.Inline
		}
	}
	if len(past) < 2 {
		return want, nil
	}
	verdict := platform.Passive
	if inline {
		verdict = platform.Inline
	}
	out := slices.Clone(want)
	shared := map[string]SharedPort{}
	for _, i := range past {
		p := want[i]
		if p.Meter == meter && p.Verdict == verdict {
			continue
		}
		n, _ := index(p.Name)
		sp := SharedPort{Index: n, Meter: meter, Verdict: verdict}
		for _, j := range past {
			o := want[j]
			if (p.Meter != meter && o.Meter) || (p.Verdict != verdict && o.Verdict == verdict) {
				sp.From = append(sp.From, o.Name)
			}
		}
		shared[p.Name] = sp
		out[i].Meter, out[i].Verdict = meter, verdict
	}
	return out, shared
}

// linkIndex is a port's ifindex now.
func linkIndex(name string) (int, bool) {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return 0, false
	}
	return ifc.Index, true
}

// noteShared keeps the ports past the table whose setting is not their
// own and logs each change, so that show logging says why a port meters
// (or passes) what it was not asked to. d.mu is held.
func (d *Daemon) noteShared(shared map[string]SharedPort) {
	for _, name := range slices.Sorted(maps.Keys(shared)) {
		sp := shared[name]
		if old, ok := d.shared[name]; ok && old.Meter == sp.Meter && old.Verdict == sp.Verdict && slices.Equal(old.From, sp.From) {
			continue
		}
		logIOS(d.log, "FLOWTAP-4-PORT_SHARED", "Interface %s: ifIndex %d is past 65535, where ports share one setting: %s as %s",
			name, sp.Index, sp.describe(), strings.Join(sp.From, ", "))
	}
	d.shared = shared
}

// describe is the shared setting in words.
func (sp SharedPort) describe() string {
	m := "not metered"
	if sp.Meter {
		m = "metered"
	}
	return m + ", " + sp.Verdict.String()
}

// SharedPorts are the ports numbered past the datapath's port table
// whose setting is another's, by name (see sharePastTable).
func (d *Daemon) SharedPorts() map[string]SharedPort {
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.shared)
}
