package daemon

import (
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/datapath"
)

// DatapathView is `show ip flow datapath`: the meter's counters.
func (c *CLI) DatapathView() show.DatapathView {
	st, err := c.m.d.Datapath().Stats()
	if err != nil {
		return show.DatapathView{}
	}
	v := show.DatapathView{
		Frames: st.Frames, FrameBytes: st.FrameBytes, IPv4: st.IPv4, IPv6: st.IPv6, SampledOut: st.SampledOut,
		MeteredPackets: st.MeteredPackets, MeteredBytes: st.MeteredBytes, FlowsCreated: st.FlowsCreated,
		CreateFailPackets: st.CreateFailPackets, CreateFailBytes: st.CreateFailBytes,
		CreateFailFull: st.CreateFailFull, CreateFailContention: st.CreateFailContention,
		FinEvents: st.FinEvents, FullEvents: st.FullEvents, EventDrops: st.EventDrops,
	}
	for i, name := range datapath.ParseReasons[1:] {
		v.Unparsed = append(v.Unparsed, show.Reason{Name: name, Count: st.Unparsed[i+1]})
	}
	return v
}
