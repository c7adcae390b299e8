package ios

import (
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// ShowAccessLists is IOS's `show access-lists [NAME]`: every list (or the
// one named) with its entries in sequence order and, after an entry that
// decided packets, how many. matches gives an entry's count.
func ShowAccessLists(c config.Config, only string, matches func(ref string, e config.ACE) uint64) string {
	var b strings.Builder
	for _, l := range c.AccessLists {
		if only != "" && l.Ref() != only {
			continue
		}
		if l.IPv6 {
			showAccessList6(&b, l, matches)
			continue
		}
		kind := "Standard"
		if l.Extended {
			kind = "Extended"
		}
		fmt.Fprintf(&b, "%s IP access list %s\n", kind, l.Ref())
		for _, e := range l.Entries {
			if e.Remark != "" {
				continue // IOS shows remarks in the configuration only
			}
			fmt.Fprintf(&b, "    %d %s", e.Seq, ACEShow(e, l.Extended))
			switch n := matches(l.Ref(), e); n {
			case 0:
			case 1:
				b.WriteString(" (1 match)")
			default:
				fmt.Fprintf(&b, " (%d matches)", n)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
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
