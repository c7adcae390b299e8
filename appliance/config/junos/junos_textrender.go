package junos

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// fullStatements is every statement a rendering shows: the groups, the
// top apply-groups, the settings' statements with the inactive ones in
// their places (each marked where its deactivated statement begins),
// the deeper apply-groups, the annotations on what they name. With
// inheritance the groups' statements are shown in their places, each
// with its group, and the groups and apply-groups are not; without,
// those statements are left out.
func fullStatements(c config.Config, inheritance bool) []jstmt {
	x := c.JunOS
	var out []jstmt
	entryOf := map[string]string{}
	var modelEntries []config.JunOSInactive
	for _, e := range x.Inactive {
		for _, l := range e.Lines {
			entryOf[l] = e.Path
		}
		if p := words(e.Path); p[0] != "groups" && !slices.ContainsFunc(p, isApplyWord) {
			modelEntries = append(modelEntries, e)
		}
	}
	textLine := func(l string) {
		ws := words(l)
		k := slices.IndexFunc(ws, isApplyWord)
		if k >= 0 {
			return // placed below
		}
		// groups NAME STATEMENT
		st := jstmt{path: []string{"groups"}, leaf: junosQuote(ws[1])}
		if len(ws) > 2 {
			st = structure(ws[2:], c.Platform)
			st.path = append([]string{"groups", junosQuote(ws[1])}, st.path...)
		}
		st.entry = entryOf[l]
		out = append(out, st)
	}
	var grouped []string
	for _, g := range x.Groups {
		grouped = append(grouped, "groups "+g)
	}
	for _, e := range x.Inactive {
		if words(e.Path)[0] == "groups" {
			grouped = append(grouped, e.Lines...)
		}
	}
	// display inheritance shows what the groups give in place of the
	// groups and apply-groups themselves.
	if inheritance {
		grouped = nil
	}
	for _, l := range grouped {
		textLine(l)
	}
	applies := slices.Clone(x.Apply)
	for _, e := range x.Inactive {
		if k := slices.IndexFunc(words(e.Path), isApplyWord); k >= 0 {
			for _, l := range e.Lines {
				ws := words(l)
				k := slices.IndexFunc(ws, isApplyWord)
				a := config.JunOSApply{Path: joinWords(ws[:k]), Except: ws[k] == "apply-groups-except"}
				a.Groups = slices.DeleteFunc(slices.Clone(ws[k+1:]), func(w string) bool { return w == "[" || w == "]" })
				applies = append(applies, a)
				entryOf[applyLine(a)] = e.Path
			}
		}
	}
	if inheritance {
		applies = nil
	}
	for _, a := range applies {
		if a.Path == "" {
			l := applyLine(a)
			out = append(out, jstmt{leaf: l, entry: entryOf[l]})
		}
	}
	// The settings, with the inactive statements applied so that they
	// take their places.
	full := c
	if len(modelEntries) > 0 {
		try := &Session{cfg: c.Clone(), where: grammar.Origins{}, batch: true, offline: true}
		try.cfg.JunOS = config.JunOSText{}
		for _, e := range modelEntries {
			for _, l := range e.Lines {
				try.grammarExec(0, "set "+l)
			}
		}
		full = try.cfg
	}
	inh := map[string]string{}
	for _, i := range x.Inherited {
		inh[i.Line] = i.Group
	}
	start := len(out)
	filled := map[string]bool{}
	for _, st := range junosStatements(full) {
		l := strings.TrimPrefix(setLine([][]string{st.path}, []string{st.leaf}), "set ")
		if g, ok := inh[l]; ok {
			// A local statement the groups filled shows where they
			// did: as itself, or as the local container it is.
			for _, f := range x.Filled {
				if !filled[f] && under(words(l), words(f)) {
					filled[f] = true
					fs := structure(words(f), c.Platform)
					fs.container = inheritance
					out = append(out, fs)
				}
			}
			if !inheritance {
				continue
			}
			st.inherit = g
		}
		if e, ok := entryOf[l]; ok && !st.inactive {
			st.entry = e
		}
		out = append(out, st)
	}
	// Deeper apply-groups go first at their level.
	if inheritance {
		applies = nil
	}
	for _, a := range applies {
		if a.Path == "" {
			continue
		}
		lw := words(a.Path)
		l := applyLine(a)
		at := len(out)
		var labels []string
		for i := start; i < len(out) && labels == nil; i++ {
			st := out[i]
			if st.container {
				continue
			}
			if p, ok := labelsFor(st.path, lw); ok {
				at, labels = i, p
				continue
			}
			// A statement named alone (`lo;`) becomes the level that
			// holds the apply-groups.
			if p, ok := labelsFor(append(slices.Clone(st.path), st.leaf), lw); ok && len(p) == len(st.path)+1 {
				out = slices.Delete(out, i, i+1)
				at, labels = i, p
			}
		}
		if labels == nil {
			for _, w := range lw {
				labels = append(labels, junosQuote(w))
			}
		}
		leaf := strings.TrimSpace(strings.TrimPrefix(l, a.Path))
		out = slices.Insert(out, at, jstmt{path: labels, leaf: leaf, entry: entryOf[l]})
	}
	// Mark where each inactive statement begins, and the annotations.
	for i := range out {
		st := &out[i]
		if st.entry != "" {
			mark(st, words(st.entry), func(m *meta) { m.inactive = true }, func() { st.inactive = true })
		}
		for _, n := range x.Notes {
			text := n.Text
			mark(st, words(n.Path), func(m *meta) { m.note = text }, func() { st.note = text })
		}
	}
	return out
}

// mark calls onPath with the container of st that the words p end at,
// or onLeaf when they end in its leaf.
func mark(st *jstmt, p []string, onPath func(*meta), onLeaf func()) {
	k := 0
	for i, l := range st.path {
		k += len(words(l))
		if k > len(p) {
			return
		}
		if k == len(p) {
			var all []string
			for _, l := range st.path[:i+1] {
				all = append(all, words(l)...)
			}
			if slices.Equal(all, p) {
				if st.pathMeta == nil {
					st.pathMeta = make([]meta, len(st.path))
				}
				onPath(&st.pathMeta[i])
			}
			return
		}
	}
	var all []string
	for _, l := range st.path {
		all = append(all, words(l)...)
	}
	all = append(all, words(st.leaf)...)
	if len(p) > k && under(all, p) {
		onLeaf()
	}
}

// labelsFor is the containers of path that hold exactly the words lw.
func labelsFor(path, lw []string) ([]string, bool) {
	var all []string
	for i, l := range path {
		all = append(all, words(l)...)
		if len(all) == len(lw) {
			return path[:i+1], slices.Equal(all, lw)
		}
		if len(all) > len(lw) {
			return nil, false
		}
	}
	return nil, false
}

// structure is a group's statement as the brace tree holds it: its
// containers and leaf, as the settings it makes render them; a
// wildcard stands in for a name. A statement that does not render back
// to itself is one leaf.
func structure(stmt []string, persona string) jstmt {
	sub := slices.Clone(stmt)
	names := map[string]string{}
	for i, w := range sub {
		if wildcard(w) {
			p := fmt.Sprintf("%s%d", placeholder, i)
			names[p] = junosQuote(w)
			sub[i] = p
		}
	}
	try := &Session{cfg: config.Config{Platform: persona}, where: grammar.Origins{}, batch: true, offline: true}
	want := joinWords(sub)
	if try.grammarExec(0, "set "+want) == nil {
		for _, st := range junosStatements(try.cfg) {
			if strings.TrimPrefix(setLine([][]string{st.path}, []string{st.leaf}), "set ") != want {
				continue
			}
			back := func(s string) string {
				for p, w := range names {
					s = strings.ReplaceAll(s, p, w)
				}
				return s
			}
			for i := range st.path {
				st.path[i] = back(st.path[i])
			}
			st.leaf = back(st.leaf)
			return st
		}
	}
	return jstmt{leaf: joinWords(stmt)}
}
