package show

import (
	"fmt"
	"io"
	"strings"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// key is a flow's value of the sort key: its packets or its bytes.
func (tt *TopTalkers) key(r *flow.Record) uint64 {
	if tt.SortBy == platform.SortByPackets {
		return r.Packets
	}
	return r.Bytes
}

// IPFlowTopTalkers renders `show ip flow top-talkers`.
func IPFlowTopTalkers(w io.Writer, tt TopTalkers, ifName func(uint32) string) {
	v := CacheView{IfName: ifName}
	last := "Bytes"
	if tt.SortBy == platform.SortByPackets {
		last = " Pkts"
	}
	fmt.Fprintf(w, "SrcIf         SrcIPaddress    DstIf         DstIPaddress    Pr SrcP DstP %s\n", last)
	for _, r := range tt.Flows {
		n := tt.key(&r)
		fmt.Fprintf(w, "%-14s%-16s%-14s%-16s%02X %04X %04X %5s\n", cut(v.ifName(r.InputIf), 13), addr(r.SrcAddr),
			cut(v.ifName(r.OutputIf), 13), addr(r.DstAddr), r.Proto, r.SrcPort, r.DstPort, abbrev(n))
	}
	fmt.Fprintf(w, "%d of %d top talkers shown. %d flows processed.\n", len(tt.Flows), tt.Matched, tt.Processed)
}

// IPv6FlowTopTalkers renders `show ipv6 flow top-talkers`: the top
// talkers among IPv6 flows in the wide layout of `show ipv6 flow cache`
// (full addresses, protocol and ports in hex), the sort key last, then
// IOS's count line.
func IPv6FlowTopTalkers(w io.Writer, tt TopTalkers, ifName func(uint32) string) {
	v := CacheView{IfName: ifName}
	last := "Bytes"
	if tt.SortBy == platform.SortByPackets {
		last = "Packets"
	}
	fmt.Fprintf(w, "SrcAddress                              InpIf      DstAddress                              OutIf      Prot SrcPrt DstPrt %s\n", last)
	for _, r := range tt.Flows {
		n := tt.key(&r)
		fmt.Fprintf(w, "%-40s%-11s%-40s%-11s0x%02X 0x%04X 0x%04X %d\n", strings.ToUpper(addr(r.SrcAddr)), cut(v.ifName(r.InputIf), 10),
			strings.ToUpper(addr(r.DstAddr)), cut(v.ifName(r.OutputIf), 10), r.Proto, r.SrcPort, r.DstPort, n)
	}
	fmt.Fprintf(w, "%d of %d top talkers shown. %d flows processed.\n", len(tt.Flows), tt.Matched, tt.Processed)
}

// IPFlowTopTalkersVerbose renders `show ip flow top-talkers verbose`:
// the same flows in the verbose cache layout, with each flow's bytes
// after its line (the short form prints only the sort key).
func IPFlowTopTalkersVerbose(w io.Writer, tt TopTalkers, ifName func(uint32) string) {
	v := CacheView{IfName: ifName}
	writeVerboseHeading(w)
	for i := range tt.Flows {
		r := &tt.Flows[i]
		writeVerboseFlow(w, &v, r)
		fmt.Fprintf(w, "Bytes: %d\n", r.Bytes)
	}
	fmt.Fprintf(w, "%d of %d top talkers shown. %d flows processed.\n", len(tt.Flows), tt.Matched, tt.Processed)
}

// TopTalkersJSON is `show ip flow top-talkers [verbose] | json`.
func TopTalkersJSON(tt TopTalkers, ifName func(uint32) string) any {
	v := CacheView{IfName: ifName}
	return map[string]any{
		"SortBy": tt.SortBy.String(), "Shown": len(tt.Flows), "Matched": tt.Matched, "Processed": tt.Processed,
		"TABLE_flow": map[string]any{"ROW_flow": flowRows(&v, tt.Flows)},
	}
}
