package junos

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/mgmt/dnsclient"
)

// endOfInput is ^D, which ends what `load ... terminal` reads; a script
// may also just end.
const endOfInput = "\x04"

// load is `load merge|set|override terminal [relative]`: the text typed or pasted
// up to ^D at a new line goes into the candidate (override: replaces its
// JunOS part); statements refused are reported and the rest kept, with
// JunOS's "load complete (N errors)".
func load(s *Session, w io.Writer, args []string) error {
	if s.ask == nil {
		return errors.New("error: load terminal needs a terminal or a script to read from")
	}
	var lines []string
	prompt := "[Type ^D at a new line to end input]"
	for {
		l, err := s.ask.Ask(prompt, false)
		prompt = ""
		if errors.Is(err, io.EOF) || strings.TrimSpace(l) == endOfInput {
			break
		}
		if err != nil {
			return fmt.Errorf("error: %v", err)
		}
		lines = append(lines, l)
	}
	if args[len(args)-1] == "relative" && len(s.path) > 0 {
		lines = relativeTo(s.path, lines)
	}
	text := strings.Join(lines, "\n")
	base := s.cand.Candidate()
	if args[1] == "override" {
		base = junosconf.OverrideBase(base)
	}
	cand := s.candidate(base)
	errs := cand.Load(text)
	if len(errs) > 0 {
		fmt.Fprintln(w, s.screen(errs))
	}
	s.cand = cand
	if len(errs) > 0 {
		fmt.Fprintf(w, "load complete (%d errors)\n", len(errs))
	} else {
		fmt.Fprintln(w, "load complete")
	}
	return nil
}

// relativeTo puts text typed at the edit level path under it, for `load
// ... terminal relative`: each set-style line gets the path after its
// verb, brace text is wrapped in the path's containers.
func relativeTo(path, lines []string) []string {
	verbs := []string{"set", "delete", "activate", "deactivate", "annotate"}
	setStyle := false
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 {
			setStyle = slices.Contains(verbs, f[0])
			break
		}
	}
	at := strings.Join(path, " ")
	var out []string
	if setStyle {
		for _, l := range lines {
			if verb, rest, ok := strings.Cut(strings.TrimSpace(l), " "); ok && slices.Contains(verbs, verb) {
				l = verb + " " + at + " " + rest
			}
			out = append(out, l)
		}
		return out
	}
	for _, w := range path {
		out = append(out, w+" {")
	}
	out = append(out, lines...)
	for range path {
		out = append(out, "}")
	}
	return out
}

// candidate starts a candidate configuration from base whose host names
// resolve as the box's (its cache, its DHCP-learned name servers).
func (s *Session) candidate(base config.Config) *junosconf.Session {
	c := junosconf.NewSession(base, "terminal")
	c.SetResolver(s.b.Resolver())
	return c
}

// showHost is `show host NAME`: Junos runs a lookup and prints the
// answer in the host utility's words; flowtap asks its own resolver (the
// static host mappings, then the name servers) and does no reverse
// lookup of an address.
func showHost(s *Session, w io.Writer, args []string) error {
	name := args[len(args)-1]
	if a, err := netip.ParseAddr(name); err == nil {
		// The host utility's reverse answer: the address's arpa name
		// and each name its PTR records give.
		rev := dnsclient.ReverseName(a)
		names, err := s.b.LookupAddr(a)
		if err != nil {
			fmt.Fprintf(w, "Host %s not found: %v\n", rev, err)
			return nil
		}
		for _, n := range names {
			fmt.Fprintf(w, "%s domain name pointer %s\n", strings.TrimSuffix(rev, "."), n)
		}
		return nil
	}
	addrs, err := s.b.LookupHost(name)
	if err != nil {
		fmt.Fprintf(w, "Host %s not found: %v\n", name, err)
		return nil
	}
	for _, a := range addrs {
		if a.Is4() {
			fmt.Fprintf(w, "%s has address %s\n", name, a)
		} else {
			fmt.Fprintf(w, "%s has IPv6 address %s\n", name, a)
		}
	}
	return nil
}
