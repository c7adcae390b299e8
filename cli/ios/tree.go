// Package ios is the IOS-dialect CLI: a command tree with unique-prefix
// abbreviations, `?` help, Tab completion, IOS's error forms, output
// filters and modes. Configuration lines go to the config model's own
// parser (through Backend), so the grammar of a configuration lives in one
// place and this package only navigates modes.
package ios

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Node is one word of a command: a keyword, or an argument (Arg set).
type Node struct {
	Word     string // keyword, matched by unique prefix
	Arg      *Arg   // instead of a keyword: a value
	Help     string
	Children []*Node
	// Run executes the command that ends at this node, writing its screen
	// to w; nil means the command is incomplete here.
	Run func(s *Session, w io.Writer, args []string) error
}

// Arg is a value word: its name as `?` shows it and a check.
type Arg struct {
	Name  string // e.g. "<1-200>", "WORD", "LINE"
	Check func(string) error
	Rest  bool // takes the rest of the line (LINE)
}

// kw and arg build trees tersely.
func kw(word, help string, children ...*Node) *Node {
	return &Node{Word: word, Help: help, Children: children}
}

func (n *Node) run(f func(s *Session, w io.Writer, args []string) error) *Node { n.Run = f; return n }

func arg(name, help string, check func(string) error, children ...*Node) *Node {
	return &Node{Arg: &Arg{Name: name, Check: check}, Help: help, Children: children}
}

func rangeCheck(lo, hi int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("out of range")
		}
		return nil
	}
}

// matchError is a failure to resolve a line against the tree, in IOS's
// three forms.
type matchError struct {
	kind  int // errInvalid, errIncomplete, errAmbiguous
	pos   int // byte offset of the bad word, for the caret
	word  int // from a command's Run: index of the bad word (pos unknown)
	input string
}

const (
	errInvalid = iota
	errIncomplete
	errAmbiguous
)

func (e *matchError) Error() string {
	switch e.kind {
	case errIncomplete:
		return "% Incomplete command."
	case errAmbiguous:
		return fmt.Sprintf("%% Ambiguous command: %q", e.input)
	}
	return "% Invalid input detected at '^' marker."
}

// word is a token with its position in the line.
type word struct {
	text string
	pos  int
}

func tokenize(line string) []word {
	var out []word
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		out = append(out, word{line[i:j], i})
		i = j
	}
	return out
}

// candidates are the children of n that word may select: an exact keyword,
// else every keyword it prefixes, else an argument that accepts it.
func candidates(n *Node, w string) []*Node {
	var prefixed []*Node
	lw := strings.ToLower(w)
	for _, c := range n.Children {
		if c.Arg != nil {
			continue
		}
		if c.Word == lw {
			return []*Node{c}
		}
		if strings.HasPrefix(c.Word, lw) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) > 0 {
		return prefixed
	}
	for _, c := range n.Children {
		if c.Arg != nil && (c.Arg.Check == nil || c.Arg.Check(w) == nil) {
			return []*Node{c}
		}
	}
	return nil
}

// resolve walks the tree along the line's words; it returns the final
// node and the argument values (keywords resolved to their full word).
func resolve(root *Node, line string) (*Node, []string, error) {
	words := tokenize(line)
	n := root
	var args []string
	for _, w := range words {
		c := candidates(n, w.text)
		switch {
		case len(c) == 0:
			return nil, nil, &matchError{kind: errInvalid, pos: w.pos, input: line}
		case len(c) > 1:
			return nil, nil, &matchError{kind: errAmbiguous, pos: w.pos, input: strings.TrimSpace(line)}
		}
		n = c[0]
		if n.Arg != nil && n.Arg.Rest {
			if n.Run == nil {
				return nil, nil, &matchError{kind: errIncomplete, input: line}
			}
			args = append(args, strings.TrimSpace(line[w.pos:]))
			return n, args, nil
		}
		if n.Arg != nil {
			args = append(args, w.text)
		} else {
			args = append(args, n.Word)
		}
	}
	if n.Run == nil {
		return nil, nil, &matchError{kind: errIncomplete, input: line}
	}
	return n, args, nil
}

// help lists what may come next (line ends with "?" after a space) or the
// keywords that complete the last word (no space before "?").
func help(root *Node, line string) []string {
	words := tokenize(line)
	partial := ""
	if len(line) > 0 && line[len(line)-1] != ' ' && len(words) > 0 {
		partial = words[len(words)-1].text
		words = words[:len(words)-1]
	}
	n := root
	for _, w := range words {
		c := candidates(n, w.text)
		if len(c) != 1 {
			return []string{"% Unrecognized command"}
		}
		n = c[0]
		if n.Arg != nil && n.Arg.Rest {
			return []string{fmt.Sprintf("  %-16s %s", n.Arg.Name, n.Help)}
		}
	}
	var out []string
	if partial != "" {
		var ws []string
		for _, c := range n.Children {
			if c.Arg == nil && strings.HasPrefix(c.Word, strings.ToLower(partial)) {
				ws = append(ws, c.Word)
			}
		}
		if len(ws) == 0 {
			return []string{"% Unrecognized command"}
		}
		return []string{strings.Join(ws, "  ")}
	}
	kids := append([]*Node(nil), n.Children...)
	sort.SliceStable(kids, func(i, j int) bool { return label(kids[i]) < label(kids[j]) })
	for _, c := range kids {
		out = append(out, fmt.Sprintf("  %-16s %s", label(c), c.Help))
	}
	if n.Run != nil && n != root {
		out = append(out, "  <cr>")
	}
	return out
}

func label(n *Node) string {
	if n.Arg != nil {
		return n.Arg.Name
	}
	return n.Word
}

// complete extends the last word to the longest prefix it uniquely
// selects (Tab); the line is returned unchanged when nothing fits.
func complete(root *Node, line string) string {
	words := tokenize(line)
	if len(words) == 0 || strings.HasSuffix(line, " ") {
		return line
	}
	n := root
	for _, w := range words[:len(words)-1] {
		c := candidates(n, w.text)
		if len(c) != 1 {
			return line
		}
		n = c[0]
	}
	last := words[len(words)-1]
	var match []string
	for _, c := range n.Children {
		if c.Arg == nil && strings.HasPrefix(c.Word, strings.ToLower(last.text)) {
			match = append(match, c.Word)
		}
	}
	if len(match) != 1 {
		return line
	}
	return line[:last.pos] + match[0] + " "
}
