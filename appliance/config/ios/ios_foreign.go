package ios

import (
	"slices"
	"strings"
)

// foreign are IOS commands a pasted router configuration holds that
// flowtap does not carry out, with the reason it gives: the line is
// refused with `% reason` (and skipped at boot, reported with its
// file:line) rather than with a bare marker that leaves the operator
// guessing, and never taken and ignored. Each entry is the command's
// leading words as IOS writes them in full, a prefix of the line's
// words (a `no` before them is the same command).
var foreign = []struct {
	words, why string
}{
	{"version", "version is the IOS image's release; flowtap's is in show version"},
	{"boot-start-marker", "flowtap boots its own image: boot commands do not apply"},
	{"boot-end-marker", "flowtap boots its own image: boot commands do not apply"},
	{"boot", "flowtap boots its own image: boot commands do not apply"},
	{"aaa", "AAA is not offered: flowtap authenticates against its local users (username, line vty login local)"},
	{"crypto", "flowtap makes its SSH host key at first start and keeps it in its state directory: crypto commands do not apply"},
	{"ip cef", "Not supported on this platform: flowtap meters traffic and forwards none"},
	{"ipv6 cef", "Not supported on this platform: flowtap meters traffic and forwards none"},
	{"ip routing", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"ipv6 unicast-routing", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"ip route", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"ipv6 route", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"ip classless", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"ip subnet-zero", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"ip forward-protocol", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"ip source-route", "Not supported on this platform: flowtap meters traffic and routes none"},
	{"router", "Not supported on this platform: flowtap runs no routing protocol"},
	{"ip http server", "flowtap's HTTP server serves metrics only (ip http metrics)"},
	{"ip http secure-server", "flowtap's HTTP server serves metrics only (ip http metrics)"},
	{"control-plane", "Not supported on this platform: flowtap has no control-plane policing"},
	{"cdp", "Not supported on this platform: flowtap sends no CDP"},
	{"lldp", "Not supported on this platform: flowtap sends no LLDP"},
	{"spanning-tree", "Not supported on this platform: flowtap bridges nothing"},
	{"vtp", "Not supported on this platform: flowtap bridges nothing"},
	{"redundancy", "Not supported on this platform: flowtap has one supervisor"},
	{"banner", "Not supported on this platform: flowtap shows no banner"},
}

// foreignIface are the interface-mode commands of a router port that a
// flowtap port, which meters and neither addresses nor forwards, does
// not carry out.
var foreignIface = []struct {
	words, why string
}{
	{"ip address", "a flowtap port meters traffic and has no address (the management address is the image's)"},
	{"ipv6 address", "a flowtap port meters traffic and has no address (the management address is the image's)"},
	{"ip redirects", "a flowtap port meters traffic and forwards none"},
	{"ip unreachables", "a flowtap port meters traffic and forwards none"},
	{"ip proxy-arp", "a flowtap port meters traffic and forwards none"},
	{"ip route-cache", "a flowtap port meters traffic and forwards none"},
	{"ip ospf", "Not supported on this platform: flowtap runs no routing protocol"},
	{"duplex", "the port's link settings are the kernel's (ethtool), not the configuration's"},
	{"speed", "the port's link settings are the kernel's (ethtool), not the configuration's"},
	{"negotiation", "the port's link settings are the kernel's (ethtool), not the configuration's"},
	{"mtu", "the port's MTU is the kernel's (ip link), not the configuration's"},
	{"load-interval", "flowtap's interface rates are computed over 5 minutes, as IOS's default"},
	{"cdp", "Not supported on this platform: flowtap sends no CDP"},
}

// foreignLine are `line vty` and `line con 0` commands a router's lines
// carry that flowtap does not carry out, and why: none today (the line
// password was one until `login` used it).
var foreignLine = []struct {
	words, why string
}{}

// refuseForeign refuses a line that is one of table's commands, with its
// reason, and reports whether it did.
func (x *cmd) refuseForeign(table []struct{ words, why string }) bool {
	var words []string
	for _, w := range x.c.Words {
		words = append(words, strings.ToLower(w.Text))
	}
	if len(words) > 0 && (words[0] == "no" || words[0] == "default") {
		words = words[1:]
	}
	for _, f := range table {
		fw := strings.Fields(f.words)
		if len(words) >= len(fw) && slices.Equal(words[:len(fw)], fw) {
			x.c.Refuse("%s", f.why)
			return true
		}
	}
	return false
}
