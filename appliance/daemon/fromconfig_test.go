package daemon

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
)

// TestDatapathConversions: the model's mask and a port's flow-sampler
// become the datapath's.
func TestDatapathConversions(t *testing.T) {
	c, err := cfgfile.Load("../../configs/cat6500-sup720.conf")
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := c.Setting()
	if err != nil {
		t.Fatal(err)
	}
	if m, err := datapathMask(s.Mask); err != nil || m.String() != "interface-full" {
		t.Fatalf("datapath mask %v %v", m, err)
	}
	ios, err := cfgfile.Load("../../configs/ios-router.conf")
	if err != nil {
		t.Fatal(err)
	}
	eth2, _ := ios.Interface("eth2")
	if got := interfaceSampling(ios, eth2); got.Interval != 100 {
		t.Fatalf("eth2 sampling %+v", got)
	}
}
