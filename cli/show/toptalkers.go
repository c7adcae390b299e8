package show

import (
	"fmt"
	"io"

	"github.com/flowtap/flowtap/appliance/flowcache"
)

// IPFlowTopTalkers renders `show ip flow top-talkers`.
func IPFlowTopTalkers(w io.Writer, tt flowcache.TopTalkers, ifName func(uint32) string) {
	v := CacheView{IfName: ifName}
	last := "Bytes"
	if tt.SortBy == flowcache.SortByPackets {
		last = " Pkts"
	}
	fmt.Fprintf(w, "SrcIf         SrcIPaddress    DstIf         DstIPaddress    Pr SrcP DstP %s\n", last)
	for _, r := range tt.Flows {
		n := r.Bytes
		if tt.SortBy == flowcache.SortByPackets {
			n = r.Packets
		}
		fmt.Fprintf(w, "%-14s%-16s%-14s%-16s%02X %04X %04X %5s\n", cut(v.ifName(r.InputIf), 13), addr(r.SrcAddr),
			cut(v.ifName(r.OutputIf), 13), addr(r.DstAddr), r.Proto, r.SrcPort, r.DstPort, abbrev(n))
	}
	fmt.Fprintf(w, "%d of %d top talkers shown. %d flows processed.\n", len(tt.Flows), tt.Matched, tt.Processed)
}
