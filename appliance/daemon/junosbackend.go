package daemon

import (
	"fmt"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/junos"
	"github.com/flowtap/flowtap/cli/show"
)

// JunOS is the JunOS CLI's view of the appliance.
type JunOS struct{ m *Manager }

// JunOS returns the backend the JunOS sessions use.
func (m *Manager) JunOS() *JunOS { return &JunOS{m} }

var _ junos.Backend = (*JunOS)(nil)

func (j *JunOS) Hostname() string                      { return j.m.Config().HostnameOrDefault() }
func (j *JunOS) Running() config.Config                { return j.m.Config() }
func (j *JunOS) Commit(c config.Config) error          { return j.m.Apply(c) }
func (j *JunOS) Rollback(n int) (config.Config, error) { return j.m.Rollback(n) }

// FirewallFilter is `show firewall filter NAME`: the datapath's term
// counters, zero while no port uses the filter.
func (j *JunOS) FirewallFilter(name string) ([]show.FirewallCounter, error) {
	c := j.m.Config()
	for _, fam := range []string{"inet", "inet6"} {
		f, ok := c.FindFirewallFilter(fam, name)
		if !ok {
			continue
		}
		counts, _ := j.m.d.FirewallCounts(fam, name)
		var out []show.FirewallCounter
		for i, t := range f.Terms {
			fc := show.FirewallCounter{Name: t.Count}
			if fc.Name == "" {
				fc.Name = t.Name
			}
			if i < len(counts) {
				fc.Bytes, fc.Packets = counts[i].Bytes, counts[i].Packets
			}
			out = append(out, fc)
		}
		return out, nil
	}
	return nil, fmt.Errorf("error: filter %s is not configured", name)
}

func (j *JunOS) Accounting() show.AccountingView {
	v := show.AccountingView{Cache: j.m.CLI().CacheView(), Exports: j.m.d.ExportStats()}
	return v
}
