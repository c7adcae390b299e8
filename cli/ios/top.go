package ios

import (
	"fmt"
	"io"

	"github.com/flowtap/flowtap/cli/show"
)

// dynamicTopTree is `show ip flow top [<1-100>] [from-cache main]
// aggregate FIELD [sorted-by {aggregate|bytes|flows|packets}
// [ascending|descending]] [match FIELD VALUE]` (vendor-behaviour.md
// 2.4.1). The optional parts share their nodes, so `?` offers what may
// still follow at each point.
func dynamicTopTree() *Node {
	run := topRun
	match := kw("match", "Match criteria",
		arg("FIELD", "Field to match: "+topFieldList(), checkTopField,
			arg("VALUE", "Value the field must equal (an address may be A.B.C.D/LEN)", nil).Runs(run)))
	order := []*Node{
		kw("ascending", "Arrange the output in ascending order", match).Runs(run),
		kw("descending", "Arrange the output in descending order", match).Runs(run),
	}
	sortKey := func(word, help string) *Node {
		return kw(word, help, append(append([]*Node(nil), order...), match)...).Runs(run)
	}
	sorted := kw("sorted-by", "Sort the output",
		sortKey("aggregate", "Sort by the aggregated field"),
		sortKey("bytes", "Sort by bytes"),
		sortKey("flows", "Sort by flows"),
		sortKey("packets", "Sort by packets"))
	aggregate := kw("aggregate", "Field to aggregate on")
	for _, f := range show.TopFields {
		aggregate.Children = append(aggregate.Children, kw(f.Keyword, f.Help, sorted, match).Runs(run))
	}
	fromCache := kw("from-cache", "Cache to read the flows from", kw("main", "The main cache", aggregate))
	return kw("top", "Display aggregated top talkers from the cache",
		arg("<1-100>", "Number of top talkers to show", rangeCheck(1, 100), fromCache, aggregate),
		fromCache, aggregate)
}

func topFieldList() string {
	var s string
	for i, f := range show.TopFields {
		if i > 0 {
			s += ", "
		}
		s += f.Keyword
	}
	return s
}

func checkTopField(w string) error {
	if _, ok := show.TopFieldByKeyword(w); !ok {
		return fmt.Errorf("not a field")
	}
	return nil
}

// topQuery reads the words of a resolved `show ip flow top` line.
func topQuery(args []string) show.TopQuery {
	q := show.TopQuery{} // no number: every aggregate
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "top":
			if i+1 < len(args) && args[i+1] != "from-cache" && args[i+1] != "aggregate" {
				i++
				fmt.Sscan(args[i], &q.N)
			}
		case "aggregate":
			i++
			q.Field = args[i]
		case "sorted-by":
			i++
			q.By = show.TopSortBy(args[i])
		case "ascending":
			q.Ascending = true
		case "descending":
			q.Descending = true
		case "match":
			q.Matches = append(q.Matches, show.TopMatchSpec{Field: args[i+1], Value: args[i+2]})
			i += 2
		}
	}
	return q
}

func topRun(s *Session, w io.Writer, args []string) error {
	v := s.b.CacheView()
	top, err := show.ComputeTop(&v, topQuery(args))
	if err != nil {
		return err
	}
	if s.json {
		s.jsonDone = true
		return show.WriteJSON(w, show.TopJSON(top))
	}
	show.IPFlowTop(w, top)
	return nil
}
