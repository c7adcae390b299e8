package mgmtplane

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/flowcache"
)

// TestSNMPMatchKeepsTheCLIForm: a cnfTopFlowsMatch set rewrites the whole
// match; the criteria it did not change keep the form the CLI typed
// (`match tos dscp 46`, an interface's name), the ones it changed take
// the MIB's (a whole ToS byte, the kernel's name of the ifIndex).
func TestSNMPMatchKeepsTheCLIForm(t *testing.T) {
	dscp := config.TopToS{Kind: config.TopToSDSCP, Value: 46}
	for _, tc := range []struct {
		m    flowcache.ToSMatch
		want config.TopToS
	}{
		{flowcache.ToSMatch{Mask: 0xfc, Value: 0xb8}, dscp},
		{flowcache.ToSMatch{Mask: 0xff, Value: 32}, config.TopToS{Kind: config.TopToSByte, Value: 32}},
		{flowcache.ToSMatch{}, config.TopToS{}},
	} {
		if got := matchToS(dscp, tc.m); got != tc.want {
			t.Errorf("%+v: %+v, want %+v", tc.m, got, tc.want)
		}
	}
	var c config.Config
	if got := matchIfName(c, "lo", 1); got != "lo" {
		t.Errorf("lo kept: %q", got)
	}
	if got := matchIfName(c, "nosuch0", 1); got != "lo" {
		t.Errorf("ifIndex 1 named %q, want lo", got)
	}
	if got := matchIfName(c, "nosuch0", daemon.NoSuchIfIndex); got != "nosuch0" {
		t.Errorf("an absent interface renamed %q", got)
	}
	if got := matchIfName(c, "lo", 0); got != "" {
		t.Errorf("ifIndex 0 named %q", got)
	}
}
