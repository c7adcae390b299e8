package ios

import (
	"fmt"
	"io"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// Configuration commands need level 15 unless `privilege configure|
// interface level N COMMAND` lowered them: a user at level N or above
// may then enter COMMAND and every command it begins (its `no` form
// too), in global configuration or interface mode, as on IOS. Entering
// configuration mode at all takes `privilege exec level N configure
// terminal`.

// modeTables are the lowered commands a configuration prompt may run,
// its own first: interface mode's and, since a line a sub-mode does not
// know is tried in global mode, global configuration's.
func (s *Session) modeTables(prompt string) []map[string]int {
	a := s.b.Access()
	if prompt == "config-if" {
		return []map[string]int{a.ModeLevels[config.ModeInterface], a.ModeLevels[config.ModeConfigure]}
	}
	return []map[string]int{a.ModeLevels[config.ModeConfigure]}
}

// commandWords are a configuration line's words in lower case, without
// a leading `no` or `default`: the command whose level decides.
func commandWords(line string) []string {
	ws := strings.Fields(strings.ToLower(line))
	if len(ws) > 0 && (ws[0] == "no" || len(ws[0]) >= 3 && strings.HasPrefix("default", ws[0])) {
		ws = ws[1:]
	}
	return ws
}

// canonical writes typed configuration words as the grammar reads them:
// each abbreviation as the keyword it stands for at the prompt (`log h`
// is `logging host`, but `ip` stays `ip` though it begins `ipv6`); a
// word that is not one keyword (an argument, an ambiguous one) stays as
// typed.
func (s *Session) canonical(words []string) []string {
	if s.cfg == nil {
		// Outside configuration mode the lines judged are the
		// running-config's, in full keywords already.
		return words
	}
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		h := s.cfg.Help(strings.Join(append(append([]string(nil), words[:i]...), w), " "))
		if len(h) != 1 || strings.HasPrefix(h[0], "%") {
			continue
		}
		cands := strings.Fields(h[0])
		for _, c := range cands {
			if c == w {
				cands = []string{c}
				break
			}
		}
		if len(cands) == 1 && !strings.HasPrefix(cands[0], "<") {
			out[i] = cands[0]
		}
	}
	return out
}

// wordsMatch tells whether typed begins with cmd's words (or, with
// prefix, whether typed is the beginning of cmd); both are canonical
// words, and a configured command is written in full keywords.
func wordsMatch(typed, cmd []string, prefix bool) bool {
	if len(typed) < len(cmd) && !prefix || prefix && len(typed) > len(cmd) {
		return false
	}
	for i := range min(len(typed), len(cmd)) {
		if typed[i] != cmd[i] {
			return false
		}
	}
	return true
}

// configPermitted tells whether the session's level may enter line at
// the prompt: level 15 may enter anything, any level may leave.
func (s *Session) configPermitted(prompt, line string) bool {
	if s.priv >= 15 {
		return true
	}
	ws := commandWords(line)
	if len(ws) == 0 {
		return true
	}
	if f := strings.ToLower(strings.Fields(line)[0]); abbrev(f, "end", 2) || abbrev(f, "exit", 2) {
		return true
	}
	ws = s.canonical(ws)
	for _, t := range s.modeTables(prompt) {
		for cmd, lvl := range t {
			if lvl <= s.priv && wordsMatch(ws, strings.Fields(cmd), false) {
				return true
			}
		}
	}
	return false
}

// configHelp is `?` in configuration mode, showing a user below level
// 15 only the commands its level may enter and the words leading to
// them, as IOS does.
func (s *Session) configHelp(line string) []string {
	h := s.cfg.Help(line)
	if s.priv >= 15 || len(h) == 0 || strings.HasPrefix(h[0], "%") {
		return h
	}
	prompt := s.cfg.Prompt()
	typed := commandWords(line)
	partial := line != "" && !strings.HasSuffix(line, " ")
	if partial && len(typed) > 0 {
		typed = typed[:len(typed)-1]
	}
	leaving := len(strings.Fields(line)) <= 1 && len(typed) == 0
	typed = s.canonical(typed)
	allowed := func(item string) bool {
		if strings.HasPrefix(item, "<") || strings.ToUpper(item) == item {
			// <cr>, <1-15>, WORD: what follows a permitted command.
			return s.configPermitted(prompt, strings.Join(typed, " "))
		}
		if leaving && (item == "end" || item == "exit" || item == "no" || item == "default") {
			return true
		}
		ws := append(append([]string(nil), typed...), item)
		// `?` lists the prompt's own commands, not global ones a
		// sub-mode would fall back to.
		for _, t := range s.modeTables(prompt)[:1] {
			for cmd, lvl := range t {
				c := strings.Fields(cmd)
				if lvl <= s.priv && (wordsMatch(ws, c, true) || wordsMatch(ws, c, false)) {
					return true
				}
			}
		}
		return false
	}
	var out []string
	if partial {
		var kept []string
		for _, it := range strings.Fields(h[0]) {
			if allowed(it) {
				kept = append(kept, it)
			}
		}
		if len(kept) > 0 {
			out = []string{strings.Join(kept, "  ")}
		}
	} else {
		for _, l := range h {
			if f := strings.Fields(l); len(f) > 0 && allowed(f[0]) {
				out = append(out, l)
			}
		}
	}
	if len(out) == 0 {
		return []string{"% Unrecognized command"}
	}
	if !partial {
		out = realign(out)
	}
	return out
}

// realign puts the help column of the lines left after filtering two
// spaces after their own longest word, as IOS lays out what it shows: a
// word the level may not enter does not widen the column.
func realign(lines []string) []string {
	type row struct{ label, help string }
	rows := make([]row, len(lines))
	width := 0
	for i, l := range lines {
		label, help, _ := strings.Cut(strings.TrimPrefix(l, "  "), "  ")
		rows[i] = row{label, strings.TrimLeft(help, " ")}
		if label != "<cr>" {
			width = max(width, len(label))
		}
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		if r.help == "" {
			out[i] = "  " + r.label
			continue
		}
		out[i] = fmt.Sprintf("  %-*s  %s", width, r.label, r.help)
	}
	return out
}

// ModeLevelsOf indexes `privilege configure|interface` lines by mode, as
// Access holds them.
func ModeLevelsOf(ls []config.ModeLevel) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, l := range ls {
		if out[l.Mode] == nil {
			out[l.Mode] = map[string]int{}
		}
		out[l.Mode][l.Command] = l.Level
	}
	return out
}

// showRunning is `show running-config`. Below level 15 it shows only the
// lines the session's level may configure (and the sub-mode headers they
// sit under), as IOS does for a user given the command by `privilege
// exec`.
func showRunning(s *Session, w io.Writer, _ []string) error {
	text := s.b.RunningConfig()
	if s.priv >= 15 {
		io.WriteString(w, text)
		return nil
	}
	var body []string
	parentKept, parentPrompt := false, ""
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		trimmed := strings.TrimLeft(l, " ")
		indent := len(l) - len(trimmed)
		switch {
		case l == "" || strings.HasPrefix(l, "Building configuration") || strings.HasPrefix(l, "Current configuration"):
			continue
		case trimmed == "!" || l == "end":
			if len(body) == 0 || body[len(body)-1] != "!" || l == "end" {
				body = append(body, l)
			}
			parentKept = false
		case indent == 0:
			parentKept = s.configPermitted("config", l)
			parentPrompt = ""
			if strings.HasPrefix(l, "interface ") {
				parentPrompt = "config-if"
			}
			if parentKept {
				body = append(body, l)
			}
		case indent == 1 && parentKept && parentPrompt != "" && s.configPermitted(parentPrompt, trimmed):
			body = append(body, l)
		}
	}
	out := strings.Join(body, "\n") + "\n"
	fmt.Fprintf(w, "Building configuration...\n\nCurrent configuration : %d bytes\n%s", len(out), out)
	return nil
}

// showRunningInterface is `show running-config interface NAME`: that
// interface's block of what show running-config shows the session, with
// IOS's header (its byte count is the block's, `!` and `end` included).
// An interface with no block is refused under its name.
func showRunningInterface(s *Session, w io.Writer, args []string) error {
	var all strings.Builder
	if err := showRunning(s, &all, nil); err != nil {
		return err
	}
	name := args[len(args)-1]
	var block []string
	in := false
	for _, l := range strings.Split(all.String(), "\n") {
		switch {
		case strings.HasPrefix(l, "interface "):
			in = strings.EqualFold(strings.TrimPrefix(l, "interface "), name)
		case !strings.HasPrefix(l, " "):
			in = false
		}
		if in {
			block = append(block, l)
		}
	}
	if len(block) == 0 {
		return &matchError{Kind: errInvalid, Word: len(args) - 1}
	}
	out := "!\n" + strings.Join(block, "\n") + "\nend\n"
	fmt.Fprintf(w, "Building configuration...\n\nCurrent configuration : %d bytes\n%s\n", len(out), out)
	return nil
}
