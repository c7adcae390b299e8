// Package ios is the IOS-dialect CLI: a command tree (cli/cmdtree) with
// unique-prefix abbreviations, `?` help, Tab completion, IOS's error
// forms, output filters (cli/pipe) and modes. Configuration lines go to
// the config model's own parser (through Backend), so the grammar of a
// configuration lives in one place and this package only navigates modes.
package ios

import (
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/cli/cmdtree"
)

// Node is one word of an exec command.
type Node = cmdtree.Node[*Session]

// matchError is a line that does not resolve; its Error is IOS's wording.
type matchError = cmdtree.MatchError

const errInvalid = cmdtree.Invalid

// kw and arg build trees tersely.
func kw(word, help string, children ...*Node) *Node { return cmdtree.Kw(word, help, children...) }

func arg(name, help string, check func(string) error, children ...*Node) *Node {
	return cmdtree.Value(name, help, check, children...)
}

func rangeCheck(lo, hi int) func(string) error { return cmdtree.RangeCheck(lo, hi) }

func tokenize(line string) []cmdtree.Word { return cmdtree.Tokenize(line) }

func resolve(root *Node, line string) (*Node, []string, error) { return cmdtree.Resolve(root, line) }

func candidates(n *Node, w string) []*Node { return cmdtree.Candidates(n, w) }

func complete(root *Node, line string) string { return cmdtree.Complete(root, line) }

// help is `?` after line, in IOS's layout: the keywords that complete a
// partial word on one line, or what may come next with its help.
func help(root *Node, line string) []string {
	h := cmdtree.HelpFor(root, line)
	switch {
	case h.Unrecognized:
		return []string{"% Unrecognized command"}
	case len(h.Words) > 0:
		var ws []string
		for _, it := range h.Words {
			ws = append(ws, it.Label)
		}
		return []string{strings.Join(ws, "  ")}
	}
	// The help column starts after the longest word, 16 at least.
	width := 16
	for _, it := range h.Items {
		width = max(width, len(it.Label))
	}
	var out []string
	for _, it := range h.Items {
		out = append(out, fmt.Sprintf("  %-*s %s", width, it.Label, it.Help))
	}
	if h.CR {
		// A show command that may end here may take a filter: IOS
		// lists the bar before <cr>.
		if t := tokenize(line); len(t) > 0 {
			if c := candidates(root, t[0].Text); len(c) == 1 && c[0].Word == "show" {
				out = append(out, fmt.Sprintf("  %-*s %s", width, "|", "Output modifiers"))
			}
		}
		out = append(out, "  <cr>")
	}
	return out
}
