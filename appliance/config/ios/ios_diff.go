package ios

import (
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// RenderDiff shows the change from old to new the way IOS's `show
// archive config differences` does: a sub-mode's header as context, then
// its changed lines, `+` added and `-` removed.
//
//	!Contextual Config Diffs:
//	interface eth1
//	 +ip flow egress
//	-ip flow-export version 5
//	+ip flow-export version 9
func RenderDiff(old, new config.Config) string {
	a, b := iosBlocks(Render(old)), iosBlocks(Render(new))
	var out strings.Builder
	out.WriteString("!Contextual Config Diffs:\n")
	changed := false
	for _, op := range grammar.DiffSeq(blockHeaders(a), blockHeaders(b)) {
		switch op.Kind {
		case '-':
			writeBlock(&out, "-", a[op.I])
		case '+':
			writeBlock(&out, "+", b[op.J])
		default:
			lines := grammar.DiffSeq(a[op.I].body, b[op.J].body)
			if !slices.ContainsFunc(lines, func(o grammar.SeqOp) bool { return o.Kind != '=' }) {
				continue
			}
			out.WriteString(a[op.I].header + "\n")
			for _, l := range lines {
				switch l.Kind {
				case '-':
					out.WriteString(signLine("-", a[op.I].body[l.I]))
				case '+':
					out.WriteString(signLine("+", b[op.J].body[l.J]))
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
