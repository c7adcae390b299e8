package junos

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// jstmt is one JunOS statement: the containers above it (each label may
// be several words, "family inet") and the statement itself.
type jstmt struct {
	path []string
	leaf string
	// inactive is a deactivated statement: `inactive: leaf;` in brace
	// text, its set line and then `deactivate` in `display set`.
	inactive bool
	// pathMeta marks the containers above (nil: none marked); note is
	// the leaf's annotation.
	pathMeta []meta
	note     string
	// entry is the deactivated statement this one lies in (its
	// deactivate line follows its last set line); inherit the group
	// that gave it (display inheritance).
	entry   string
	inherit string
	// container: the statement is a container that exists locally
	// (its path and leaf are nodes of the tree, no leaf is written).
	container bool
}

// meta is what a container of a statement carries besides its label.
type meta struct {
	inactive bool
	note     string
}

// inactivePrefix marks, in brace text and in what the statement makers
// add, a statement JunOS keeps but does not apply.
const inactivePrefix = "inactive: "

// text is the statement as brace text writes it.
func (s jstmt) text() string {
	if s.inactive {
		return inactivePrefix + s.leaf
	}
	return s.leaf
}

// junosStatements is the part of the configuration JunOS can say, in
// JunOS order.
func junosStatements(c config.Config) []jstmt {
	var out []jstmt
	add := func(leaf string, path ...string) {
		l, inactive := strings.CutPrefix(leaf, inactivePrefix)
		// The makers build paths with append onto shared prefixes:
		// each statement keeps a copy of its own.
		out = append(out, jstmt{path: slices.Clone(path), leaf: l, inactive: inactive})
	}
	add("host-name "+c.HostnameOrDefault(), "system")
	namesStatements(c, add)
	loginStatements(c, add)
	syslogStatements(c, add)
	add("platform "+c.PlatformName(), "flowtap")
	if ac := c.AppClasses; ac.Custom {
		add("application-class none", "flowtap")
		for _, r := range ac.Rules {
			p := []string{"flowtap", "application-class " + r.Name}
			add("protocol "+config.ProtocolName(r.Proto), p...)
			for _, pr := range r.Ports {
				add("port "+pr.String(), p...)
			}
		}
	}
	tapStatements(c, add)
	jflowStatements(c, add)
	for _, it := range c.Interfaces {
		n := len(out)
		if it.Description != "" {
			add("description "+junosQuote(it.Description), "interfaces", junosQuote(it.Name))
		}
		if it.Shutdown {
			add("disable", "interfaces", junosQuote(it.Name))
		}
		if it.NoLinkTrap {
			add("no-traps", "interfaces", junosQuote(it.Name))
		}
		for _, f := range []struct{ fam, name string }{{"inet", it.FilterInput4}, {"inet6", it.FilterInput6}} {
			if f.name != "" {
				add("input "+f.name, "interfaces", junosQuote(it.Name), "unit 0", "family "+f.fam, "filter")
			}
		}
		for _, dir := range []struct {
			on   bool
			word string
		}{{it.Ingress, "input"}, {it.Egress, "output"}} {
			if dir.on {
				add(dir.word, "interfaces", junosQuote(it.Name), "unit 0", "family inet", "sampling")
			}
		}
		if len(out) == n {
			add(junosQuote(it.Name), "interfaces")
		}
	}
	s := c.SNMP
	if s.Location != "" {
		add("location "+junosQuote(s.Location), "snmp")
	}
	if s.Contact != "" {
		add("contact "+junosQuote(s.Contact), "snmp")
	}
	for _, cm := range s.Communities {
		auth := "read-only"
		if cm.RW {
			auth = "read-write"
		}
		add("authorization "+auth, "snmp", "community "+junosQuote(cm.Name))
		if cm.View != "" {
			add("view "+junosQuote(cm.View), "snmp", "community "+junosQuote(cm.Name))
		}
	}
	for _, v := range s.Views {
		for _, t := range v.Subtrees {
			what := "include"
			if t.Excluded {
				what = "exclude"
			}
			add("oid "+junosQuote(t.OID)+" "+what, "snmp", "view "+junosQuote(v.Name))
		}
	}
	sampling := []string{"forwarding-options", "sampling"}
	// A named instance holds input and output; overload protection is
	// flowtap's and stays at the top.
	inst := sampling
	if c.JFlow.Instance != "" {
		inst = []string{"forwarding-options", "sampling", "instance " + junosQuote(c.JFlow.Instance)}
	}
	if in := c.Sampling; in.Mode == platform.SamplingJuniper {
		p := append(slices.Clone(inst), "input")
		add(fmt.Sprintf("rate %d", in.Rate), p...)
		if in.RunLength != 0 {
			add(fmt.Sprintf("run-length %d", in.RunLength), p...)
		}
		if in.MaxPacketsPerSecond != 0 {
			add(fmt.Sprintf("max-packets-per-second %d", in.MaxPacketsPerSecond), p...)
		}
	}
	if o := c.Cache.Overload; o.Enabled {
		p := append(sampling, "overload-protection")
		n := 0
		for _, opt := range []struct {
			name string
			v    int64
		}{{"threshold", int64(o.Threshold)}, {"max-rate", int64(o.MaxRate)}, {"interval", int64(o.Interval / time.Second)}, {"budget", o.Budget.Nanoseconds()}} {
			if opt.v != 0 {
				add(fmt.Sprintf("%s %d", opt.name, opt.v), p...)
				n++
			}
		}
		if n == 0 {
			add("overload-protection", sampling...)
		}
	}
	// The output's own statements (one cache, one exporter in flowtap)
	// are shown under family inet unless only family inet6 has servers.
	outFamily := "family inet"
	if len(c.Export.Destinations) > 0 && !slices.ContainsFunc(c.Export.Destinations, func(d config.Destination) bool { return d.Families.Has(config.FamilyInet) }) {
		outFamily = "family inet6"
	}
	output := append(slices.Clone(inst), outFamily, "output")
	output4 := append(slices.Clone(inst), "family inet", "output")
	// A template a flow-server uses says its timeouts itself.
	if c.Cache.Active != 0 && !templateSets(c, func(t config.FlowTemplate) time.Duration { return t.Active }) {
		add(fmt.Sprintf("flow-active-timeout %d", c.Cache.Active/time.Second), output...)
	}
	if c.Cache.Inactive != 0 && !templateSets(c, func(t config.FlowTemplate) time.Duration { return t.Inactive }) {
		add(fmt.Sprintf("flow-inactive-timeout %d", c.Cache.Inactive/time.Second), output...)
	}
	if e := c.Export; e.ServicesIf == "" && c.JFlow.Inline && e.ServicesSource.IsValid() {
		add("source-address "+e.ServicesSource.String(), append(slices.Clone(output), "inline-jflow")...)
	}
	if e := c.Export; e.ServicesIf != "" {
		sp := append(output, "interface "+e.ServicesIf)
		if e.ServicesSource.IsValid() {
			add("source-address "+e.ServicesSource.String(), sp...)
		} else {
			add("interface "+e.ServicesIf, output...)
		}
	}
	perAddr := map[netip.Addr]int{}
	for _, d := range c.Export.Destinations {
		perAddr[d.Addr.Addr()]++
	}
	// The aggregation caches' servers (junos_aggregation.go): one version
	// 8 flow-server for each, named by address and port, with the
	// aggregations it takes.
	var aggServers []netip.AddrPort
	aggTypes := map[netip.AddrPort][]string{}
	for _, a := range c.Aggregations {
		w := aggregationWord(a.Scheme)
		if w == "" || !a.Enabled || a.Version != 0 && a.Version != platform.V8 {
			continue
		}
		for _, d := range a.Destinations {
			if _, ok := aggTypes[d]; !ok {
				aggServers = append(aggServers, d)
				perAddr[d.Addr()]++
			}
			aggTypes[d] = append(aggTypes[d], w)
		}
	}
	// A server shows its statements under the first family it is
	// configured under, family inet's servers before inet6's; a
	// dual-stack one shows its port and inet6 template under inet6 too.
	output6 := append(slices.Clone(inst), "family inet6", "output")
	emitServer := func(d config.Destination, output []string) {
		server := append(output, "flow-server "+d.Addr.Addr().String())
		var props []string
		tpl := d.Template
		if !d.Families.Has(config.FamilyInet) {
			tpl = d.Template6
		}
		if tpl != "" {
			props = append(props, versionWord(d.Version)+" template "+junosQuote(tpl))
		} else if d.Version != 0 && d.Template == "" && d.Template6 == "" {
			props = append(props, "version "+d.Version.String())
		}
		if as := c.DestinationAS(d); as != platform.ASNone {
			props = append(props, "autonomous-system-type "+strings.TrimSuffix(as.String(), "-as"))
		}
		if d.SourceAddress.IsValid() {
			props = append(props, "source-address "+d.SourceAddress.String())
		}
		if d.Truncate != 0 {
			props = append(props, fmt.Sprintf("truncate %d", d.Truncate))
		}
		if d.CryptoPAn != "" {
			props = append(props, "crypto-pan "+junosQuote(d.CryptoPAn))
		}
		if d.Biflow {
			props = append(props, "biflow")
		}
		port := fmt.Sprintf("port %d", d.Addr.Port())
		if perAddr[d.Addr.Addr()] == 1 || len(props) == 0 {
			add(port, server...)
		}
		if perAddr[d.Addr.Addr()] > 1 {
			// Several collectors on one address: each statement names
			// its server by address and port.
			server = append(output, "flow-server "+d.Addr.Addr().String()+" "+port)
		}
		for _, pr := range props {
			if vw, tpl, ok := strings.Cut(pr, " template "); ok && !strings.Contains(vw, " ") {
				add("template "+tpl, append(slices.Clone(server), vw)...)
				continue
			}
			add(pr, server...)
		}
	}
	emitDual := func(d config.Destination) {
		server := append(slices.Clone(output6), "flow-server "+d.Addr.Addr().String())
		port := fmt.Sprintf("port %d", d.Addr.Port())
		if perAddr[d.Addr.Addr()] == 1 || d.Template6 == "" {
			add(port, server...)
		}
		if d.Template6 != "" {
			if perAddr[d.Addr.Addr()] > 1 {
				server[len(server)-1] += " " + port
			}
			add("template "+junosQuote(d.Template6), append(server, versionWord(d.Version))...)
		}
	}
	for _, d := range c.Export.Destinations {
		if d.Families.Has(config.FamilyInet) {
			emitServer(d, output4)
		}
	}
	for _, d := range c.Export.Destinations {
		switch {
		case !d.Families.Has(config.FamilyInet):
			emitServer(d, output6)
		case d.Families.Has(config.FamilyInet6):
			emitDual(d)
		}
	}
	for _, d := range aggServers {
		server := append(slices.Clone(output4), fmt.Sprintf("flow-server %s port %d", d.Addr(), d.Port()))
		add("version 8", server...)
		for _, w := range aggTypes[d] {
			add(w, append(slices.Clone(server), "aggregation")...)
		}
	}
	firewallStatements(c, add)
	return out
}

// junosQuote quotes a value the way JunOS displays it: only when needed.
func junosQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"\\;{}#") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// RenderSet is `show configuration | display set`: one set line per
// statement. Only what JunOS can express is shown; Unmapped lists
// the rest.
func RenderSet(c config.Config) string {
	var b strings.Builder
	stmts := fullStatements(c, false)
	for i, s := range stmts {
		if s.container {
			continue
		}
		b.WriteString(setLine([][]string{s.path}, []string{s.leaf}))
		b.WriteByte('\n')
		switch {
		case s.entry != "":
			if i+1 == len(stmts) || stmts[i+1].entry != s.entry {
				b.WriteString("deactivate " + s.entry + "\n")
			}
		case s.inactive:
			b.WriteString(deactivateLine([][]string{s.path}, []string{s.leaf}))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// SaveText is RenderSet with the annotations as `annotate` lines (which
// display set leaves out): what a saved file keeps of the JunOS part.
func SaveText(c config.Config) string {
	var b strings.Builder
	b.WriteString(RenderSet(c))
	for _, n := range c.JunOS.Notes {
		b.WriteString("annotate " + n.Path + " " + `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(n.Text) + `"` + "\n")
	}
	return b.String()
}

// Render is the configuration as JunOS brace text.
func Render(c config.Config) string {
	var b strings.Builder
	junosTree(fullStatements(c, false)).write(&b, 0, "")
	return b.String()
}

// RenderInheritance is `show configuration | display inheritance`: the
// brace text with what the groups give, each inherited statement under
// JunOS's `##` comment naming its group.
func RenderInheritance(c config.Config) string {
	return RenderInheritanceStyle(c, nil, InheritFull)
}

// InheritStyle is how `display inheritance` marks what the groups give.
type InheritStyle int

const (
	// InheritFull is `display inheritance`: three `##` lines above each
	// inherited statement, the middle one naming the statement's last
	// word and its group.
	InheritFull InheritStyle = iota
	// InheritBrief is `display inheritance brief`: the naming line
	// alone (from memory, not confirmed against a router).
	InheritBrief
	// InheritTerse is `display inheritance terse`: the naming line only
	// where the group changes, not on each statement inside a container
	// the same group gave (from memory, not confirmed).
	InheritTerse
	// InheritNoComments is `display inheritance no-comments`: what the
	// groups give, unmarked.
	InheritNoComments
)

// RenderInheritanceStyle is RenderInheritanceAt in one of the styles.
func RenderInheritanceStyle(c config.Config, at []string, style InheritStyle) string {
	var b strings.Builder
	if len(at) == 0 {
		junosTree(fullStatements(c, true)).writeStyled(&b, 0, "", style, "")
	} else {
		renderAtTree(c, at, true).writeStyled(&b, 0, "", style, "")
	}
	return b.String()
}

// jnode is a container of the brace tree.
type jnode struct {
	label    string
	children []*jnode
	leaves   []string // statements in order, as `leaf;`; "" marks a child's place
	// leafNote and leafFrom are each leaf's annotation and the group it
	// was inherited from.
	leafNote, leafFrom []string
	inactive           bool
	note               string
	// from is the group the container was inherited from; local is set
	// when a statement of its own lies in it.
	from  string
	local bool
}

func junosTree(stmts []jstmt) *jnode {
	root := &jnode{}
	for _, s := range stmts {
		n := root
		if s.container {
			for _, label := range append(slices.Clone(s.path), s.leaf) {
				n = n.child(label)
				n.local = true
			}
			continue
		}
		for i, label := range s.path {
			n = n.child(label)
			if i < len(s.pathMeta) {
				n.inactive = n.inactive || s.pathMeta[i].inactive
				if n.note == "" {
					n.note = s.pathMeta[i].note
				}
			}
			if s.inherit == "" {
				n.local = true
			} else if n.from == "" {
				n.from = s.inherit
			}
		}
		n.leaves = append(n.leaves, s.text())
		n.leafNote = append(n.leafNote, s.note)
		n.leafFrom = append(n.leafFrom, s.inherit)
	}
	return root
}

func (n *jnode) child(label string) *jnode {
	for _, c := range n.children {
		if c.label == label {
			return c
		}
	}
	c := &jnode{label: label}
	n.children = append(n.children, c)
	return c
}

// shown is the container's label as brace text writes it.
func (n *jnode) shown() string {
	if n.inactive {
		return inactivePrefix + n.label
	}
	return n.label
}

// write prints the node's body at depth, each line prefixed with sign
// (for `show | compare`).
func (n *jnode) write(b *strings.Builder, depth int, sign string) {
	n.writeStyled(b, depth, sign, InheritFull, "")
}

// writeStyled is write with inherited statements marked in style;
// within is the group the enclosing container came from, if any.
func (n *jnode) writeStyled(b *strings.Builder, depth int, sign string, style InheritStyle, within string) {
	ind := func(d int) string {
		s := strings.Repeat("    ", d)
		if sign != "" && len(s) > 0 {
			s = sign + s[1:]
		} else if sign != "" {
			s = sign
		}
		return s
	}
	above := func(note, from, stmt string) {
		if note != "" {
			fmt.Fprintf(b, "%s/* %s */\n", ind(depth), note)
		}
		if from == "" || style == InheritNoComments || style == InheritTerse && from == within {
			return
		}
		// JunOS names the statement by its last word.
		ws := words(strings.TrimPrefix(stmt, inactivePrefix))
		naming := fmt.Sprintf("%s## '%s' was inherited from group '%s'\n", ind(depth), ws[len(ws)-1], from)
		if style == InheritFull {
			naming = ind(depth) + "##\n" + naming + ind(depth) + "##\n"
		}
		b.WriteString(naming)
	}
	first := func(c *jnode) bool { return n.label == "" && depth == 0 && c.label == "groups" }
	node := func(c *jnode) {
		from := c.from
		if c.local {
			from = ""
		}
		above(c.note, from, c.label)
		fmt.Fprintf(b, "%s%s {\n", ind(depth), c.shown())
		c.writeStyled(b, depth+1, sign, style, from)
		fmt.Fprintf(b, "%s}\n", ind(depth))
	}
	// JunOS writes groups first, then the apply-groups that use them.
	for _, c := range n.children {
		if first(c) {
			node(c)
		}
	}
	for i, l := range n.leaves {
		if i < len(n.leafNote) {
			above(n.leafNote[i], n.leafFrom[i], l)
		}
		fmt.Fprintf(b, "%s%s;\n", ind(depth), l)
	}
	for _, c := range n.children {
		if !first(c) {
			node(c)
		}
	}
}

// Unmapped lists the paths of settings JunOS cannot express (they
// are kept in the model, but RenderSet leaves them out): what is
// lost going through the JunOS rendering and back.
func Unmapped(c config.Config) []string {
	back, err := Apply(config.Config{Platform: c.Platform}, "junos", []byte(SaveText(c)))
	if err != nil {
		return []string{"(the JunOS rendering does not parse back: " + err.Error() + ")"}
	}
	var out []string
	for _, ch := range config.Diff(c, back) {
		out = append(out, ch.Path)
	}
	return out
}

// RenderAt is the brace text below the hierarchy words name (`show
// forwarding-options sampling` in configuration mode, or `show` at that
// edit level): the statements under it, their containers relative to it.
// A leaf the words name whole ("... input rate") is shown as itself.
func RenderAt(c config.Config, at []string) string { return renderAt(c, at, false) }

// RenderInheritanceAt is RenderAt with what the groups give, as
// RenderInheritance shows it (`show STATEMENT | display inheritance`).
func RenderInheritanceAt(c config.Config, at []string) string {
	return RenderInheritanceStyle(c, at, InheritFull)
}

func renderAt(c config.Config, at []string, inheritance bool) string {
	var b strings.Builder
	renderAtTree(c, at, inheritance).write(&b, 0, "")
	return b.String()
}

// renderAtTree is the brace tree below the hierarchy words at.
func renderAtTree(c config.Config, at []string, inheritance bool) *jnode {
	var out []jstmt
	for _, s := range fullStatements(c, inheritance) {
		var ws []string
		for _, l := range s.path {
			ws = append(ws, words(l)...)
		}
		n := len(ws)
		ws = append(ws, words(s.leaf)...)
		if len(ws) < len(at) || !slices.Equal(ws[:len(at)], at) {
			continue
		}
		if len(at) >= n {
			// Inside the statement's own words: the statement itself.
			if s.container {
				continue // a local container: nothing of its own to show
			}
			out = append(out, jstmt{leaf: joinWords(ws[n:]), inactive: s.inactive, note: s.note, inherit: s.inherit})
			continue
		}
		// Drop the containers the words cover; a container they only
		// begin ("family" of "family inet") keeps its remaining words.
		var path []string
		var pm []meta
		k := 0
		for i, l := range s.path {
			f := words(l)
			var m meta
			if i < len(s.pathMeta) {
				m = s.pathMeta[i]
			}
			switch {
			case k+len(f) <= len(at):
			case k >= len(at):
				path = append(path, l)
				pm = append(pm, m)
			default:
				path = append(path, joinWords(f[len(at)-k:]))
				pm = append(pm, m)
			}
			k += len(f)
		}
		out = append(out, jstmt{path: path, leaf: s.leaf, inactive: s.inactive, pathMeta: pm, note: s.note, inherit: s.inherit, container: s.container})
	}
	return junosTree(out)
}

// jflowStatements are `chassis fpc N sampling-instance` and `services
// flow-monitoring`, in JunOS order (after system, before interfaces).
func jflowStatements(c config.Config, add func(string, ...string)) {
	for _, f := range c.JFlow.FPCs {
		add("sampling-instance "+junosQuote(f.Instance), "chassis", fmt.Sprintf("fpc %d", f.Slot))
	}
	for _, t := range c.JFlow.Templates {
		p := []string{"services", "flow-monitoring", versionWord(t.Version), "template " + junosQuote(t.Name)}
		n := 0
		leaf := func(l string, sub ...string) {
			add(l, append(slices.Clone(p), sub...)...)
			n++
		}
		if t.Active != 0 {
			leaf(fmt.Sprintf("flow-active-timeout %d", t.Active/time.Second))
		}
		if t.Inactive != 0 {
			leaf(fmt.Sprintf("flow-inactive-timeout %d", t.Inactive/time.Second))
		}
		if t.TemplatePackets != 0 {
			leaf(fmt.Sprintf("packets %d", t.TemplatePackets), "template-refresh-rate")
		}
		if t.TemplateRefresh != 0 {
			leaf(fmt.Sprintf("seconds %d", t.TemplateRefresh/time.Second), "template-refresh-rate")
		}
		if t.OptionPackets != 0 {
			leaf(fmt.Sprintf("packets %d", t.OptionPackets), "option-refresh-rate")
		}
		if t.OptionRefresh != 0 {
			leaf(fmt.Sprintf("seconds %d", t.OptionRefresh/time.Second), "option-refresh-rate")
		}
		if t.Family != "" {
			leaf(t.Family)
		}
		if n == 0 {
			add("template "+junosQuote(t.Name), p[:3]...)
		}
	}
}
