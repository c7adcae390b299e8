package flowcache_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
)

// TestNothingLostOrCountedTwice drives random traffic and random aging
// events through the engine and checks the contract of
// docs/architecture.md ("Nothing lost, nothing counted twice"): exported
// packets and bytes summed equal metered ones, a flow that could not be
// created is counted, and a flow cut by the active timeout goes on in a
// new entry (records of one flow never overlap).
func TestNothingLostOrCountedTwice(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			randomAging := func() flowcache.Aging {
				a := flowcache.Aging{
					Inactive: time.Duration(rng.IntN(8)) * time.Second,
					Active:   time.Duration(rng.IntN(30)) * time.Second,
				}
				if rng.IntN(3) == 0 {
					a.FastTime, a.FastThreshold = time.Duration(1+rng.IntN(10))*time.Second, uint64(1+rng.IntN(20))
				}
				return a
			}
			randomEmergency := func() flowcache.Emergency {
				return flowcache.Emergency{
					Mode:     flowcache.EmergencyMode(rng.IntN(3)),
					LowWater: rng.IntN(6), Accelerated: time.Duration(rng.IntN(4)) * time.Second,
					Percent: 50 + rng.IntN(50), Every: time.Duration(1+rng.IntN(5)) * time.Second,
					AggressiveInactive: time.Duration(1+rng.IntN(3)) * time.Second,
				}
			}
			first := randomAging()
			h := newHarness(t, 24, func(c *flowcache.Config) { c.Aging = &first })

			var offered flowcachetest.Totals
			clearedAt, clears := 0, 0
			for range 800 {
				switch r := rng.IntN(100); {
				case r < 60:
					for range 1 + rng.IntN(8) {
						var flags uint8
						if rng.IntN(25) == 0 {
							flags = flowcachetest.TCPFin
						}
						b := uint64(40 + rng.IntN(1460))
						offered.Packets++
						offered.Bytes += b
						h.meter(key(rng.IntN(32)), 1, b, flags)
					}
				case r < 88:
					h.step(time.Duration(1+rng.IntN(4)) * time.Second)
				case r < 92:
					if err := h.eng.SetAging(randomAging()); err != nil {
						t.Fatal(err)
					}
				case r < 94:
					if err := h.eng.SetEmergency(randomEmergency()); err != nil {
						t.Fatal(err)
					}
				case r < 96:
					if _, err := h.eng.Flush(); err != nil {
						t.Fatal(err)
					}
				case r < 98:
					h.dp.FailHarvest(flowcachetest.ErrInjected, rng.IntN(4))
					h.step(time.Second)
				default:
					h.eng.Clear()
					clearedAt = len(h.rec.Records())
					clears++
				}
			}
			if _, err := h.eng.Flush(); err != nil {
				t.Fatal(err)
			}

			metered, failed, exported := h.dp.Metered(), h.dp.Failed(), h.rec.Totals()
			if exported != metered {
				t.Errorf("exported %+v, metered %+v", exported, metered)
			}
			if sum := (flowcachetest.Totals{Packets: metered.Packets + failed.Packets, Bytes: metered.Bytes + failed.Bytes}); sum != offered {
				t.Errorf("metered+failed %+v, offered %+v", sum, offered)
			}
			if failed.Packets != h.dp.AllocFailures() {
				t.Errorf("failed packets %d, alloc failures %d", failed.Packets, h.dp.AllocFailures())
			}
			if used, _, _ := h.dp.Usage(); used != 0 {
				t.Errorf("%d entries left after the final flush", used)
			}

			recs := h.rec.Records()
			last := map[flow.Key]flow.Record{}
			for _, r := range recs {
				if r.Packets == 0 || r.EndReason == 0 || r.End.Before(r.Start) {
					t.Fatalf("bad record %+v", r)
				}
				if prev, ok := last[r.Key]; ok && !prev.End.Before(r.Start) && !prev.End.Equal(r.Start) {
					t.Fatalf("records of %v overlap: %v-%v then %v-%v", r.Key, prev.Start, prev.End, r.Start, r.End)
				}
				if prev, ok := last[r.Key]; ok && prev.EndReason == flow.EndActive && !r.Start.After(prev.End) {
					t.Fatalf("record after an active cut of %v starts at %v, not after %v", r.Key, r.Start, prev.End)
				}
				last[r.Key] = r
			}

			// The statistics count what the sinks got since the last clear,
			// except during the harvest that failed... which still counts
			// what it emitted.
			st := h.eng.Stats()
			since := recs[clearedAt:]
			var pk, by uint64
			for _, r := range since {
				pk += r.Packets
				by += r.Bytes
			}
			if tot := st.Total(); st.ExpiredTotal() != uint64(len(since)) || tot.Flows != uint64(len(since)) || tot.Packets != pk || tot.Bytes != by {
				t.Errorf("stats since clear: expired %d, total %+v; sinks got %d records, %d packets, %d bytes",
					st.ExpiredTotal(), tot, len(since), pk, by)
			}
			t.Logf("%d records, %d packets, %d alloc failures, %d harvest errors, %d clears",
				len(recs), metered.Packets, h.dp.AllocFailures(), st.HarvestErrors, clears)
		})
	}
}
