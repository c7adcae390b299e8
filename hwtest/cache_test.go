package hwtest

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// cacheState is the packets the meter has counted (`show ip flow
// datapath`: the meter's counters are pinned with the flow table, so they
// outlive a daemon restart, where the size distribution of `show ip cache
// flow` starts over with the rest of its screen) and what `show ip cache
// flow` says: the flows in the cache and the ager's passes since the
// daemon started (none yet: the flow counts are not known).
type cacheState struct {
	Packets, Active, AgerPolls uint64
}

var (
	meteredTotal = regexp.MustCompile(`(?m)^\s*(\d+) packets metered \(`)
	cacheActive  = regexp.MustCompile(`(?m)^\s*(\d+) active, \d+ inactive`)
	cachePolls   = regexp.MustCompile(`(?m)^\s*(\d+) ager polls`)
)

func (p *probe) cache(t testing.TB) cacheState {
	t.Helper()
	// The count first: an ager pass counted after it (waitMetered) came
	// after every packet it counted.
	dp := p.cli(t, "show ip flow datapath\n")
	out := p.cli(t, "show ip cache flow\n")
	tot, act, polls := meteredTotal.FindStringSubmatch(dp), cacheActive.FindStringSubmatch(out), cachePolls.FindStringSubmatch(out)
	if tot == nil || act == nil || polls == nil {
		t.Fatalf("no packets metered in show ip flow datapath, or no active count or ager polls in show ip cache flow:\n%s\n%s", dp, out)
	}
	n := func(s string) uint64 { v, _ := strconv.ParseUint(s, 10, 64); return v }
	return cacheState{Packets: n(tot[1]), Active: n(act[1]), AgerPolls: n(polls[1])}
}

// waitMetered waits until the meter has counted at least packets in all
// and the ager has made a pass since, and returns the cache then. It does
// not fail when the count falls short: the comparison with nfpcapd says
// which flows lack what.
func (p *probe) waitMetered(t testing.TB, packets uint64) cacheState {
	t.Helper()
	deadline := time.Now().Add(meterWait)
	var counted *cacheState // the first reading with every packet counted
	for {
		s := p.cache(t)
		switch {
		case counted == nil && s.Packets >= packets:
			counted = &s
		case counted != nil && s.AgerPolls > counted.AgerPolls:
			return s
		}
		if time.Now().After(deadline) {
			t.Logf("after %s the meter has counted %d packets (want %d) in %d ager polls: going on with that",
				meterWait, s.Packets, packets, s.AgerPolls)
			return s
		}
		time.Sleep(500 * time.Millisecond)
	}
}
