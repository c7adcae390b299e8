package hwtest

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// cacheState is what `show ip cache flow` says: the packets the meter has
// counted (its size distribution's total: the meter's counters are pinned
// with the flow table, so they outlive a daemon restart), the flows in
// the cache and the ager's passes since the daemon started (none yet: the
// flow counts are not known).
type cacheState struct {
	Packets, Active, AgerPolls uint64
}

var (
	cacheTotal  = regexp.MustCompile(`\((\d+) total packets\)`)
	cacheActive = regexp.MustCompile(`(?m)^\s*(\d+) active, \d+ inactive`)
	cachePolls  = regexp.MustCompile(`(?m)^\s*(\d+) ager polls`)
)

func (p *probe) cache(t testing.TB) cacheState {
	t.Helper()
	out := p.cli(t, "show ip cache flow\n")
	tot, act, polls := cacheTotal.FindStringSubmatch(out), cacheActive.FindStringSubmatch(out), cachePolls.FindStringSubmatch(out)
	if tot == nil || act == nil || polls == nil {
		t.Fatalf("show ip cache flow has no packet total, active count or ager polls:\n%s", out)
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
