package ios

import (
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// ShownList is one list of `show access-lists` as IOS words it: the
// text screen and `| json` are both made from it, so they cannot differ.
type ShownList struct {
	Kind    string // Standard, Extended or IPv6
	Name    string
	Entries []ShownEntry // remarks left out: IOS shows them in the configuration only
}

// ShownEntry is one entry of a shown list and how many packets it decided.
type ShownEntry struct {
	Seq     int
	Entry   string // as ACEShow words it
	Matches uint64
}

// AccessListsShown is `show access-lists [NAME]`'s lists: every list (or
// the one named) with its entries in sequence order; matches gives an
// entry's count and is asked once an entry.
func AccessListsShown(c config.Config, only string, matches func(ref string, e config.ACE) uint64) []ShownList {
	var out []ShownList
	for _, l := range c.AccessLists {
		if only != "" && l.Ref() != only {
			continue
		}
		sl := ShownList{Kind: "Standard", Name: l.Ref()}
		switch {
		case l.IPv6:
			sl.Kind = "IPv6"
		case l.Extended:
			sl.Kind = "Extended"
		}
		for _, e := range l.Entries {
			if e.Remark == "" {
				sl.Entries = append(sl.Entries, ShownEntry{Seq: e.Seq, Entry: ACEShow(e, l.Extended), Matches: matches(l.Ref(), e)})
			}
		}
		out = append(out, sl)
	}
	return out
}

// AccessListsText is IOS's `show access-lists` screen of lists: an IPv4
// entry after its sequence number, an IPv6 one before it, each followed
// by its matches when it decided packets.
func AccessListsText(lists []ShownList) string {
	var b strings.Builder
	for _, l := range lists {
		if l.Kind == "IPv6" {
			fmt.Fprintf(&b, "IPv6 access list %s\n", l.Name)
		} else {
			fmt.Fprintf(&b, "%s IP access list %s\n", l.Kind, l.Name)
		}
		for _, e := range l.Entries {
			if l.Kind == "IPv6" {
				fmt.Fprintf(&b, "    %s%s sequence %d\n", e.Entry, matchesText(e.Matches), e.Seq)
			} else {
				fmt.Fprintf(&b, "    %d %s%s\n", e.Seq, e.Entry, matchesText(e.Matches))
			}
		}
	}
	return b.String()
}

// matchesText is an entry's count as the screen words it: nothing for 0.
func matchesText(n uint64) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " (1 match)"
	}
	return fmt.Sprintf(" (%d matches)", n)
}

// ShowAccessLists is IOS's `show access-lists [NAME]` screen.
func ShowAccessLists(c config.Config, only string, matches func(ref string, e config.ACE) uint64) string {
	return AccessListsText(AccessListsShown(c, only, matches))
}

// ACEShow is an entry as `show access-lists` words it: a standard entry
// pads its action and names the wildcard bits.
func ACEShow(e config.ACE, extended bool) string {
	if e.Addr.Is6() {
		return ace6Text(e)
	}
	if extended {
		return aceText(e, true)
	}
	act := "deny  "
	if e.Permit {
		act = "permit"
	}
	switch e.Wildcard {
	case config.AnyWildcard:
		return act + " any"
	case config.AnyAddr:
		return act + " " + e.Addr.String()
	}
	return fmt.Sprintf("%s %s, wildcard bits %s", act, e.Addr, e.Wildcard)
}
