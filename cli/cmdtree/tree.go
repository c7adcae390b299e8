// Package cmdtree is the command-tree machinery both CLI dialects use: a
// tree of keywords and value words, resolved by unique prefix, with `?`
// help and Tab completion computed from the same tree that runs the
// commands. A dialect builds its trees with Kw and Value, words them its
// own way (IOS's `% Invalid input`, JunOS's `syntax error`) from a
// MatchError's Kind and Pos, and prints Help in its own layout.
//
// S is the dialect's session, handed to each command's Run.
package cmdtree

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Node is one word of a command: a keyword, or a value (Arg set).
type Node[S any] struct {
	Word     string // keyword, matched by unique prefix
	Arg      *Arg   // instead of a keyword: a value
	Help     string
	Children []*Node[S]
	// Run executes the command that ends at this node, writing its screen
	// to w; args are the words, keywords in full. Nil means the command
	// is incomplete here.
	Run func(s S, w io.Writer, args []string) error
}

// Arg is a value word: its name as `?` shows it and a check.
type Arg struct {
	Name  string // e.g. "<1-200>", "WORD", "LINE"
	Check func(string) error
	Rest  bool // takes the rest of the line (LINE)
}

// Kw is a keyword node.
func Kw[S any](word, help string, children ...*Node[S]) *Node[S] {
	return &Node[S]{Word: word, Help: help, Children: children}
}

// Value is a value node; check may be nil (any word).
func Value[S any](name, help string, check func(string) error, children ...*Node[S]) *Node[S] {
	return &Node[S]{Arg: &Arg{Name: name, Check: check}, Help: help, Children: children}
}

// Rest is a value node that takes the rest of the line.
func Rest[S any](name, help string) *Node[S] {
	return &Node[S]{Arg: &Arg{Name: name, Rest: true}, Help: help}
}

// Runs sets the node's command and returns the node, so trees read as
// one expression.
func (n *Node[S]) Runs(f func(s S, w io.Writer, args []string) error) *Node[S] {
	n.Run = f
	return n
}

// Label is the node as help lists it: its keyword or its value's name.
func (n *Node[S]) Label() string {
	if n.Arg != nil {
		return n.Arg.Name
	}
	return n.Word
}

// RangeCheck accepts the integers lo..hi.
func RangeCheck(lo, hi int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("out of range")
		}
		return nil
	}
}

// Kind is why a line does not resolve.
type Kind int

const (
	Invalid Kind = iota
	Incomplete
	Ambiguous
)

// MatchError is a failure to resolve a line against the tree. Its Error
// is IOS's wording; a dialect with other words formats Kind itself.
type MatchError struct {
	Kind  Kind
	Pos   int // byte offset of the bad word, for the caret
	Word  int // from a command's Run: index of the bad word (Pos unknown)
	Input string
	// Next, for Incomplete, labels the words that may follow, for a
	// dialect that names them ("expecting <statement>").
	Next []string
}

func (e *MatchError) Error() string {
	switch e.Kind {
	case Incomplete:
		return "% Incomplete command."
	case Ambiguous:
		// IOS puts two spaces between the colon and the quoted line.
		return fmt.Sprintf("%% Ambiguous command:  %q", e.Input)
	}
	return "% Invalid input detected at '^' marker."
}

// Word is a token with its position in the line.
type Word struct {
	Text string
	Pos  int
}

// Tokenize cuts line into its space-separated words.
func Tokenize(line string) []Word {
	var out []Word
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
		out = append(out, Word{line[i:j], i})
		i = j
	}
	return out
}

// Candidates are the children of n that w may select: an exact keyword,
// else every keyword it prefixes, else a value that accepts it.
func Candidates[S any](n *Node[S], w string) []*Node[S] {
	var prefixed []*Node[S]
	lw := strings.ToLower(w)
	for _, c := range n.Children {
		if c.Arg != nil {
			continue
		}
		if c.Word == lw {
			return []*Node[S]{c}
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
			return []*Node[S]{c}
		}
	}
	return nil
}

// Resolve walks the tree along the line's words; it returns the final
// node and the words (keywords resolved to their full word).
func Resolve[S any](root *Node[S], line string) (*Node[S], []string, error) {
	n := root
	var args []string
	for _, w := range Tokenize(line) {
		c := Candidates(n, w.Text)
		switch {
		case len(c) == 0:
			return nil, nil, &MatchError{Kind: Invalid, Pos: w.Pos, Input: line}
		case len(c) > 1:
			return nil, nil, &MatchError{Kind: Ambiguous, Pos: w.Pos, Input: strings.TrimSpace(line)}
		}
		n = c[0]
		if n.Arg != nil && n.Arg.Rest {
			if n.Run == nil {
				return nil, nil, &MatchError{Kind: Incomplete, Input: line}
			}
			args = append(args, strings.TrimSpace(line[w.Pos:]))
			return n, args, nil
		}
		if n.Arg != nil {
			args = append(args, w.Text)
		} else {
			args = append(args, n.Word)
		}
	}
	if n.Run == nil {
		e := &MatchError{Kind: Incomplete, Input: line}
		for _, c := range n.Children {
			e.Next = append(e.Next, c.Label())
		}
		return nil, nil, e
	}
	return n, args, nil
}

// Item is one line of help: a word that may come next and what it does.
type Item struct{ Label, Help string }

// Help is what `?` after a line shows.
type Help struct {
	// Unrecognized: the words before the last do not resolve.
	Unrecognized bool
	// Words complete a partial last word ("sh?" lists "show"); set
	// when the line does not end with a space.
	Words []Item
	// Items lists what may follow the line (it ended with a space),
	// sorted by label.
	Items []Item
	// CR: the line is a command as it stands.
	CR bool
}

// HelpFor answers `?` typed after line.
func HelpFor[S any](root *Node[S], line string) Help {
	words := Tokenize(line)
	partial := ""
	if len(line) > 0 && line[len(line)-1] != ' ' && len(words) > 0 {
		partial = words[len(words)-1].Text
		words = words[:len(words)-1]
	}
	n := root
	for _, w := range words {
		c := Candidates(n, w.Text)
		if len(c) != 1 {
			return Help{Unrecognized: true}
		}
		n = c[0]
		if n.Arg != nil && n.Arg.Rest {
			return Help{Items: []Item{{n.Arg.Name, n.Help}}}
		}
	}
	if partial != "" {
		var ws []Item
		for _, c := range n.Children {
			if c.Arg == nil && strings.HasPrefix(c.Word, strings.ToLower(partial)) {
				ws = append(ws, Item{c.Word, c.Help})
			}
		}
		if len(ws) == 0 {
			return Help{Unrecognized: true}
		}
		sort.SliceStable(ws, func(i, j int) bool { return ws[i].Label < ws[j].Label })
		return Help{Words: ws}
	}
	kids := append([]*Node[S](nil), n.Children...)
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].Label() < kids[j].Label() })
	var h Help
	for _, c := range kids {
		h.Items = append(h.Items, Item{c.Label(), c.Help})
	}
	h.CR = n.Run != nil && n != root
	return h
}

// Complete extends the last word to the keyword it selects (Tab): the
// one it prefixes, or the one it spells in full even when longer ones
// start with it ("ip" beside "ipv6"), as Candidates resolves it; the line
// is returned unchanged when nothing or several fit.
func Complete[S any](root *Node[S], line string) string {
	words := Tokenize(line)
	if len(words) == 0 || strings.HasSuffix(line, " ") {
		return line
	}
	n := root
	for _, w := range words[:len(words)-1] {
		c := Candidates(n, w.Text)
		if len(c) != 1 {
			return line
		}
		n = c[0]
	}
	last := words[len(words)-1]
	kw, ok := CompleteWord(keywordsOf(n), last.Text)
	if !ok {
		return line
	}
	return line[:last.Pos] + kw + " "
}

// keywordsOf lists n's keyword children, for CompleteWord.
func keywordsOf[S any](n *Node[S]) []string {
	var kws []string
	for _, c := range n.Children {
		if c.Arg == nil {
			kws = append(kws, c.Word)
		}
	}
	return kws
}

// CompleteWord is Tab on one word among keywords: the keyword it spells
// in full, whatever else starts with it, else the only one it prefixes;
// ok is false when none or several fit. A dialect's other word lists (a
// config grammar's help, a pipe's verbs) complete by the same rule as the
// command tree.
func CompleteWord(keywords []string, word string) (kw string, ok bool) {
	lw := strings.ToLower(word)
	var match []string
	for _, k := range keywords {
		if k == lw {
			return k, true
		}
		if strings.HasPrefix(k, lw) {
			match = append(match, k)
		}
	}
	if len(match) != 1 {
		return "", false
	}
	return match[0], true
}

// Undescribed lists the words under root, keywords and values alike,
// that `?` would list without a line of help, each as its path from
// root ("show ip cache WORD"). A dialect's test keeps it empty.
func Undescribed[S any](root *Node[S]) []string {
	var out []string
	// A tree may share a subtree, or loop back (a word that may repeat):
	// each node is looked at once.
	seen := map[*Node[S]]bool{}
	var walk func(n *Node[S], path string)
	walk = func(n *Node[S], path string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, c := range n.Children {
			p := strings.TrimSpace(path + " " + c.Label())
			if strings.TrimSpace(c.Help) == "" {
				out = append(out, p)
			}
			walk(c, p)
		}
	}
	walk(root, "")
	return out
}
