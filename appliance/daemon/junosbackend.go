package daemon

import (
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

func (j *JunOS) Accounting() show.AccountingView {
	v := show.AccountingView{Cache: j.m.CLI().CacheView(), Exports: j.m.d.ExportStats()}
	return v
}
