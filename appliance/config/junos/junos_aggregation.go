package junos

import (
	"net/netip"
	"slices"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// JunOS's cflowd aggregation: a flow-server with `version 8` and
// `aggregation { TYPE; ... }` takes version 8 aggregates of the main
// cache instead of its flows. In the model each TYPE is an aggregation
// cache (IOS's `ip flow-aggregation cache SCHEME`) and the server one
// of its export destinations:
//
//	set forwarding-options sampling family inet output flow-server A port P version 8
//	set forwarding-options sampling family inet output flow-server A port P aggregation protocol-port
//
// The version 8 line names a main-cache server on its own; Commit folds
// it into the aggregation (aggregationServers), so the lines may come in
// any order, as brace text flattens them.

// aggregationTypes are JunOS's aggregation statements and the schemes
// they stand for.
var aggregationTypes = []struct {
	word   string
	scheme platform.Scheme
}{
	{"autonomous-system", platform.SchemeAS},
	{"destination-prefix", platform.SchemeDestinationPrefix},
	{"protocol-port", platform.SchemeProtocolPort},
	{"source-destination-prefix", platform.SchemePrefix},
	{"source-prefix", platform.SchemeSourcePrefix},
}

func aggregationWords() []string {
	out := make([]string, len(aggregationTypes))
	for i, t := range aggregationTypes {
		out[i] = t.word
	}
	return out
}

// aggregationWord is the JunOS statement of scheme s; "" when JunOS has
// none.
func aggregationWord(s platform.Scheme) string {
	for _, t := range aggregationTypes {
		if t.scheme == s {
			return t.word
		}
	}
	return ""
}

// aggregationServer reads `aggregation [TYPE]` after flow-server at: the
// TYPE cache exports to at (created, enabled, when new); deleting takes
// at off that cache, or off every cache without a TYPE, and a cache left
// with no server goes.
func (j *jcmd) aggregationServer(at netip.AddrPort) {
	if j.deleting() {
		j.dropAggregationServers(func(d netip.AddrPort) bool { return d == at })
		return
	}
	word := j.c.Keyword(aggregationWords()...)
	j.c.End()
	if j.c.Err != nil {
		return
	}
	scheme := aggregationTypes[slices.IndexFunc(aggregationTypes, func(t struct {
		word   string
		scheme platform.Scheme
	}) bool {
		return t.word == word
	})].scheme
	aggs := &j.cfg.Aggregations
	i := slices.IndexFunc(*aggs, func(a config.Aggregation) bool { return a.Scheme == scheme })
	if j.del {
		if i >= 0 {
			a := &(*aggs)[i]
			a.Destinations = slices.DeleteFunc(slices.Clone(a.Destinations), func(d netip.AddrPort) bool { return d == at })
			if len(a.Destinations) == 0 {
				*aggs = slices.Delete(*aggs, i, i+1)
			}
		}
		return
	}
	if i < 0 {
		*aggs = append(*aggs, config.Aggregation{Scheme: scheme, Enabled: true})
		i = len(*aggs) - 1
	}
	a := &(*aggs)[i]
	if !slices.Contains(a.Destinations, at) {
		a.Destinations = append(slices.Clone(a.Destinations), at)
	}
	j.touch("aggregations[" + scheme.String() + "]")
}

// dropAggregationServers takes the servers match picks off every
// JunOS-expressible aggregation cache; a cache left with none goes.
func (j *jcmd) dropAggregationServers(match func(netip.AddrPort) bool) {
	var emptied []platform.Scheme
	for k := range j.cfg.Aggregations {
		a := &j.cfg.Aggregations[k]
		if aggregationWord(a.Scheme) == "" || !slices.ContainsFunc(a.Destinations, match) {
			continue
		}
		a.Destinations = slices.DeleteFunc(slices.Clone(a.Destinations), match)
		if len(a.Destinations) == 0 {
			emptied = append(emptied, a.Scheme)
		}
	}
	j.cfg.Aggregations = slices.DeleteFunc(j.cfg.Aggregations, func(a config.Aggregation) bool {
		return slices.Contains(emptied, a.Scheme)
	})
}

// aggregationServers folds each version 8 flow-server into the
// aggregation caches that name it: it is their server, not a main-cache
// one. An aggregation named before its server's port (port 0) takes the
// port of the version 8 server at its address.
func aggregationServers(c *config.Config) {
	v8 := func(d config.Destination) bool { return d.Version == platform.V8 }
	for k := range c.Aggregations {
		a := &c.Aggregations[k]
		for n, d := range a.Destinations {
			if d.Port() != 0 {
				continue
			}
			var at []netip.AddrPort
			for _, m := range c.Export.Destinations {
				if v8(m) && m.Addr.Addr() == d.Addr() {
					at = append(at, m.Addr)
				}
			}
			if len(at) == 1 {
				a.Destinations = slices.Clone(a.Destinations)
				a.Destinations[n] = at[0]
			}
		}
	}
	c.Export.Destinations = slices.DeleteFunc(slices.Clone(c.Export.Destinations), func(m config.Destination) bool {
		return v8(m) && slices.ContainsFunc(c.Aggregations, func(a config.Aggregation) bool {
			return aggregationWord(a.Scheme) != "" && slices.Contains(a.Destinations, m.Addr)
		})
	})
}
