package mgmtplane

import (
	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/mgmt/snmp"
)

// snmpCacheLimits gives the agent the running persona's cache ranges, so
// that an SNMP Set under a PFC persona takes what `mls aging` takes, not
// the router's ranges.
func snmpCacheLimits(m *daemon.Manager) func() snmp.CacheLimits {
	return func() snmp.CacheLimits {
		p, err := m.Config().Persona()
		if err != nil {
			// The running config is checked, so its persona exists.
			p, _ = platform.Lookup(config.DefaultPlatform)
		}
		return snmp.PersonaCacheLimits(&p)
	}
}
