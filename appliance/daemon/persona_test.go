package daemon

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
	"github.com/flowtap/flowtap/appliance/platform"
)

// Every persona's defaults must be something the engine takes, once the
// derivation has turned them into the engine's types.
func TestPersonasConfigureTheEngine(t *testing.T) {
	for _, name := range platform.Names() {
		p, err := platform.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		s := p.Defaults()
		if p.Aging.FastTime.Configurable() {
			s.FastTime = p.Aging.FastTime.DefaultDuration()
		}
		s, err = p.Validate(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		aging := flowcache.Aging(p.CacheAging(s))
		if _, err := flowcache.New(flowcache.Config{
			Datapath:  flowcachetest.NewDatapath(s.CacheEntries),
			Aging:     &aging,
			Emergency: emergency(p.Emergency),
		}); err != nil {
			t.Errorf("%s: flowcache.New: %v", name, err)
		}
	}
}
