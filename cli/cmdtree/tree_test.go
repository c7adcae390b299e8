package cmdtree

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

type sess struct{ ran []string }

func record(s *sess, _ io.Writer, args []string) error {
	s.ran = append(s.ran, args...)
	return nil
}

func tree() *Node[*sess] {
	return Kw("", "",
		Kw("show", "Show",
			Kw("interfaces", "Interfaces", Value[*sess]("WORD", "Name", nil).Runs(record)).Runs(record),
			Kw("ip", "IP", Kw[*sess]("route", "Routes").Runs(record))),
		Kw("set", "Set", Value[*sess]("<0-9>", "Level", RangeCheck(0, 9)).Runs(record)),
		Kw("send", "Send", Rest[*sess]("LINE", "Message").Runs(record)),
	)
}

func TestResolve(t *testing.T) {
	root := tree()
	for _, c := range []struct {
		line string
		args []string
		kind Kind
		pos  int
	}{
		{"sh int eth1", []string{"show", "interfaces", "eth1"}, -1, 0},
		{"  show IP ro", []string{"show", "ip", "route"}, -1, 0},
		{"send hello | world", []string{"send", "hello | world"}, -1, 0},
		{"se 1", nil, Ambiguous, 0},
		{"set 10", nil, Invalid, 4},
		{"show ip", nil, Incomplete, 0},
		{"show frob", nil, Invalid, 5},
	} {
		n, args, err := Resolve(root, c.line)
		var me *MatchError
		switch {
		case c.kind < 0 && (err != nil || n.Run == nil || !reflect.DeepEqual(args, c.args)):
			t.Errorf("%q: %v %v", c.line, args, err)
		case c.kind >= 0 && (!errors.As(err, &me) || me.Kind != c.kind || me.Pos != c.pos):
			t.Errorf("%q: %#v, want kind %d at %d", c.line, err, c.kind, c.pos)
		}
	}
}

func TestHelpAndComplete(t *testing.T) {
	root := tree()
	if h := HelpFor(root, "show "); !reflect.DeepEqual(h, Help{Items: []Item{{"interfaces", "Interfaces"}, {"ip", "IP"}}}) {
		t.Errorf("show ?: %+v", h)
	}
	if h := HelpFor(root, "show interfaces "); !reflect.DeepEqual(h, Help{Items: []Item{{"WORD", "Name"}}, CR: true}) {
		t.Errorf("show interfaces ?: %+v", h)
	}
	// A partial word's completions come sorted, as IOS lists them
	// ("c?" is "clear  configure  copy"), whatever the tree's order.
	if h := HelpFor(root, "s"); !reflect.DeepEqual(h, Help{Words: []Item{{"send", "Send"}, {"set", "Set"}, {"show", "Show"}}}) {
		t.Errorf("s?: %+v", h)
	}
	if h := HelpFor(root, "send x "); !reflect.DeepEqual(h, Help{Items: []Item{{"LINE", "Message"}}}) {
		t.Errorf("send x ?: %+v", h)
	}
	if h := HelpFor(root, "frob "); !h.Unrecognized {
		t.Errorf("frob ?: %+v", h)
	}
	for line, want := range map[string]string{"sh": "show ", "show i": "show i", "show in": "show interfaces ", "x": "x", "show ": "show "} {
		if got := Complete(root, line); got != want {
			t.Errorf("Tab after %q: %q, want %q", line, got, want)
		}
	}
	var s sess
	n, args, _ := Resolve(root, "show interfaces")
	_ = n.Run(&s, io.Discard, args)
	if !reflect.DeepEqual(s.ran, []string{"show", "interfaces"}) {
		t.Errorf("ran %v", s.ran)
	}
}

// TestCompleteFullKeyword: Tab on a keyword typed in full completes it
// even when a longer keyword starts with it, as Resolve takes it ("ip"
// beside "ipv6"); a prefix of both still completes nothing.
func TestCompleteFullKeyword(t *testing.T) {
	root := Kw("", "",
		Kw("show", "Show",
			Kw[*sess]("ip", "IP").Runs(record),
			Kw[*sess]("ipv6", "IPv6").Runs(record)))
	for line, want := range map[string]string{
		"show ip":  "show ip ",
		"sh IP":    "sh ip ",
		"show i":   "show i",
		"show ipv": "show ipv6 ",
	} {
		if got := Complete(root, line); got != want {
			t.Errorf("Tab after %q: %q, want %q", line, got, want)
		}
	}
}

func TestUndescribed(t *testing.T) {
	root := Kw[int]("", "",
		Kw[int]("show", "Show running system information",
			Value[int]("WORD", "", nil),
			Kw[int]("clock", "Display the system clock", Value[int]("<1-5>", "Seconds", nil))),
		Kw[int]("ping", ""))
	got := strings.Join(Undescribed(root), ",")
	if want := "show WORD,ping"; got != want {
		t.Errorf("Undescribed = %q, want %q", got, want)
	}
}
