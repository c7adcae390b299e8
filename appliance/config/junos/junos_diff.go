package junos

import (
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// RenderDiff is `show | compare`: an `[edit ...]` banner for each
// hierarchy level that changed, then its statements, `-` removed and `+`
// added.
//
//	[edit forwarding-options sampling input]
//	-   rate 100;
//	+   rate 1000;
func RenderDiff(old, new config.Config) string {
	var out strings.Builder
	compareJunOS(&out, nil, junosTree(fullStatements(old, false)), junosTree(fullStatements(new, false)))
	return out.String()
}

func compareJunOS(out *strings.Builder, path []string, a, b *jnode) {
	var level strings.Builder
	for _, op := range grammar.DiffSeq(a.leaves, b.leaves) {
		switch op.Kind {
		case '-':
			level.WriteString("-   " + a.leaves[op.I] + ";\n")
		case '+':
			level.WriteString("+   " + b.leaves[op.J] + ";\n")
		}
	}
	var common [][2]*jnode
	for _, op := range grammar.DiffSeq(labels(a.children), labels(b.children)) {
		switch op.Kind {
		case '-':
			writeSubtree(&level, "-", a.children[op.I])
		case '+':
			writeSubtree(&level, "+", b.children[op.J])
		default:
			common = append(common, [2]*jnode{a.children[op.I], b.children[op.J]})
		}
	}
	if level.Len() > 0 {
		out.WriteString("[edit")
		for _, p := range path {
			out.WriteString(" " + p)
		}
		out.WriteString("]\n" + level.String())
	}
	for _, c := range common {
		compareJunOS(out, append(slices.Clone(path), c[0].label), c[0], c[1])
	}
}

func labels(ns []*jnode) []string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.shown()
	}
	return s
}

func writeSubtree(out *strings.Builder, sign string, n *jnode) {
	wrapper := &jnode{children: []*jnode{n}}
	wrapper.write(out, 1, sign)
}
