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

// load is `load merge|replace|override|patch|set|update terminal|FILE
// [relative]`: the text typed or pasted up to ^D at a new line, or the
// file's, goes into the candidate only (commit applies it, rollback 0
// drops it). merge and set add to it, replace first takes away each
// statement tagged `replace:`, override replaces its JunOS part, patch
// applies `show | compare` output. Statements refused are reported and
// the rest kept, with JunOS's "load complete (N errors)"; a patch is
// whole or not at all.
func load(s *Session, w io.Writer, args []string) error {
	text, err := loadText(s, args[2])
	if err != nil {
		return err
	}
	if args[len(args)-1] == "relative" && len(s.path) > 0 {
		text = strings.Join(relativeTo(s.path, strings.Split(text, "\n")), "\n")
	}
	base := s.cand.Candidate()
	if args[1] == "override" || args[1] == "update" {
		// update leaves the candidate as override does; Junos tells its
		// daemons only what changed, which a flowtap commit always does.
		base = junosconf.OverrideBase(base)
	}
	cand := s.candidate(base)
	var errs config.Errors
	switch args[1] {
	case "patch":
		if err := cand.Patch(text); err != nil {
			// A hunk that does not apply leaves the candidate as it was.
			var pe *junosconf.PatchError
			if errors.As(err, &pe) {
				fmt.Fprintln(w, pe)
			} else {
				fmt.Fprintln(w, s.screen(err))
			}
			return errors.New("error: load patch failed")
		}
	case "replace":
		errs = cand.LoadReplace(text)
	default:
		errs = cand.Load(text)
	}
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

// loadFactoryDefault is `load factory-default`: the candidate becomes
// the factory configuration (junosconf.FactoryDefault), for commit to
// apply or rollback 0 to drop, with Junos's warning [RECALL].
func loadFactoryDefault(s *Session, w io.Writer, _ []string) error {
	s.cand = s.candidate(junosconf.FactoryDefault(s.cand.Candidate()))
	fmt.Fprintln(w, "warning: activating factory configuration")
	return nil
}

// loadText is what a load reads: the lines typed up to ^D for
// `terminal`, else the file's text (the backend finds a relative name
// where Junos would look in the user's home directory).
func loadText(s *Session, from string) (string, error) {
	if from != "terminal" {
		b, err := s.b.ReadFile(from)
		if err != nil {
			return "", fmt.Errorf("error: could not open configuration file: %s: %v", from, errors.Unwrap(err))
		}
		return string(b), nil
	}
	if s.ask == nil {
		return "", errors.New("error: load terminal needs a terminal or a script to read from")
	}
	var lines []string
	prompt := "[Type ^D at a new line to end input]\n"
	for {
		l, err := s.ask.Ask(prompt, false)
		prompt = ""
		if errors.Is(err, io.EOF) || strings.TrimSpace(l) == endOfInput {
			break
		}
		if err != nil {
			return "", fmt.Errorf("error: %v", err)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n"), nil
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
