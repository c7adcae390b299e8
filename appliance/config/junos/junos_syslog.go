package junos

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/flowtap/flowtap/appliance/config"
)

// junosLevels are JunOS's syslog severities, most severe first, as
// config.LogSeverities has IOS's names for the same numbers ("any" is
// every message, IOS's debugging).
var junosLevels = []string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "any"}

// syslogFacilities are the facility-override values flowtap takes: the
// local ones, which are what a collector tells routers apart by.
var syslogFacilities = []string{"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

var syslogHostOptions = []string{"any", "facility-override", "port"}

// iosLevel is the model's (IOS's) name of a JunOS level.
func iosLevel(junos string) string {
	return config.LogSeverities[slices.Index(junosLevels, junos)]
}

// junosLevel is the JunOS name of the model's trap level ("" is
// informational, IOS's default).
func junosLevel(ios string) string {
	return junosLevels[config.Severity(ios, 6)]
}

// syslog is `system syslog host A [any LEVEL | port N |
// facility-override localN]`. Each host has a level of its own (a host
// without one takes the others', IOS's `logging trap`); the model keeps
// one facility for every host (IOS `logging facility`), so a facility
// that would differ between hosts is refused rather than silently
// applied to the others too.
func (j *jcmd) syslog() {
	l := &j.cfg.Logging
	if j.deleting() {
		j.clearSyslog()
		return
	}
	j.c.Keyword("host")
	// A host name resolves once, as a flow-server's does, and the
	// configuration keeps the address (docs/architecture.md, Known
	// limits: JunOS keeps the name).
	a := j.c.Host(false, j.cfg.Names, j.offline, j.res)
	if j.c.Err != nil {
		return
	}
	a = a.Unmap()
	i := slices.Index(l.Hosts, a)
	if j.deleting() {
		if i >= 0 {
			l.Hosts = slices.Delete(l.Hosts, i, i+1)
			l.Ports = slices.DeleteFunc(l.Ports, func(p config.LogPort) bool { return p.Addr == a })
			l.HostLevels = slices.DeleteFunc(l.HostLevels, func(p config.LogLevel) bool { return p.Addr == a })
			if len(l.Hosts) == 0 {
				// The level and facility were this host's statements.
				l.Trap, l.Facility = "", ""
			}
			l.CanonLevels()
		}
		return
	}
	if i < 0 && !j.del {
		l.Hosts = append(l.Hosts, a)
		i = len(l.Hosts) - 1
	}
	j.touch("logging.hosts")
	if !j.c.More() {
		j.c.Offer(syslogHostOptions...)
		return
	}
	switch j.c.Keyword(syslogHostOptions...) {
	case "port":
		port := 0
		if !j.del {
			port = int(j.c.Uint(1, 65535))
		}
		j.c.End()
		if j.c.Err != nil || i < 0 {
			return
		}
		l.Ports = slices.DeleteFunc(l.Ports, func(p config.LogPort) bool { return p.Addr == a })
		if port != 0 {
			l.Ports = append(l.Ports, config.LogPort{Addr: a, Port: port})
			j.touch("logging.ports")
		}
	case "any":
		// Each host's own level, as JunOS keeps it: the host gets the
		// messages at that severity or above; deleting it gives the host
		// the default (informational).
		level := ""
		if !j.del {
			if w := j.c.Keyword(junosLevels...); w != "" {
				level = iosLevel(w)
			}
		}
		j.c.End()
		if j.c.Err != nil || i < 0 {
			return
		}
		l.SetHostLevel(a, level)
		j.touch("logging.host-levels")
	case "facility-override":
		fac := ""
		if !j.del {
			fac = j.c.Keyword(syslogFacilities...)
		}
		j.c.End()
		if j.c.Err != nil || i < 0 {
			return
		}
		if normalFacility(fac) != normalFacility(l.Facility) {
			if o, ok := otherHost(l.Hosts, a); ok {
				j.c.Refuse("syslog host %s: flowtap sends every host the same facility (IOS logging facility), and host %s takes %s: set the same facility-override on every host, or delete the others first", a, o, normalFacility(l.Facility))
				return
			}
		}
		l.Facility = fac
		j.touch("logging.facility")
	}
}

func (j *jcmd) clearSyslog() {
	l := &j.cfg.Logging
	if len(l.Hosts) > 0 {
		l.Trap, l.Facility = "", ""
	}
	l.Hosts, l.Ports, l.HostLevels = nil, nil, nil
}

func normalFacility(s string) string {
	if s == "" {
		return "local7"
	}
	return s
}

// otherHost is a configured host other than a, which a global setting
// would change too.
func otherHost(hosts []netip.Addr, a netip.Addr) (netip.Addr, bool) {
	for _, h := range hosts {
		if h != a {
			return h, true
		}
	}
	return netip.Addr{}, false
}

// syslogStatements are the syslog hosts, each with its level and the
// model's one facility where they are not IOS's defaults. A host whose
// level is the default but not the first host's says it, or reading the
// statements back would give it the first host's.
func syslogStatements(c config.Config, add func(string, ...string)) {
	l := c.Logging
	for _, h := range l.Hosts {
		p := []string{"system", "syslog", "host " + h.String()}
		n := 0
		if lv := l.HostLevel(h); lv != "informational" || lv != l.HostLevel(l.Hosts[0]) {
			add("any "+junosLevel(lv), p...)
			n++
		}
		if port := l.HostPort(h); port != config.DefaultSyslogPort {
			add(fmt.Sprintf("port %d", port), p...)
			n++
		}
		// IOS's other facilities (daemon, sys9...) are not JunOS's
		// facility-override words: Unmapped reports them.
		if slices.Contains(syslogFacilities, l.Facility) {
			add("facility-override "+l.Facility, p...)
			n++
		}
		if n == 0 {
			add("host "+h.String(), "system", "syslog")
		}
	}
}
