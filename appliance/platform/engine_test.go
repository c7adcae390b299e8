package platform

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
)

// Every persona's defaults must be something the engine takes.
func TestPersonasConfigureTheEngine(t *testing.T) {
	for _, name := range Names() {
		p := mustLookup(t, name)
		s := p.Defaults()
		if p.Aging.FastTime.Configurable() {
			s.FastTime = p.Aging.FastTime.DefaultDuration()
		}
		s, err := p.Validate(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		aging := p.CacheAging(s)
		if _, err := flowcache.New(flowcache.Config{
			Datapath:  flowcachetest.NewDatapath(s.CacheEntries),
			Aging:     &aging,
			Emergency: p.Emergency,
		}); err != nil {
			t.Errorf("%s: flowcache.New: %v", name, err)
		}
	}
}
