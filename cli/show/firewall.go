package show

import (
	"fmt"
	"io"
)

// FirewallCounter is one term's counter in `show firewall filter`.
type FirewallCounter struct {
	Name           string
	Bytes, Packets uint64
}

// FirewallFilter is JunOS's `show firewall filter NAME`: every term's
// counter (its `count` name, else the term's), summed over the ports
// that use the filter.
func FirewallFilter(w io.Writer, name string, cs []FirewallCounter) {
	fmt.Fprintf(w, "Filter: %s\n", name)
	fmt.Fprintln(w, "Counters:")
	fmt.Fprintf(w, "%-40s%25s%21s\n", "Name", "Bytes", "Packets")
	for _, c := range cs {
		fmt.Fprintf(w, "%-40s%25d%21d\n", c.Name, c.Bytes, c.Packets)
	}
}

// FirewallFilterJSON is `show firewall filter NAME | display json`.
func FirewallFilterJSON(name string, cs []FirewallCounter) any {
	if cs == nil {
		cs = []FirewallCounter{}
	}
	return map[string]any{"FilterName": name, "Counters": cs}
}
