package snmp

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
)

// TestNetSNMPSetFollowsPersona: the cache objects take the ranges the
// daemon passes in, read at each Set. Under pfc3bxl `mls aging long` is
// 64-1920 s, so cnfCIActiveTimeOut (minutes) takes 2-32 and cnfCIInactive
// TimeOut `mls aging normal`'s 32-4092 s; the router's 1 minute and 600 s
// limit no longer apply. Switching back to the router restores them.
func TestNetSNMPSetFollowsPersona(t *testing.T) {
	pfc, err := platform.Lookup("pfc3bxl")
	if err != nil {
		t.Fatal(err)
	}
	router, _ := platform.Lookup("ios")
	var mu sync.Mutex
	persona := &pfc
	cfg := testConfig(newFakeBackend())
	b := cfg.Setter.(*fakeBackend)
	cfg.CacheLimits = func() CacheLimits {
		mu.Lock()
		defer mu.Unlock()
		return PersonaCacheLimits(persona)
	}
	_, v4, _ := startAgent(t, cfg)
	for _, c := range []struct {
		oid, value, want string // want: "" accepted, else the error
	}{
		{oidActiveTimeout, "1", "wrongValue"},
		{oidActiveTimeout, "33", "wrongValue"},
		{oidActiveTimeout, "32", ""},
		{oidInactiveTimeout, "601", ""},
		{oidInactiveTimeout, "4093", "wrongValue"},
	} {
		_, stderr, err := setCmd(t, rwCommunity, v4, c.oid, "u", c.value)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("pfc3bxl: set %s = %s: %v\n%s", c.oid, c.value, err, stderr)
		case c.want != "" && (err == nil || !strings.Contains(stderr, c.want)):
			t.Errorf("pfc3bxl: set %s = %s: err %v, stderr %q; want %s", c.oid, c.value, err, stderr, c.want)
		}
	}
	if want := []string{"SetActiveTimeout 32m0s", "SetInactiveTimeout 10m1s"}; !slices.Equal(b.Calls(), want) {
		t.Errorf("Setter calls %q, want %q", b.Calls(), want)
	}
	mu.Lock()
	persona = &router
	mu.Unlock()
	if _, stderr, err := setCmd(t, rwCommunity, v4, oidActiveTimeout, "u", "1"); err != nil {
		t.Errorf("ios: set active 1 min: %v\n%s", err, stderr)
	}
	if _, stderr, err := setCmd(t, rwCommunity, v4, oidInactiveTimeout, "u", "601"); err == nil || !strings.Contains(stderr, "wrongValue") {
		t.Errorf("ios: set inactive 601 s: err %v, stderr %q; want wrongValue", err, stderr)
	}
}
