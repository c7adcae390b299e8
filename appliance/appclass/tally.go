package appclass

import (
	"fmt"
	"io"
)

// Counts are one class's totals.
type Counts struct{ Octets, Packets, Flows uint64 }

func (c *Counts) add(o Counts) {
	c.Octets += o.Octets
	c.Packets += o.Packets
	c.Flows += o.Flows
}

// Tally sums flows per class: index i is rule i, the last entry is
// "not classified".
type Tally struct {
	set    *Set
	counts []Counts
}

// NewTally starts an empty tally over s.
func NewTally(s *Set) *Tally {
	return &Tally{set: s, counts: make([]Counts, len(s.Rules)+1)}
}

// Add counts one flow.
func (t *Tally) Add(proto uint8, sport, dport uint16, octets, packets uint64) {
	t.AddClass(t.set.Classify(proto, sport, dport), Counts{octets, packets, 1})
}

// AddClass counts totals already classified.
func (t *Tally) AddClass(class int, c Counts) {
	if class < 0 || class >= len(t.set.Rules) {
		class = len(t.set.Rules)
	}
	t.counts[class].add(c)
}

// Merge adds another tally over the same set.
func (t *Tally) Merge(o *Tally) {
	for i := range t.counts {
		if i < len(o.counts) {
			t.counts[i].add(o.counts[i])
		}
	}
}

// Class returns the totals of a class (NotClassified included).
func (t *Tally) Class(class int) Counts {
	if class < 0 || class >= len(t.set.Rules) {
		return t.counts[len(t.set.Rules)]
	}
	return t.counts[class]
}

// Total is the sum over every class.
func (t *Tally) Total() Counts {
	var c Counts
	for _, x := range t.counts {
		c.add(x)
	}
	return c
}

// Share is octets of the class over all octets, in percent.
func (t *Tally) Share(class int) float64 {
	tot := t.Total().Octets
	if tot == 0 {
		return 0
	}
	return 100 * float64(t.Class(class).Octets) / float64(tot)
}

// Row is one line of the table: a class, "not classified" or "total".
type Row struct {
	Name string
	Counts
	Share float64 // percent of all octets
}

// Rows are the table's lines: one per class in rule order, then "not
// classified", then "total". Shares are of octets, as in Internet2's
// weekly report.
func (t *Tally) Rows() []Row {
	var out []Row
	for i, r := range t.set.Rules {
		out = append(out, Row{r.Name, t.counts[i], t.Share(i)})
	}
	out = append(out, Row{NotClassifiedName, t.Class(NotClassified), t.Share(NotClassified)})
	tot := t.Total()
	share := 0.0
	if tot.Octets > 0 {
		share = 100
	}
	return append(out, Row{"total", tot, share})
}

// Write prints the table the show command gives, Rows under a title.
func (t *Tally) Write(w io.Writer, title string) error {
	if _, err := fmt.Fprintf(w, "%s\n%-20s %15s %12s %9s %7s\n", title, "Class", "Octets", "Packets", "Flows", "Share"); err != nil {
		return err
	}
	for _, r := range t.Rows() {
		if _, err := fmt.Fprintf(w, "%-20s %15d %12d %9d %6.1f%%\n", r.Name, r.Octets, r.Packets, r.Flows, r.Share); err != nil {
			return err
		}
	}
	return nil
}
