package datapath

import "github.com/flowtap/flowtap/datapath/datapathtest"

// Feed runs one frame through the meter (datapathtest.Feed), for this
// package's tests.
func (d *Datapath) Feed(frame []byte, ifindex uint32) (uint32, error) {
	return datapathtest.Feed(d.objs.FlowtapMeter, frame, ifindex)
}

const (
	XDPDrop = datapathtest.XDPDrop
	XDPPass = datapathtest.XDPPass
)

var ErrRuntFrame = datapathtest.ErrRuntFrame
