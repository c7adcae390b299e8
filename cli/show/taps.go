package show

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// TapView is one `flowtap tap` for `show flowtap taps`.
type TapView struct {
	Name    string
	IfIndex uint32
	Fibres  []FibreView // A, then B
}

// FibreView is one fibre of a tap: its port's state and what it metered
// (in flows that left the cache).
type FibreView struct {
	Side    string // "A" or "B"
	Port    string // "" when not configured
	Present bool   // the port exists
	AdminUp bool
	Carrier bool
	Flows   uint64
	Packets uint64
	Bytes   uint64
	// Received says a frame arrived since flowtapd began watching the
	// port; LastInput is how long ago the last one did.
	Received  bool
	LastInput time.Duration
	// SilentFor is set when the fibre has light but has received nothing
	// for that long while the other fibre (PartnerReceives) receives.
	SilentFor       time.Duration `json:",omitempty"`
	PartnerReceives string        `json:",omitempty"`
}

func (f FibreView) state() string {
	switch {
	case f.Port == "":
		return "not configured"
	case !f.Present:
		return "missing (the port does not exist)"
	case !f.AdminUp:
		return "administratively down"
	case !f.Carrier:
		return "down (dark: no light, this direction is not metered)"
	case f.SilentFor > 0:
		return fmt.Sprintf("up, silent (no frame for %s while fibre %s receives)", elapsed(f.SilentFor), f.PartnerReceives)
	}
	return "up"
}

// lastInput is IOS's "Last input" field: hh:mm:ss ago, or never.
func (f FibreView) lastInput() string {
	if !f.Received {
		return "never"
	}
	return elapsed(f.LastInput)
}

// elapsed is a duration as hms prints the time since a moment.
func elapsed(d time.Duration) string {
	var t0 time.Time
	return hms(t0.Add(1), t0.Add(1+d))
}

func (f FibreView) role(link string) string {
	if f.Side == "A" {
		return "input on " + link + ", flowDirection ingress"
	}
	return "output on " + link + ", flowDirection egress"
}

// FlowtapTaps renders `show flowtap taps`: each tap's link, then each
// fibre's health and counters, so that a dark fibre never passes for a
// quiet one.
func FlowtapTaps(w io.Writer, taps []TapView) {
	if len(taps) == 0 {
		fmt.Fprintln(w, "No taps configured")
		return
	}
	for _, t := range taps {
		var dark, silent []string
		for _, f := range t.Fibres {
			switch {
			case f.SilentFor > 0:
				silent = append(silent, "fibre "+f.Side)
			case f.state() != "up":
				dark = append(dark, "fibre "+f.Side)
			}
		}
		state := "up"
		switch {
		case len(dark) > 0:
			state = "degraded (" + strings.Join(dark, ", ") + " not metering)"
		case len(silent) > 0:
			state = "degraded (" + strings.Join(silent, ", ") + " silent)"
		}
		fmt.Fprintf(w, "Tap %s is %s, ifIndex %d\n", t.Name, state, t.IfIndex)
		for _, f := range t.Fibres {
			port := f.Port
			if port == "" {
				port = "-"
			}
			fmt.Fprintf(w, "  Fibre %s %s is %s\n", f.Side, port, f.state())
			fmt.Fprintf(w, "    %s\n", f.role(t.Name))
			if f.Present {
				fmt.Fprintf(w, "    last input %s\n", f.lastInput())
			}
			fmt.Fprintf(w, "    %d flows expired, %d packets, %d bytes\n", f.Flows, f.Packets, f.Bytes)
		}
	}
}

// BiflowView is the cache as conversations: each record carries both
// directions (flow.Record.Reverse), as package biflow pairs them.
type BiflowView struct {
	Flows []flow.Record
	// Link names a record's observation point: the tap's link or the port.
	Link func(r *flow.Record) string
}

// IPCacheBiflow renders `show ip cache biflow`: one line per
// conversation, the initiator first (an arbitrary orientation, the two
// sides seen within one clock tick, is marked ~), with both directions'
// packets and bytes.
func IPCacheBiflow(w io.Writer, v BiflowView) {
	fmt.Fprintln(w, "Link          Initiator       IPort Responder       RPort Pr  Pkts->   <-Pkts  Bytes->    <-Bytes")
	n := 0
	for i := range v.Flows {
		r := &v.Flows[i]
		mark := " "
		if r.Biflow == flow.BiflowArbitrary {
			mark = "~"
		}
		// An address wider than its column (IPv6) pushes the row on
		// but keeps a space after it, so it never runs into the port.
		fmt.Fprintf(w, "%-14s%-15s %04X%s %-15s %04X  %02X %7d  %7d %8d   %8d\n", cut(v.Link(r), 13), addr(r.SrcAddr), r.SrcPort, mark,
			addr(r.DstAddr), r.DstPort, r.Proto, r.Packets, r.Reverse.Packets, r.Bytes, r.Reverse.Bytes)
		n++
	}
	fmt.Fprintf(w, "%d conversations (~: both sides began within one clock tick, orientation guessed)\n", n)
}

// BiflowJSON is `show ip cache biflow | json`: one row per conversation
// with both directions' counters.
func BiflowJSON(v BiflowView) any {
	type row struct {
		Link                    string
		Initiator               string
		InitiatorPort           uint16
		Responder               string
		ResponderPort           uint16
		Protocol                uint8
		Packets, ReversePackets uint64
		Bytes, ReverseBytes     uint64
		OrientationGuessed      bool
	}
	rows := []row{}
	for i := range v.Flows {
		r := &v.Flows[i]
		rows = append(rows, row{v.Link(r), addr(r.SrcAddr), r.SrcPort, addr(r.DstAddr), r.DstPort, r.Proto,
			r.Packets, r.Reverse.Packets, r.Bytes, r.Reverse.Bytes, r.Biflow == flow.BiflowArbitrary})
	}
	return map[string]any{"Conversations": len(rows), "TABLE_conversation": map[string]any{"ROW_conversation": rows}}
}
