package junos

import (
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// RenderDiff is `show | compare`: an `[edit ...]` banner for each
// hierarchy level that changed, then its statements, `-` removed and `+`
// added. A statement that stays but was deactivated or activated is one
// `!` line naming what it became (a container shown as `{ ... }`), and
// an annotation added, changed or removed is its comment line signed,
// above the statement it is on, unsigned (Junos's layout as remembered,
// not confirmed against a router: the `!` column and the unsigned
// statement line under a comment).
//
//	[edit forwarding-options sampling input]
//	-   rate 100;
//	+   rate 1000;
//	[edit forwarding-options sampling family inet output]
//	!   inactive: flow-server 192.0.2.8 { ... }
//	+   /* primary collector */
//	    flow-server 192.0.2.7 { ... }
func RenderDiff(old, new config.Config) string {
	var out strings.Builder
	compareJunOS(&out, nil, junosTree(fullStatements(old, false)), junosTree(fullStatements(new, false)))
	return out.String()
}

// RenderDiffAt is RenderDiff below the hierarchy words at (`show |
// compare` at an edit level, `show STATEMENT | compare`): only the
// changes under that level, their banners naming it in full.
func RenderDiffAt(old, new config.Config, at []string) string {
	if len(at) == 0 {
		return RenderDiff(old, new)
	}
	var out strings.Builder
	compareJunOS(&out, slices.Clone(at), renderAtTree(old, at, false), renderAtTree(new, at, false))
	return out.String()
}

func compareJunOS(out *strings.Builder, path []string, a, b *jnode) {
	var level strings.Builder
	// stays writes what changed about a statement both sides hold: its
	// annotation, then its activation.
	stays := func(stmt string, oldNote, newNote string, oldInactive, newInactive bool) {
		if oldNote != newNote {
			if oldNote != "" {
				level.WriteString("-   /* " + oldNote + " */\n")
			}
			if newNote != "" {
				level.WriteString("+   /* " + newNote + " */\n")
			}
			if oldInactive == newInactive {
				prefix := ""
				if newInactive {
					prefix = inactivePrefix
				}
				level.WriteString("    " + prefix + stmt + "\n")
			}
		}
		switch {
		case newInactive && !oldInactive:
			level.WriteString("!   " + inactivePrefix + stmt + "\n")
		case oldInactive && !newInactive:
			level.WriteString("!   active: " + stmt + "\n")
		}
	}
	for _, op := range grammar.DiffSeq(leafKeys(a.leaves), leafKeys(b.leaves)) {
		switch op.Kind {
		case '-':
			level.WriteString("-   " + a.leaves[op.I] + ";\n")
		case '+':
			level.WriteString("+   " + b.leaves[op.J] + ";\n")
		default:
			la, lb := a.leaves[op.I], b.leaves[op.J]
			stays(leafKeys([]string{lb})[0]+";", noteOf(a.leafNote, op.I), noteOf(b.leafNote, op.J),
				strings.HasPrefix(la, inactivePrefix), strings.HasPrefix(lb, inactivePrefix))
		}
	}
	// Junos walks the configuration in order: the changes at this level
	// go under its banner until a changed child level comes, whose
	// banner follows; the level's banner is repeated for what comes
	// after the child (an added `snmp` after a changed `system` is
	// under a second [edit]).
	flush := func() {
		if level.Len() == 0 {
			return
		}
		out.WriteString("[edit")
		for _, p := range path {
			out.WriteString(" " + p)
		}
		out.WriteString("]\n" + level.String())
		level.Reset()
	}
	for _, op := range grammar.DiffSeq(labels(a.children), labels(b.children)) {
		switch op.Kind {
		case '-':
			writeSubtree(&level, "-", a.children[op.I])
		case '+':
			writeSubtree(&level, "+", b.children[op.J])
		default:
			ca, cb := a.children[op.I], b.children[op.J]
			stays(cb.label+" { ... }", ca.note, cb.note, ca.inactive, cb.inactive)
			var sub strings.Builder
			compareJunOS(&sub, append(slices.Clone(path), ca.label), ca, cb)
			if sub.Len() > 0 {
				flush()
				out.WriteString(sub.String())
			}
		}
	}
	flush()
}

// leafKeys are the statements without their activation, so that one
// deactivated is the same statement, not a removal and an addition.
func leafKeys(leaves []string) []string {
	s := make([]string, len(leaves))
	for i, l := range leaves {
		s[i] = strings.TrimPrefix(l, inactivePrefix)
	}
	return s
}

func noteOf(notes []string, i int) string {
	if i < len(notes) {
		return notes[i]
	}
	return ""
}

// labels are the containers' names without their activation, as
// leafKeys.
func labels(ns []*jnode) []string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.label
	}
	return s
}

func writeSubtree(out *strings.Builder, sign string, n *jnode) {
	wrapper := &jnode{children: []*jnode{n}}
	wrapper.write(out, 1, sign)
}
