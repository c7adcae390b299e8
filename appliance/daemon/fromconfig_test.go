package daemon

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/datapath"
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

// TestSamplerMapDeterministicDatapath: IOS's `mode deterministic
// one-out-of N` reaches the datapath as exact 1-in-N; `random` stays
// random.
func TestSamplerMapDeterministicDatapath(t *testing.T) {
	src := "flow-sampler-map D\n mode deterministic one-out-of 7\n!\nflow-sampler-map R\n mode random one-out-of 9\n!\ninterface eth1\n flow-sampler D\n!\ninterface eth2\n flow-sampler R\n"
	c, err := cfgfile.Parse("t.cfg", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := interfaceSampling(c, c.Interfaces[0]); got != (datapath.Sampling{Mode: datapath.SampleDeterministic, Interval: 7}) {
		t.Errorf("eth1 samples %+v", got)
	}
	if got := interfaceSampling(c, c.Interfaces[1]); got != (datapath.Sampling{Mode: datapath.SampleRandom, Interval: 9}) {
		t.Errorf("eth2 samples %+v", got)
	}
}
