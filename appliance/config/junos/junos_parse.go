package junos

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
	"github.com/flowtap/flowtap/appliance/platform"
)

// DefaultPlatform is the persona a JunOS configuration gets when it
// names none.
const DefaultPlatform = "cflowd"

// Session collects JunOS `set` and `delete` lines into a candidate
// configuration, as `configure` does; nothing is checked against the
// persona until Commit, so the lines may come in any order.
type Session struct {
	file  string
	base  config.Config
	cfg   config.Config
	line  int
	where grammar.Origins
	// batch applies lines in place: a failed batch is thrown away whole,
	// so no line needs undoing, and copying the candidate for each line
	// would make a long file quadratic.
	batch bool
	// offered is what the last line that parsed could still have taken
	// (its cursor's Offered), for `?` after a complete statement.
	offered []string
	// offline: lines are only tried (`?` help): a flow-server's host
	// name is not looked up on the name servers.
	offline bool
	// res resolves host names the host table does not hold (nil: the
	// configured name servers alone).
	res config.Resolver
	// deactivating: a group's lines are leaving for an inactive
	// statement; its notes stay.
	deactivating bool
}

// SetResolver makes the session resolve host names with r (flowtapd's
// cache, which knows the DHCP lease's servers).
func (s *Session) SetResolver(r config.Resolver) { s.res = r }

// NewSession starts a candidate from base.
func NewSession(base config.Config, file string) *Session {
	s := &Session{file: file, base: base, cfg: base.Clone(), where: grammar.Origins{}}
	if len(base.JunOS.Inherited) > 0 || len(base.JunOS.Filled) > 0 {
		// The candidate holds the local statements: what the groups
		// gave is taken out by rebuilding the JunOS part from its text.
		s.cfg = OverrideBase(base)
		s.batch = true
		for _, l := range strings.Split(strings.TrimSpace(SaveText(base)), "\n") {
			s.exec(0, l)
		}
		s.batch = false
	}
	return s
}

// Exec applies one `set` or `delete` line to the candidate. Syntax errors
// are reported at once, as *LineError.
func (s *Session) Exec(line string) error {
	s.line++
	if e := s.exec(s.line, line); e != nil {
		return e
	}
	return nil
}

// grammarExec applies a line through the statement grammar.
func (s *Session) grammarExec(n int, text string) *config.LineError {
	words, err := splitJunOS(text)
	if err != nil {
		return &config.LineError{File: s.file, Line: n, Text: text, Col: len(text), Kind: config.ErrInvalid, Dialect: platform.DialectJunOS, Reason: err.Error()}
	}
	if len(words) == 0 || strings.HasPrefix(words[0].Text, "#") {
		return nil
	}
	work := s.cfg
	if !s.batch {
		work = s.cfg.Clone()
	}
	j := &jcmd{c: grammar.NewCursor(text, words, platform.DialectJunOS), cfg: &work, offline: s.offline, res: s.res}
	j.top()
	s.offered = j.c.Offered()
	if j.c.Err != nil {
		j.c.Err.File, j.c.Err.Line = s.file, n
		return j.c.Err
	}
	s.cfg = work
	s.where.Record(n, text, words, j.touched)
	return nil
}

// Commit checks the candidate and returns it normalized; the errors name
// the line that last set each refused value.
func (s *Session) Commit() (config.Config, error) {
	work := &s.cfg
	if grouped(s.cfg) {
		eff, errs := expand(s.cfg)
		if len(errs) > 0 {
			return config.Config{}, config.Errors(errs)
		}
		work = &eff
	}
	aggregationServers(work)
	var folded config.Errors
	fes, from := foldTemplates(work)
	for model, stmt := range from {
		if at, ok := s.where[stmt]; ok {
			s.where[model] = at
		}
	}
	for _, fe := range fes {
		folded = append(folded, s.where.Blame(fe, s.file, platform.DialectJunOS))
	}
	_, baseErrs := config.NormalizeFields(s.base)
	norm, errs := grammar.CheckAll(*work, baseErrs, s.where, s.file, platform.DialectJunOS)
	errs = append(folded, errs...)
	if len(errs) > 0 {
		grammar.SortByLine(errs)
		return config.Config{}, errs
	}
	return norm, nil
}

// Parse reads a JunOS configuration, `set` lines or brace text, into
// a new Config whose persona defaults to cflowd.
func Parse(file string, src []byte) (config.Config, error) {
	return ApplyWith(config.Config{Platform: DefaultPlatform}, file, src, nil)
}

// ParseWith is Parse resolving host names with r.
func ParseWith(file string, src []byte, r config.Resolver) (config.Config, error) {
	return ApplyWith(config.Config{Platform: DefaultPlatform}, file, src, r)
}

// Apply applies `set`/`delete` lines (or brace text, which sets what
// it holds) to a copy of base, as `load merge` then `commit` do.
func Apply(base config.Config, file string, src []byte) (config.Config, error) {
	return ApplyWith(base, file, src, nil)
}

// ApplyWith is Apply resolving host names with r.
func ApplyWith(base config.Config, file string, src []byte, r config.Resolver) (config.Config, error) {
	lines, err := junosLines(string(src))
	if err != nil {
		var le *config.LineError
		if errors.As(err, &le) {
			le.File = file
		}
		return config.Config{}, config.Errors{err}
	}
	s := NewSession(base, file)
	s.batch, s.res = true, r
	var errs config.Errors
	for _, l := range lines {
		if l.replace {
			continue
		}
		if e := s.exec(l.n, l.text); e != nil {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return config.Config{}, errs
	}
	return s.Commit()
}

// numberedLine is a set line and the source line it stands for.
type numberedLine struct {
	n    int
	text string
	// replace: a delete line a `replace:` tag stands for, which only
	// `load replace` takes (deleteStatement); the other loaders merge
	// the statement, the tag ignored.
	replace bool
}

// junosLines turns the source into set lines: brace text is flattened,
// set lines pass through.
func junosLines(src string) ([]numberedLine, error) {
	if isBraceText(src) {
		return flattenBraces(src)
	}
	var out []numberedLine
	for i, l := range strings.Split(src, "\n") {
		l = strings.TrimRight(l, " \t\r")
		if t := strings.TrimSpace(l); t == "" || t[0] == '#' {
			continue
		}
		out = append(out, numberedLine{i + 1, l, false})
	}
	return out, nil
}

// splitJunOS splits a line into words; a double-quoted string is one word
// (without its quotes), with \" and \\ escapes.
func splitJunOS(line string) ([]grammar.Word, error) {
	var ws []grammar.Word
	for i := 0; i < len(line); {
		if grammar.IsBlank(line[i]) {
			i++
			continue
		}
		start := i
		if line[i] != '"' {
			for i < len(line) && !grammar.IsBlank(line[i]) {
				i++
			}
			ws = append(ws, grammar.Word{Text: line[start:i], Col: start})
			continue
		}
		var b strings.Builder
		for i++; ; i++ {
			if i >= len(line) {
				return nil, errors.New("unterminated quoted string")
			}
			if line[i] == '\\' && i+1 < len(line) {
				i++
				b.WriteByte(line[i])
				continue
			}
			if line[i] == '"' {
				i++
				break
			}
			b.WriteByte(line[i])
		}
		ws = append(ws, grammar.Word{Text: b.String(), Col: start})
	}
	return ws, nil
}

// jcmd is one JunOS line being applied to the candidate.
type jcmd struct {
	c       *grammar.Cursor
	cfg     *config.Config
	del     bool
	touched []grammar.Touched
	offline bool // look no host name up (help)
	res     config.Resolver
	// family is the sampling `family inet|inet6` the line is under ("":
	// none, JunOS 8's output).
	family string
}

func (j *jcmd) touch(path string) {
	j.touched = append(j.touched, grammar.Touched{Path: path, Word: j.c.Last()})
}

// deleting reports whether a delete ends here: the rest of the hierarchy
// goes.
func (j *jcmd) deleting() bool { return j.del && j.c.Err == nil && !j.c.More() }

func (j *jcmd) top() {
	switch j.c.Keyword("activate", "deactivate", "delete", "set") {
	case "activate":
		j.activation(true)
		return
	case "deactivate":
		j.activation(false)
		return
	case "delete":
		j.del = true
	}
	switch j.c.Keyword("apply-groups", "chassis", "firewall", "flowtap", "forwarding-options", "groups", "interfaces", "services", "snmp", "system") {
	case "apply-groups", "groups":
		// Session.exec takes these lines before the grammar
		// (junos_text.go); the words are here for `?`.
		j.c.Skip()
	case "chassis":
		j.chassis()
	case "services":
		j.services()
	case "firewall":
		j.firewall()
	case "system":
		j.system()
	case "flowtap":
		j.flowtap()
	case "interfaces":
		j.interfaces()
	case "snmp":
		j.snmp()
	case "forwarding-options":
		j.c.Keyword("sampling")
		j.sampling()
	}
}

func (j *jcmd) system() {
	if j.deleting() {
		j.cfg.Hostname = ""
		j.clearSyslog()
		return
	}
	switch j.c.Keyword("domain-name", "host-name", "login", "name-server", "services", "static-host-mapping", "syslog") {
	case "domain-name", "name-server", "static-host-mapping":
		j.systemNames(j.c.Words[j.c.Last()].Text)
		return
	case "syslog":
		j.syslog()
		return
	case "login":
		j.loginUser()
		return
	case "services":
		j.sysServices()
		return
	}
	if j.del {
		j.c.End()
		j.cfg.Hostname = ""
		return
	}
	h := j.c.Name("<host-name>", config.CheckHostname)
	j.c.End()
	j.cfg.Hostname = h
	j.touch("hostname")
}

func (j *jcmd) flowtap() {
	if j.deleting() {
		j.cfg.Platform = ""
		j.cfg.AppClasses = config.AppClasses{}
		j.cfg.Taps = nil
		return
	}
	switch j.c.Keyword("application-class", "platform", "tap") {
	case "application-class":
		j.appClass()
		return
	case "tap":
		j.tap()
		return
	}
	if j.del {
		j.c.End()
		j.cfg.Platform = ""
		return
	}
	j.cfg.Platform = j.c.Keyword(platform.Names()...)
	j.c.End()
	j.touch("platform")
}

func (j *jcmd) interfaces() {
	if j.deleting() {
		j.cfg.Interfaces = nil
		return
	}
	if j.c.More() && config.CheckServicesIf(j.c.Words[j.c.Pos].Text) == nil {
		// The services PIC (sp-0/0/0 { unit 0 { family inet; } }) is
		// the exporter itself: it names it, and meters nothing.
		name := j.c.Name("<interface-name>", config.CheckServicesIf)
		j.c.Skip()
		if j.del {
			j.cfg.Export.ServicesIf, j.cfg.Export.ServicesSource = "", netip.Addr{}
		} else if j.cfg.Export.ServicesIf == "" {
			j.cfg.Export.ServicesIf = name
		}
		return
	}
	name := j.c.Name("<interface-name>", config.CheckIfName)
	if j.c.Err != nil {
		return
	}
	path := "interfaces[" + name + "]"
	i := slices.IndexFunc(j.cfg.Interfaces, func(it config.Interface) bool { return it.Name == name })
	if j.deleting() {
		if i >= 0 {
			j.cfg.Interfaces = slices.Delete(j.cfg.Interfaces, i, i+1)
		}
		return
	}
	if i < 0 {
		if j.del {
			j.c.Skip()
			return
		}
		j.cfg.Interfaces = append(j.cfg.Interfaces, config.Interface{Name: name}) // Normalize sorts
		i = len(j.cfg.Interfaces) - 1
	}
	it := &j.cfg.Interfaces[i]
	j.touch(path)
	if !j.c.More() {
		j.c.Offer(interfaceOptions...)
		return // `set interfaces NAME`
	}
	switch j.c.Keyword(interfaceOptions...) {
	case "description":
		if j.del {
			j.c.End()
			it.Description = ""
			return
		}
		it.Description = j.c.Rest("<description>")
		j.touch(path + ".description")
	case "disable":
		it.Shutdown = !j.del
	case "no-traps":
		// linkUp/linkDown for the interface off (on by default).
		it.NoLinkTrap = !j.del
	case "traps":
		it.NoLinkTrap = false
	case "unit":
		j.c.Keyword("0")
		if j.deleting() {
			it.Ingress, it.Egress = false, false
			return
		}
		j.c.Keyword("family")
		fam := j.c.Keyword("inet", "inet6")
		if j.deleting() {
			it.Ingress, it.Egress = false, false
			if fam == "inet" {
				it.FilterInput4 = ""
			} else {
				it.FilterInput6 = ""
			}
			return
		}
		if j.c.Keyword("filter", "sampling") == "filter" {
			j.c.Keyword("input")
			filter := &it.FilterInput4
			if fam == "inet6" {
				filter = &it.FilterInput6
			}
			if j.del {
				j.c.Skip()
				*filter = ""
				return
			}
			*filter = j.c.Name("<filter-name>", config.CheckName32)
			j.touch(path + ".filter")
			j.c.End()
			return
		}
		if j.deleting() {
			it.Ingress, it.Egress = false, false
			return
		}
		if j.c.Keyword("input", "output") == "input" {
			it.Ingress = !j.del
		} else {
			it.Egress = !j.del
		}
	}
	j.c.End()
}

func (j *jcmd) snmp() {
	s := &j.cfg.SNMP
	if j.deleting() {
		s.Communities, s.Location, s.Contact = nil, "", ""
		return
	}
	switch k := j.c.Keyword("community", "contact", "location", "view"); k {
	case "view":
		j.snmpView()
	case "location", "contact":
		text := ""
		if j.del {
			j.c.End()
		} else {
			text = j.c.Rest("<" + k + ">")
			j.touch("snmp." + k)
			j.c.End()
		}
		if k == "location" {
			s.Location = text
		} else {
			s.Contact = text
		}
	case "community":
		name := j.c.Name("<community-name>", config.CheckName32)
		if j.c.Err != nil {
			return
		}
		path := "snmp.communities[" + name + "]"
		i := slices.IndexFunc(s.Communities, func(c config.Community) bool { return c.Name == name })
		if j.deleting() {
			if i >= 0 {
				s.Communities = slices.Delete(s.Communities, i, i+1)
			}
			return
		}
		j.touch(path)
		if i < 0 && !j.del {
			s.Communities = append(s.Communities, config.Community{Name: name})
			i = len(s.Communities) - 1
		}
		if !j.c.More() {
			j.c.Offer(communityOptions...)
			return
		}
		if j.c.Keyword(communityOptions...) == "view" {
			view := ""
			if !j.del {
				view = j.c.Name("<view-name>", config.CheckName32)
				j.touch(path + ".view")
			}
			j.c.End()
			if i >= 0 && j.c.Err == nil {
				s.Communities[i].View = view
			}
			return
		}
		rw := false
		if !j.del {
			rw = j.c.Keyword("read-only", "read-write") == "read-write"
		}
		j.c.End()
		if i >= 0 && j.c.Err == nil {
			s.Communities[i].RW = rw
		}
	}
}

// snmpView is `snmp view NAME oid OID include|exclude`: the MIB view a
// community's `view` names, one subtree a line, as IOS's `snmp-server
// view` (the model's views serve both dialects).
func (j *jcmd) snmpView() {
	name := j.c.Name("<view-name>", config.CheckName32)
	if j.c.Err != nil {
		return
	}
	vs := &j.cfg.SNMP.Views
	i := slices.IndexFunc(*vs, func(v config.SNMPView) bool { return v.Name == name })
	path := "snmp.views[" + name + "]"
	if j.deleting() {
		if i >= 0 {
			*vs = slices.Delete(*vs, i, i+1)
		}
		return
	}
	j.c.Keyword("oid")
	t := config.ViewSubtree{OID: strings.TrimPrefix(j.c.Name("<oid>", func(o string) error { return config.CheckViewOID(strings.TrimPrefix(o, ".")) }), ".")}
	if j.c.Err != nil {
		return
	}
	key := t.Key()
	if j.del {
		// `delete ... oid OID [include|exclude]`: the subtree goes.
		if j.c.More() {
			j.c.Keyword("exclude", "include")
		}
		j.c.End()
		if j.c.Err == nil && i >= 0 {
			v := &(*vs)[i]
			v.Subtrees = slices.DeleteFunc(slices.Clone(v.Subtrees), func(o config.ViewSubtree) bool { return o.Key() == key })
			if len(v.Subtrees) == 0 {
				*vs = slices.Delete(*vs, i, i+1)
			}
		}
		return
	}
	j.touch(path + ".subtrees[" + key + "]")
	t.Excluded = j.c.Keyword("exclude", "include") == "exclude"
	j.c.End()
	if j.c.Err != nil {
		return
	}
	if i < 0 {
		*vs = append(*vs, config.SNMPView{Name: name})
		i = len(*vs) - 1
	}
	v := &(*vs)[i]
	v.Subtrees = slices.Clone(v.Subtrees)
	if k := slices.IndexFunc(v.Subtrees, func(o config.ViewSubtree) bool { return o.Key() == key }); k >= 0 {
		v.Subtrees[k] = t
	} else {
		v.Subtrees = append(v.Subtrees, t)
	}
}

// sampling reads the statements under `forwarding-options sampling`, or
// under its instance (kws, the ones an instance takes).
func (j *jcmd) sampling(kws ...string) {
	if j.deleting() {
		j.clearInput()
		j.clearOutput()
		j.cfg.JFlow.Instance = ""
		return
	}
	if len(kws) == 0 {
		kws = []string{"family", "input", "instance", "output", "overload-protection"}
	}
	switch j.c.Keyword(kws...) {
	case "instance":
		j.instance()
	case "overload-protection":
		j.overloadProtection()
	case "input":
		// JunOS 8's `input family inet { rate N; ... }` is today's
		// `input { rate N; ... }`.
		if j.c.TryKeyword("family") != "" {
			j.c.Keyword("inet")
		}
		j.samplingInput()
	case "output":
		// JunOS 8 has output (cflowd servers) without a family.
		if j.deleting() {
			j.clearOutput()
			return
		}
		j.samplingOutput()
	case "family":
		j.family = j.c.Keyword("inet", "inet6")
		if j.deleting() {
			j.clearFamily()
			return
		}
		j.c.Keyword("output")
		if j.deleting() {
			j.clearFamily()
			return
		}
		j.samplingOutput()
	}
}

func (j *jcmd) clearInput() {
	if j.cfg.Sampling.Mode == platform.SamplingJuniper {
		j.cfg.Sampling = platform.Sampling{}
	}
}

// clearFamily is `delete ... family inet|inet6 [output]`: the family's
// flow-servers stop getting its records, and those under no other family
// go. The output's other statements (timeouts, the services interface,
// inline-jflow) are the one cache's and exporter's in flowtap, so they
// go with the last family that has a server.
func (j *jcmd) clearFamily() {
	e := &j.cfg.Export
	fam := j.familyBit()
	e.Destinations = slices.DeleteFunc(e.Destinations, func(d config.Destination) bool { return d.Families.Without(fam) == 0 })
	for i := range e.Destinations {
		d := &e.Destinations[i]
		d.Families = d.Families.Without(fam)
		j.dropServerTemplate(d)
	}
	if len(e.Destinations) == 0 {
		j.clearOutput()
	}
}

// familyBit is the family the line's flow-servers are under: JunOS 8's
// family-less output is inet's (its sampling was IPv4 only).
func (j *jcmd) familyBit() config.Families {
	if j.family == "inet6" {
		return config.FamilyInet6
	}
	return config.FamilyInet
}

func (j *jcmd) clearOutput() {
	j.cfg.Export.ServicesIf, j.cfg.Export.ServicesSource = "", netip.Addr{}
	j.cfg.Cache.Active, j.cfg.Cache.Inactive = 0, 0
	j.cfg.Export.Destinations = nil
	j.cfg.Export.AS = platform.ASNone
	j.cfg.JFlow.Inline = false
}

// overloadProtection is `forwarding-options sampling overload-protection
// [threshold PCT | max-rate N | interval S | budget NS]`: the bare
// statement turns it on with the defaults, each option one statement
// (IOS's `ip flow-cache overload-protection`).
func (j *jcmd) overloadProtection() {
	o := &j.cfg.Cache.Overload
	if j.deleting() {
		*o = config.Overload{}
		return
	}
	k := ""
	if j.c.More() {
		k = j.c.Keyword(overloadOptions...)
	} else {
		j.c.Offer(overloadOptions...)
	}
	var n uint64
	if !j.del {
		switch k {
		case "threshold":
			n = j.c.Uint(1, 100)
		case "max-rate":
			n = j.c.Uint(2, 65535)
		case "interval":
			n = j.c.Uint(1, 60)
		case "budget":
			n = j.c.Uint(10, 100000)
		}
	}
	j.c.End()
	if j.c.Err != nil {
		return
	}
	if !j.del {
		o.Enabled = true
	}
	switch k {
	case "threshold":
		o.Threshold = int(n)
	case "max-rate":
		o.MaxRate = uint32(n)
	case "interval":
		o.Interval = time.Duration(n) * time.Second
	case "budget":
		o.Budget = time.Duration(n) * time.Nanosecond
	}
	j.touch("cache.overload")
}

func (j *jcmd) samplingInput() {
	if j.deleting() {
		j.c.Offer(samplingInputOptions...)
		j.clearInput()
		return
	}
	s := &j.cfg.Sampling
	k := j.c.Keyword(samplingInputOptions...)
	if j.c.Err != nil {
		return
	}
	if j.del {
		j.c.End()
		switch k {
		case "rate":
			s.Rate = 0
		case "run-length":
			s.RunLength = 0
		case "max-packets-per-second":
			s.MaxPacketsPerSecond = 0
		}
		if s.Mode == platform.SamplingJuniper && s.Rate == 0 && s.RunLength == 0 && s.MaxPacketsPerSecond == 0 {
			*s = platform.Sampling{}
		}
		return
	}
	var n uint64
	switch k {
	case "rate":
		n = j.c.Uint(1, 1<<32-1)
	case "run-length":
		n = j.c.Uint(0, 1<<32-1)
	case "max-packets-per-second":
		// 0 would sample nothing; delete the input instead (ours).
		n = j.c.Uint(1, 65535)
	}
	j.c.End()
	if j.c.Err != nil {
		return
	}
	j.touch("sampling")
	if s.Mode != platform.SamplingJuniper {
		*s = platform.Sampling{Mode: platform.SamplingJuniper}
	}
	switch k {
	case "rate":
		s.Rate = uint32(n)
	case "run-length":
		s.RunLength = uint32(n)
	case "max-packets-per-second":
		s.MaxPacketsPerSecond = uint32(n)
	}
}

func (j *jcmd) samplingOutput() {
	k := j.c.Keyword("cflowd", "flow-active-timeout", "flow-inactive-timeout", "flow-server", "inline-jflow", "interface")
	switch k {
	case "inline-jflow":
		j.inlineJflow()
		return
	case "flow-server", "cflowd": // cflowd is JunOS 8's name for a flow-server
		j.flowServer()
		return
	case "interface":
		j.servicesInterface()
		return
	}
	var d time.Duration
	if !j.del {
		d = time.Duration(j.c.Uint(1, config.MaxMinutes)) * time.Second
	}
	j.c.End()
	if j.c.Err != nil {
		return
	}
	if i := slices.IndexFunc(j.cfg.Export.Destinations, func(d config.Destination) bool { return len(serverTemplates(d)) > 0 }); i >= 0 && !j.del {
		// A flow-server that names a template takes its timeouts from
		// the templates in use (foldTemplates), which would drop this
		// value at commit without a word: say where it goes instead.
		srv := j.cfg.Export.Destinations[i]
		tpl := serverTemplates(srv)[0]
		j.c.Refuse("flow-server %s uses template %s, whose timeouts apply: set services flow-monitoring %s template %s %s %d",
			srv.Addr.Addr(), tpl, versionWord(srv.Version), tpl, k, d/time.Second)
		return
	}
	if k == "flow-active-timeout" {
		j.cfg.Cache.Active = d
		j.touch("cache.active")
	} else {
		j.cfg.Cache.Inactive = d
		j.touch("cache.inactive")
	}
}

// flowServer maps a JunOS flow-server onto a collector. JunOS keys the
// server by address and makes the port an attribute; the model keys by
// both, so that several collectors on one address (ports 2055, 9995,
// 9996 of one nfcapd host) can be configured: `flow-server A port P`
// names the server (A, P), creating it when it is new, and the
// statements that follow on the line apply to it. Without a port a line
// applies to the one server at A (one without a port yet has port 0,
// refused at commit; its first port statement completes it); when A has
// several, the line must name the port.
func (j *jcmd) flowServer() {
	// A host name is resolved as the line is entered (the static host
	// mappings, then the name servers) and the server keeps the address.
	a := j.c.Host(false, j.cfg.Names, j.offline, j.res)
	if j.c.Err != nil {
		return
	}
	a, at := a.Unmap(), j.c.Last()
	e := &j.cfg.Export
	atAddr := func() []int {
		var is []int
		for i, d := range e.Destinations {
			if d.Addr.Addr() == a {
				is = append(is, i)
			}
		}
		return is
	}
	// A port right after the address names the server.
	var port uint16
	named := false
	if j.c.More() && j.c.Words[j.c.Pos].Text == "port" && j.c.Pos+1 < len(j.c.Words) {
		j.c.Pos++
		port, named = uint16(j.c.Uint(1, 65535)), true
		if j.c.Err != nil {
			return
		}
	}
	if j.c.More() {
		if k, _ := grammar.MatchKeyword(j.c.Words[j.c.Pos].Text, flowServerOptions, false); k == "aggregation" {
			// An aggregation names a cache this server takes, not a
			// main-cache server (see aggregationServer).
			if !named {
				if is := atAddr(); len(is) == 1 {
					port = e.Destinations[is[0]].Addr.Port()
				}
			}
			j.c.Pos++
			j.aggregationServer(netip.AddrPortFrom(a, port))
			return
		}
	}
	i := -1
	switch is := atAddr(); {
	case named:
		i = slices.IndexFunc(e.Destinations, func(d config.Destination) bool { return d.Addr == netip.AddrPortFrom(a, port) })
		if i < 0 && !j.del {
			// A server begun without a port takes this one.
			if k := slices.IndexFunc(e.Destinations, func(d config.Destination) bool { return d.Addr == netip.AddrPortFrom(a, 0) }); k >= 0 {
				i = k
				e.Destinations[i].Addr = netip.AddrPortFrom(a, port)
			}
		}
	case len(is) == 1:
		i = is[0]
	case len(is) > 1:
		if j.deleting() { // delete flow-server A: every server at A, of this family
			for _, k := range slices.Backward(is) {
				j.dropServer(k)
			}
			return
		}
		j.c.Refuse("flow-server %s has %d ports: name one (flow-server %s port PORT ...)", a, len(is), a)
		return
	}
	if j.deleting() {
		if i >= 0 {
			j.dropServer(i)
		} else if named {
			j.dropAggregationServers(func(d netip.AddrPort) bool { return d == netip.AddrPortFrom(a, port) })
		} else {
			j.dropAggregationServers(func(d netip.AddrPort) bool { return d.Addr() == a })
		}
		return
	}
	if i < 0 {
		if j.del {
			j.c.Skip()
			return
		}
		e.Destinations = append(e.Destinations, config.Destination{Addr: netip.AddrPortFrom(a, port), Families: j.familyBit()})
		i = len(e.Destinations) - 1
	} else if j.family != "" && !j.del {
		// The same server under the other family too (Junos's
		// dual-stack form).
		e.Destinations[i].Families = e.Destinations[i].Families.With(j.familyBit())
	}
	d := &e.Destinations[i]
	path := "export.destinations[" + d.Addr.String() + "]"
	j.touched = append(j.touched, grammar.Touched{Path: path, Word: at})
	aggregated := false
	defer func() {
		if !aggregated {
			j.c.Offer(flowServerOptions...)
		}
	}()
	for j.c.More() {
		k := j.c.Keyword(flowServerOptions...)
		if k == "aggregation" {
			aggregated = true
			j.aggregationServer(d.Addr)
			return
		}
		if j.del {
			if k == "version9" || k == "version-ipfix" {
				j.c.Skip() // template NAME
			} else {
				j.c.End()
			}
			switch k {
			case "biflow":
				d.Biflow = false
			case "truncate":
				d.Truncate = 0
			case "crypto-pan":
				d.CryptoPAn = ""
			case "port":
				d.Addr = netip.AddrPortFrom(a, 0)
			case "version":
				d.Version = 0
			case "version9", "version-ipfix":
				j.dropServerTemplate(d)
			case "autonomous-system-type":
				j.clearServerAS(i)
			case "source-address":
				d.SourceAddress = netip.Addr{}
			}
			return
		}
		switch k {
		case "port":
			p := netip.AddrPortFrom(a, uint16(j.c.Uint(1, 65535)))
			if j.c.Err == nil && p != d.Addr && slices.ContainsFunc(e.Destinations, func(o config.Destination) bool { return o.Addr == p }) {
				j.c.Refuse("flow-server %s port %d is configured already", a, p.Port())
				return
			}
			d.Addr = p
		case "version":
			d.Template, d.Template6 = "", ""
			if j.c.TryKeyword("ipfix") != "" {
				d.Version = platform.IPFIX
			} else {
				// 7 is no JunOS version, but a PFC persona's model may hold it.
				switch n := j.c.Uint(5, 9); n {
				case 5, 7, 8, 9:
					d.Version = platform.ExportVersion(n)
				default:
					j.c.Invalid(j.c.Last(), "")
				}
			}
		case "autonomous-system-type":
			as := map[string]platform.ASMode{"origin": platform.ASOrigin, "peer": platform.ASPeer}[j.c.Keyword("origin", "peer")]
			// Per server: equal to the export-wide mode it follows that.
			d.AS = as
			if as == e.AS {
				d.AS = platform.ASNone
			}
		case "source-address":
			d.SourceAddress = j.c.Addr(false)
		case "version9", "version-ipfix":
			j.flowServerTemplate(d, k)
		case "truncate": // flowtap: what this collector may see
			d.Truncate = int(j.c.Uint(1, 31))
		case "biflow": // flowtap: RFC 5103 biflows to this (IPFIX) server
			d.Biflow = true
		case "crypto-pan":
			d.CryptoPAn = j.c.Name("<key>", nil)
		}
		if j.c.Err != nil {
			return
		}
		path = "export.destinations[" + d.Addr.String() + "]"
		j.touched = append(j.touched, grammar.Touched{Path: path, Word: at}) // the port changes the key
		switch k {
		case "version", "version9", "version-ipfix":
			j.touch(path + ".version")
		case "source-address":
			j.touch(path + ".source-address")
		case "biflow":
			j.touch(path + ".biflow")
		case "autonomous-system-type":
			j.touch(path + ".as")
		}
	}
}

// clearServerAS deletes server i's autonomous-system-type. When it came
// from the export-wide mode (an IOS `origin-as`), the other servers keep
// theirs: the mode moves onto each of them.
func (j *jcmd) clearServerAS(i int) {
	e := &j.cfg.Export
	if e.AS != platform.ASNone {
		for k := range e.Destinations {
			if e.Destinations[k].AS == platform.ASNone {
				e.Destinations[k].AS = e.AS
			}
		}
		e.AS = platform.ASNone
		j.touch("export.as")
	}
	e.Destinations[i].AS = platform.ASNone
}

// Candidate is the configuration the session's lines have built so far,
// unchecked (`show`, `show | compare` in configuration mode).
func (s *Session) Candidate() config.Config {
	if grouped(s.cfg) {
		eff, _ := expand(s.cfg)
		return eff
	}
	return s.cfg.Clone()
}

// grouped reports whether c applies groups.
func grouped(c config.Config) bool { return len(c.JunOS.Apply) > 0 }
