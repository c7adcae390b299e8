package config

import (
	"slices"
	"strings"
)

// RenderDiffIOS shows the change from old to new the way IOS's `show
// archive config differences` does: a sub-mode's header as context, then
// its changed lines, `+` added and `-` removed.
//
//	!Contextual Config Diffs:
//	interface eth1
//	 +ip flow egress
//	-ip flow-export version 5
//	+ip flow-export version 9
func RenderDiffIOS(old, new Config) string {
	a, b := iosBlocks(RenderIOS(old)), iosBlocks(RenderIOS(new))
	var out strings.Builder
	out.WriteString("!Contextual Config Diffs:\n")
	changed := false
	for _, op := range diffSeq(blockHeaders(a), blockHeaders(b)) {
		switch op.kind {
		case '-':
			writeBlock(&out, "-", a[op.i])
		case '+':
			writeBlock(&out, "+", b[op.j])
		default:
			lines := diffSeq(a[op.i].body, b[op.j].body)
			if !slices.ContainsFunc(lines, func(o seqOp) bool { return o.kind != '=' }) {
				continue
			}
			out.WriteString(a[op.i].header + "\n")
			for _, l := range lines {
				switch l.kind {
				case '-':
					out.WriteString(signLine("-", a[op.i].body[l.i]))
				case '+':
					out.WriteString(signLine("+", b[op.j].body[l.j]))
				}
			}
		}
		changed = true
	}
	if !changed {
		return "!No changes were found\n"
	}
	return out.String()
}

// iosBlock is a top-level line and the sub-mode lines under it.
type iosBlock struct {
	header string
	body   []string
}

func iosBlocks(text string) []iosBlock {
	var bs []iosBlock
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == "" || l == "!" || l == "end":
		case l[0] == ' ' && len(bs) > 0:
			bs[len(bs)-1].body = append(bs[len(bs)-1].body, l)
		default:
			bs = append(bs, iosBlock{header: l})
		}
	}
	return bs
}

func blockHeaders(bs []iosBlock) []string {
	h := make([]string, len(bs))
	for i, b := range bs {
		h[i] = b.header
	}
	return h
}

func writeBlock(out *strings.Builder, sign string, b iosBlock) {
	out.WriteString(sign + b.header + "\n")
	for _, l := range b.body {
		out.WriteString(signLine(sign, l))
	}
}

// signLine puts the sign after the indentation: " +ip flow egress".
func signLine(sign, l string) string {
	body := strings.TrimLeft(l, " ")
	return l[:len(l)-len(body)] + sign + body + "\n"
}

// seqOp is one step of a line diff: '=' keeps a[i] (= b[j]), '-' drops
// a[i], '+' adds b[j].
type seqOp struct {
	kind byte
	i, j int
}

// diffSeq is a longest-common-subsequence diff; configurations are small.
func diffSeq(a, b []string) []seqOp {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []seqOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, seqOp{'=', i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, seqOp{'-', i, j}) // removals first, as both CLIs print them
			i++
		default:
			ops = append(ops, seqOp{'+', i, j})
			j++
		}
	}
	return ops
}

// RenderDiffJunOS is `show | compare`: an `[edit ...]` banner for each
// hierarchy level that changed, then its statements, `-` removed and `+`
// added.
//
//	[edit forwarding-options sampling input]
//	-   rate 100;
//	+   rate 1000;
func RenderDiffJunOS(old, new Config) string {
	var out strings.Builder
	compareJunOS(&out, nil, junosTree(junosStatements(old)), junosTree(junosStatements(new)))
	return out.String()
}

func compareJunOS(out *strings.Builder, path []string, a, b *jnode) {
	var level strings.Builder
	for _, op := range diffSeq(a.leaves, b.leaves) {
		switch op.kind {
		case '-':
			level.WriteString("-   " + a.leaves[op.i] + ";\n")
		case '+':
			level.WriteString("+   " + b.leaves[op.j] + ";\n")
		}
	}
	var common [][2]*jnode
	for _, op := range diffSeq(labels(a.children), labels(b.children)) {
		switch op.kind {
		case '-':
			writeSubtree(&level, "-", a.children[op.i])
		case '+':
			writeSubtree(&level, "+", b.children[op.j])
		default:
			common = append(common, [2]*jnode{a.children[op.i], b.children[op.j]})
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
		s[i] = n.label
	}
	return s
}

func writeSubtree(out *strings.Builder, sign string, n *jnode) {
	wrapper := &jnode{children: []*jnode{n}}
	wrapper.write(out, 1, sign)
}
