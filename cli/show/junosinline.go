package show

import (
	"fmt"
	"io"
)

// The `inline-jflow fpc-slot N` forms of show services accounting flow,
// errors and status: an MX exporting from its line card has no services
// PIC, so Junos lays these out per FPC rather than per sp- interface
// (vendor-behaviour.md 4.2; the layout is RECALL). flowtap's one cache
// and exporter stand for the slot the sampling instance is bound to.

// ServicesAccountingFlowInline renders `show services accounting flow
// inline-jflow fpc-slot SLOT`.
func ServicesAccountingFlowInline(w io.Writer, v AccountingView, slot int) {
	f := AccountingFlowOf(v)
	fmt.Fprintln(w, "  Flow information")
	fmt.Fprintf(w, "    FPC Slot: %d\n", slot)
	fmt.Fprintf(w, "    Flow Packets: %d, Flow Bytes: %d\n", f.FlowPackets, f.FlowBytes)
	fmt.Fprintf(w, "    Active Flows: %d, Total Flows: %d\n", f.ActiveFlows, f.TotalFlows)
	fmt.Fprintf(w, "    Flows Exported: %d, Flow Packets Exported: %d\n", f.FlowsExported, f.FlowsPacketsExported)
	fmt.Fprintf(w, "    Flows Inactive Timed Out: %d, Flows Active Timed Out: %d\n", f.FlowsInactiveTimedOut, f.FlowsActiveTimedOut)
}

// ServicesAccountingErrorsInline renders `show services accounting errors
// inline-jflow fpc-slot SLOT`. Export Packet Failures are the export
// packets not sent: send errors and queue drops.
func ServicesAccountingErrorsInline(w io.Writer, v AccountingView, slot int) {
	e := AccountingErrorsOf(v)
	fmt.Fprintln(w, "  Error information")
	fmt.Fprintf(w, "    FPC Slot: %d\n", slot)
	fmt.Fprintf(w, "    Flow Creation Failures: %d\n", e.FlowCreationFailures)
	fmt.Fprintf(w, "    Export Packet Failures: %d\n", e.ExportSendErrors+e.ExportQueueDrops)
	overload := "No"
	if o := v.Status.Overload; o != nil && o.Active {
		overload = "Yes"
	}
	// Overload protection is what stands for Junos's memory overload.
	fmt.Fprintf(w, "    Memory Overload: %s\n", overload)
}

// ServicesAccountingStatusInline renders `show services accounting status
// inline-jflow fpc-slot SLOT`.
func ServicesAccountingStatusInline(w io.Writer, v AccountingView, slot int) {
	st := &v.Status
	yes := func(b bool) string {
		if b {
			return "Yes"
		}
		return "No"
	}
	fmt.Fprintln(w, "  Status information")
	fmt.Fprintf(w, "    FPC Slot: %d\n", slot)
	fmt.Fprintf(w, "    Export format: %s\n", st.ExportFormat)
	fmt.Fprintf(w, "    Route Record Count: %d, AS count: %d\n", st.RouteRecordCount, st.ASCount)
	fmt.Fprintf(w, "    Route-Records Set: %s, Config Set: Yes\n", yes(st.RouteRecordSet))
}
