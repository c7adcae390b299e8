package show

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// JunosIfLevel is how much `show interfaces` prints of an interface.
type JunosIfLevel int

const (
	// JunosIfNormal is `show interfaces NAME`.
	JunosIfNormal JunosIfLevel = iota
	// JunosIfExtensive is `show interfaces NAME extensive`.
	JunosIfExtensive
	// JunosIfBrief is `show interfaces NAME brief`: the header lines
	// alone, no index, flap time, rates or counters (Junos's layout
	// from memory, not confirmed against a router).
	JunosIfBrief
	// JunosIfDetail is `show interfaces NAME detail`: the normal
	// screen with the traffic statistics in place of the rates, but
	// not the error counters extensive adds (from memory, not
	// confirmed).
	JunosIfDetail
)

// JunosInterfacesTerse renders `show interfaces terse` (vendor-behaviour.md
// 4.4). A Linux link has no logical units, so its family and addresses
// sit on its own line; a second address gets a line of its own under
// Local, as JunOS prints a unit's further addresses.
func JunosInterfacesTerse(w io.Writer, ifs []Interface) {
	row := func(name, admin, link, proto, local string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-24s%-6s%-5s%-9s%s", name, admin, link, proto, local), " "))
	}
	row("Interface", "Admin", "Link", "Proto", fmt.Sprintf("%-22s%s", "Local", "Remote"))
	for _, i := range ifs {
		if len(i.Addrs) == 0 {
			row(i.Name, upDown(i.AdminUp), upDown(i.Carrier), "", "")
			continue
		}
		// Junos lists a family's addresses together, inet first, and
		// names the family once, on its first address.
		addrs := slices.Clone(i.Addrs)
		slices.SortStableFunc(addrs, func(a, b netip.Prefix) int { return cmp.Compare(family(a), family(b)) })
		last := ""
		for n, a := range addrs {
			fam := family(a)
			if fam == last {
				fam = ""
			} else {
				last = fam
			}
			if n == 0 {
				row(i.Name, upDown(i.AdminUp), upDown(i.Carrier), fam, a.String())
			} else {
				row("", "", "", fam, a.String())
			}
		}
	}
}

// family is the Junos family an address is of: inet, inet6 (which sort
// in Junos's order).
func family(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "inet"
	}
	return "inet6"
}

// JunosInterfacesDescriptions renders `show interfaces descriptions`
// (vendor-behaviour.md 4.4): the interfaces that have a description, one
// line each; nothing at all when none has one.
func JunosInterfacesDescriptions(w io.Writer, ifs []Interface) {
	head := false
	for _, i := range ifs {
		if i.Description == "" {
			continue
		}
		if !head {
			fmt.Fprintf(w, "%-16s%-6s%-5s%s\n", "Interface", "Admin", "Link", "Description")
			head = true
		}
		fmt.Fprintf(w, "%-16s%-6s%-5s%s\n", i.Name, upDown(i.AdminUp), upDown(i.Carrier), i.Description)
	}
}

// JunosInterface renders `show interfaces NAME [brief | detail |
// extensive]`: the physical interface's header lines, its rates or, in
// detail, its traffic counters and, extensive, its error counters too: the kernel's, the same IOS's show
// interfaces and IF-MIB give.
func JunosInterface(w io.Writer, i Interface, level JunosIfLevel, now time.Time) {
	enabled := "Enabled"
	if !i.AdminUp {
		enabled = "Administratively down"
	}
	link := "Down"
	if i.Carrier {
		link = "Up"
	}
	fmt.Fprintf(w, "Physical interface: %s, %s, Physical link is %s\n", i.Name, enabled, link)
	if level != JunosIfBrief {
		fmt.Fprintf(w, "  Interface index: %d, SNMP ifIndex: %d\n", i.Index, i.Index)
	}
	if i.Description != "" {
		fmt.Fprintf(w, "  Description: %s\n", i.Description)
	}
	llt := "Ethernet"
	if i.Hardware == "Loopback" {
		llt = "Unspecified"
		fmt.Fprintf(w, "  Type: Loopback, Link-level type: %s, MTU: %d\n", llt, i.MTU)
	} else {
		mode := ""
		switch i.Duplex {
		case "full":
			mode = ", Link-mode: Full-duplex"
		case "half":
			mode = ", Link-mode: Half-duplex"
		}
		fmt.Fprintf(w, "  Link-level type: %s, MTU: %d%s, Speed: %s\n", llt, i.MTU, mode, junosSpeed(i.SpeedMbps))
	}
	flags := "Present"
	if i.Carrier {
		flags += " Running"
	} else {
		flags += " Down"
	}
	fmt.Fprintf(w, "  Device flags   : %s\n", flags)
	if level != JunosIfBrief {
		if len(i.MAC) > 0 {
			fmt.Fprintf(w, "  Current address: %s, Hardware address: %s\n", i.MAC, i.MAC)
		}
		fmt.Fprintf(w, "  Last flapped   : %s\n", junosFlapped(i.LastFlapped, now))
	}
	if i.Metering != "" {
		// flowtap's line: how the meter runs on the port.
		fmt.Fprintf(w, "  Flow monitoring: %s\n", i.Metering)
	}
	switch level {
	case JunosIfBrief:
		return
	case JunosIfNormal:
		fmt.Fprintf(w, "  Input rate     : %d bps (%d pps)\n", i.InBps, i.InPps)
		fmt.Fprintf(w, "  Output rate    : %d bps (%d pps)\n", i.OutBps, i.OutPps)
		return
	}
	fmt.Fprintln(w, "  Statistics last cleared: Never")
	fmt.Fprintln(w, "  Traffic statistics:")
	fmt.Fprintf(w, "   Input  bytes  : %20d %20d bps\n", i.RxBytes, i.InBps)
	fmt.Fprintf(w, "   Output bytes  : %20d %20d bps\n", i.TxBytes, i.OutBps)
	fmt.Fprintf(w, "   Input  packets: %20d %20d pps\n", i.RxPackets, i.InPps)
	fmt.Fprintf(w, "   Output packets: %20d %20d pps\n", i.TxPackets, i.OutPps)
	if level == JunosIfDetail {
		return
	}
	fmt.Fprintln(w, "  Input errors:")
	fmt.Fprintf(w, "    Errors: %d, Drops: %d, Framing errors: %d, CRC errors: %d, FIFO errors: %d, Resource errors: %d\n",
		i.RxErrors, i.RxDropped, i.RxFrame, i.RxCRC, i.RxOverrun, i.RxMissed)
	if i.HasXDPDrops {
		fmt.Fprintf(w, "    XDP drops: %d (tap: dropped after metering)\n", i.XDPDrops)
	}
	fmt.Fprintln(w, "  Output errors:")
	fmt.Fprintf(w, "    Carrier transitions: %d, Errors: %d, Drops: %d, Collisions: %d, Carrier errors: %d\n",
		i.CarrierTransitions, i.TxErrors, i.TxDropped, i.Collisions, i.TxCarrier)
}

// junosSpeed is a link speed as JunOS prints it: 100mbps, 1000mbps,
// 10Gbps.
func junosSpeed(mbps uint32) string {
	switch {
	case mbps == 0:
		return "Unspecified"
	case mbps >= 10000 && mbps%1000 == 0:
		return fmt.Sprintf("%dGbps", mbps/1000)
	}
	return fmt.Sprintf("%dmbps", mbps)
}

// junosFlapped is Last flapped's value: the time and how long ago, in
// JunOS's 1w2d 03:04 / 1d 03:04 / 03:04:05 forms.
func junosFlapped(at, now time.Time) string {
	if at.IsZero() {
		return "Never"
	}
	d := now.Sub(at)
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	days, h, m, sec := s/86400, s%86400/3600, s%3600/60, s%60
	ago := fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
	switch {
	case days >= 7:
		ago = fmt.Sprintf("%dw%dd %02d:%02d", days/7, days%7, h, m)
	case days > 0:
		ago = fmt.Sprintf("%dd %02d:%02d", days, h, m)
	}
	return fmt.Sprintf("%s (%s ago)", at.Format("2006-01-02 15:04:05 MST"), ago)
}

// JunosInterfacesJSON is `show interfaces [NAME] [terse | extensive] |
// display json`: every physical interface with all the numbers the
// extensive screen prints, whatever the level, named after Junos's XML
// elements (physical-interface, admin-status, oper-status, local-index,
// snmp-index, link-level-type) in lower_snake case.
func JunosInterfacesJSON(ifs []Interface) any {
	type traffic struct {
		InputBytes, InputBps, OutputBytes, OutputBps     uint64
		InputPackets, InputPps, OutputPackets, OutputPps uint64
	}
	type inErrors struct {
		InputErrors, InputDrops, FramingErrors, CRCErrors, FIFOErrors, ResourceErrors uint64
		XDPDrops                                                                      *uint64 `json:",omitempty"`
	}
	type outErrors struct {
		CarrierTransitions, OutputErrors, OutputDrops, OutputCollisions, CarrierErrors uint64
	}
	type phys struct {
		Name, AdminStatus, OperStatus string
		LocalIndex, SNMPIndex         uint32
		Description                   string `json:",omitempty"`
		LinkLevelType                 string
		MTU                           uint32
		Speed                         string
		LinkMode                      string `json:",omitempty"`
		CurrentPhysicalAddress        string `json:",omitempty"`
		HardwarePhysicalAddress       string `json:",omitempty"`
		InterfaceFlapped              string
		FlowMonitoring                string   `json:",omitempty"`
		Addresses                     []string `json:",omitempty"`
		TrafficStatistics             traffic
		InputErrorList                inErrors
		OutputErrorList               outErrors
	}
	out := []phys{}
	for _, i := range ifs {
		p := phys{Name: i.Name, AdminStatus: upDown(i.AdminUp), OperStatus: upDown(i.Carrier), LocalIndex: i.Index, SNMPIndex: i.Index,
			Description: i.Description, LinkLevelType: "Ethernet", MTU: i.MTU, Speed: junosSpeed(i.SpeedMbps), FlowMonitoring: i.Metering,
			InterfaceFlapped:  "Never",
			TrafficStatistics: traffic{i.RxBytes, i.InBps, i.TxBytes, i.OutBps, i.RxPackets, i.InPps, i.TxPackets, i.OutPps},
			InputErrorList:    inErrors{InputErrors: i.RxErrors, InputDrops: i.RxDropped, FramingErrors: i.RxFrame, CRCErrors: i.RxCRC, FIFOErrors: i.RxOverrun, ResourceErrors: i.RxMissed},
			OutputErrorList:   outErrors{i.CarrierTransitions, i.TxErrors, i.TxDropped, i.Collisions, i.TxCarrier},
		}
		if i.Hardware == "Loopback" {
			p.LinkLevelType = "Unspecified"
		}
		switch i.Duplex {
		case "full":
			p.LinkMode = "Full-duplex"
		case "half":
			p.LinkMode = "Half-duplex"
		}
		if len(i.MAC) > 0 {
			p.CurrentPhysicalAddress, p.HardwarePhysicalAddress = i.MAC.String(), i.MAC.String()
		}
		if !i.LastFlapped.IsZero() {
			p.InterfaceFlapped = i.LastFlapped.UTC().Format(time.RFC3339)
		}
		if i.HasXDPDrops {
			d := i.XDPDrops
			p.InputErrorList.XDPDrops = &d
		}
		for _, a := range i.Addrs {
			p.Addresses = append(p.Addresses, a.String())
		}
		out = append(out, p)
	}
	return map[string]any{"InterfaceInformation": map[string]any{"PhysicalInterface": out}}
}
