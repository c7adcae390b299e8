package mgmtplane

import "github.com/flowtap/flowtap/appliance/daemon"

// bannerOf is the banners as line ("con 0", "vty 2") shows them, read
// from the running configuration when shown, so that a banner changed
// applies to the next login.
func bannerOf(m *daemon.Manager, line string) func(kind string) string {
	return func(kind string) string {
		c := m.Config()
		return c.ExpandBanner(c.Banners.Text(kind), line)
	}
}
