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
	{"banner slip-ppp", "Not supported on this platform: flowtap has no SLIP or PPP lines"},
	{"banner config-save", "Not supported on this platform: flowtap prints no banner on write memory"},
	{"banner prompt-timeout", "Not supported on this platform: flowtap's login prompt does not time out with a banner"},
	{"cdp", "Not supported on this platform: flowtap sends no CDP"},
	{"lldp", "Not supported on this platform: flowtap sends no LLDP"},
	{"spanning-tree", "Not supported on this platform: flowtap bridges nothing"},
	{"vtp", "Not supported on this platform: flowtap bridges nothing"},
	{"redundancy", "Not supported on this platform: flowtap has one supervisor"},
	{"vrf", "Not supported on this platform: flowtap has no VRFs"},
	{"ip vrf", "Not supported on this platform: flowtap has no VRFs"},
	{"ntp peer", "flowtap's NTP client is a client only: ntp server"},
	{"ntp source", "flowtap's NTP client sends from the address of the route to the server; ntp source is not taken"},
	{"ntp authenticate", "NTP authentication is not offered: flowtap's NTP client trusts its servers unauthenticated"},
	{"ntp authentication-key", "NTP authentication is not offered: flowtap's NTP client trusts its servers unauthenticated"},
	{"ntp trusted-key", "NTP authentication is not offered: flowtap's NTP client trusts its servers unauthenticated"},
	{"snmp-server trap-source", "flowtap sends notifications from the address of the route to each host; trap-source is not taken"},
	{"snmp-server ifindex persist", "flowtap's ifIndexes are the Linux links' (a tap's is its ifindex line); ifindex persist is not taken"},
	{"ip ssh source-interface", "flowtap's SSH server answers on every management address; source-interface is not taken"},
	{"logging console", "flowtap's console shows every message (flowtapd --console-log); logging console is not taken"},
	{"logging monitor", "every flowtap session shows messages with terminal monitor; logging monitor is not taken"},
}

// quiet are the IOS and IOS-XE lines a router's running-config prints
// about its own hardware, image or services that mean nothing on a tap
// box and whose absence changes nothing an operator sees: taken and
// ignored, as a pasted configuration is full of them (they are not shown
// in flowtap's running-config).
var quiet = []string{
	"service pad", "service call-home", "service counters", "service tcp-keepalives-in",
	"service tcp-keepalives-out", "service compress-config", "service config", "service prompt",
	"service dhcp", "service sequence-numbers", "service nagle", "service internal",
	"platform qfp", "platform punt-keepalive", "platform hardware", "platform console",
	"platform ipsec", "platform shell", "upgrade fpd", "scheduler allocate", "multilink bundle-name",
	"subscriber templating", "license udi", "license boot", "diagnostic bootup", "vlan internal allocation",
	"memory-size iomem", "call-home", "hw-module", "card type",
	"ip bootp server", "ip dhcp bootp ignore", "ip finger", "ip tftp source-interface",
	"mls ip multicast", "mls qos",
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
	{"vrf forwarding", "Not supported on this platform: flowtap has no VRFs"},
}

// foreignLine are `line vty` and `line con 0` commands a router's lines
// carry that flowtap does not carry out, and why: none today (the line
// password was one until `login` used it).
var foreignLine = []struct {
	words, why string
}{}

// quietLine are `line` commands about a serial console's framing and the
// terminal's layout: taken and ignored (flowtap's console is the kernel's).
var quietLine = []string{"stopbits", "speed", "databits", "parity", "flowcontrol", "logging synchronous",
	"length", "width", "history size", "escape-character", "exec prompt", "session-timeout"}

// takeQuietly takes a line that is one of table's commands (a `no`
// before it is the same) and reports whether it did.
func (x *cmd) takeQuietly(table []string) bool {
	words, _ := x.commandWords()
	for _, q := range table {
		if startsWith(words, q) {
			x.c.Skip()
			return true
		}
	}
	return false
}

// commandWords is the line's words in lower case without a leading `no`
// or `default`, and whether it was `no`.
func (x *cmd) commandWords() (words []string, neg bool) {
	for _, w := range x.c.Words {
		words = append(words, strings.ToLower(w.Text))
	}
	if len(words) > 0 && (words[0] == "no" || words[0] == "default") {
		return words[1:], words[0] == "no"
	}
	return words, false
}

// startsWith reports whether words begin with the words of phrase.
func startsWith(words []string, phrase string) bool {
	pw := strings.Fields(phrase)
	return len(words) >= len(pw) && slices.Equal(words[:len(pw)], pw)
}

// bannerDelim is the delimiter that opens a banner's text: its first
// character, or ^C, the two characters a running-config prints for IOS's
// ETX.
func bannerDelim(rest string) string {
	if strings.HasPrefix(rest, "^C") {
		return "^C"
	}
	return rest[:1]
}

// bannerOpen reports the delimiter of a `banner [TYPE] C text C` line
// whose text goes on past it (IOS reads lines until the delimiter comes
// back; running-configs print the ETX delimiter as ^C), or "".
func bannerOpen(text string) string {
	f := strings.Fields(text)
	if len(f) < 2 || !strings.EqualFold(f[0], "banner") {
		return ""
	}
	rest := strings.TrimSpace(strings.TrimSpace(text)[len(f[0]):])
	switch strings.ToLower(f[1]) {
	case "motd", "login", "exec", "incoming", "slip-ppp", "config-save":
		rest = strings.TrimSpace(rest[len(f[1]):])
	}
	if rest == "" {
		return ""
	}
	delim := bannerDelim(rest)
	if strings.Contains(rest[len(delim):], delim) {
		return ""
	}
	return delim
}

// refuseForeign refuses a line that is one of table's commands, with its
// reason, and reports whether it did. The `no` form of one (`no aaa
// new-model`, `no ip http server`, ` no ip address`) asks for what
// flowtap does anyway, its absence: taken and ignored, unless the
// command is one flowtap cannot turn off (stillOn).
func (x *cmd) refuseForeign(table []struct{ words, why string }) bool {
	words, neg := x.commandWords()
	for _, f := range table {
		if startsWith(words, f.words) {
			if neg && !stillOn[f.words] {
				x.c.Skip()
				return true
			}
			x.c.Refuse("%s", f.why)
			return true
		}
	}
	return false
}

// stillOn are the foreign commands whose `no` form asks flowtap to stop
// something it goes on doing: refused, as the operator would expect it
// stopped.
var stillOn = map[string]bool{"logging console": true, "logging monitor": true}
