package show

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Interface is one link as `show interfaces` and `show ip interface
// brief` print it: the kernel's state and counters, and what the meter
// does on it.
type Interface struct {
	Name string
	// Index is the kernel's ifindex: IF-MIB's ifIndex, and JunOS's
	// Interface index and SNMP ifIndex.
	Index       uint32
	AdminUp     bool // IFF_UP
	Carrier     bool // IFF_LOWER_UP / IFF_RUNNING
	ProtocolUp  bool // operational state up
	Hardware    string
	MAC         net.HardwareAddr
	Description string
	Addrs       []netip.Prefix
	// Leased are the addresses a DHCP client holds (a finite lifetime,
	// as the image's management port gets): Method DHCP in show ip
	// interface brief, not manual.
	Leased    []netip.Addr
	MTU       uint32
	SpeedMbps uint32 // 0: the driver does not say
	Duplex    string // "full", "half" or "" when unknown
	// Metering is how the meter runs on the port ("passive tap, XDP
	// native"), "" when not metered.
	Metering string
	// XDPDrops counts the frames XDP dropped on the port, as the driver
	// reports them (ethtool's *xdp_drops): on a tap port, every frame the
	// meter saw. HasXDPDrops is false when the driver does not count them.
	XDPDrops    uint64
	HasXDPDrops bool

	// CarrierTransitions is the kernel's carrier_changes: each time the
	// link went up or down (JunOS's Carrier transitions).
	CarrierTransitions uint64
	// LastFlapped is when the daemon saw the link's state change; zero
	// when it has not (JunOS's "Never", and left out of | json).
	LastFlapped time.Time `json:",omitzero"`
	// Rates are bits and packets per second over the interval since the
	// previous look at the counters; HasRate is false on the first.
	HasRate                      bool
	InBps, OutBps, InPps, OutPps uint64

	RxPackets, RxBytes, RxMulticast, RxErrors, RxCRC, RxFrame, RxOverrun, RxMissed, RxDropped uint64
	TxPackets, TxBytes, TxErrors, TxDropped, Collisions, TxCarrier                            uint64
}

// DottedMAC prints a MAC address as IOS does: aabb.cc00.0100.
func DottedMAC(mac net.HardwareAddr) string {
	if len(mac) != 6 {
		return mac.String()
	}
	return fmt.Sprintf("%02x%02x.%02x%02x.%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5])
}

func (i Interface) status() string {
	switch {
	case !i.AdminUp:
		return "administratively down"
	case i.Carrier:
		return "up"
	}
	return "down"
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// ShowInterfaces renders `show interfaces`, IOS's layout with the
// counters Linux keeps. Frames a tap port drops in XDP after metering get
// their own line, not IOS's "no buffer" (which is the receive ring
// overflowing: rx_missed_errors), nor the kernel's input drops.
func ShowInterfaces(w io.Writer, ifs []Interface) {
	for _, i := range ifs {
		fmt.Fprintf(w, "%s is %s, line protocol is %s\n", i.Name, i.status(), upDown(i.ProtocolUp))
		hw := i.Hardware
		if hw == "" {
			hw = "Ethernet"
		}
		if len(i.MAC) > 0 {
			fmt.Fprintf(w, "  Hardware is %s, address is %s (bia %s)\n", hw, DottedMAC(i.MAC), DottedMAC(i.MAC))
		} else {
			fmt.Fprintf(w, "  Hardware is %s\n", hw)
		}
		if i.Description != "" {
			fmt.Fprintf(w, "  Description: %s\n", i.Description)
		}
		n := 0
		for _, a := range i.Addrs {
			if !a.Addr().Is4() {
				continue // IOS shows IPv6 under show ipv6 interface
			}
			n++
			if n == 1 {
				fmt.Fprintf(w, "  Internet address is %s\n", a)
			} else {
				fmt.Fprintf(w, "  Secondary address %s\n", a)
			}
		}
		bw := "unknown"
		if i.SpeedMbps > 0 {
			bw = fmt.Sprintf("%d Kbit/sec", uint64(i.SpeedMbps)*1000)
		}
		fmt.Fprintf(w, "  MTU %d bytes, BW %s\n", i.MTU, bw)
		if i.SpeedMbps > 0 || i.Duplex != "" {
			d := "Unknown-duplex"
			switch i.Duplex {
			case "full":
				d = "Full-duplex"
			case "half":
				d = "Half-duplex"
			}
			sp := "unknown speed"
			if i.SpeedMbps > 0 {
				sp = fmt.Sprintf("%dMb/s", i.SpeedMbps)
			}
			fmt.Fprintf(w, "  %s, %s\n", d, sp)
		}
		if i.Metering != "" {
			fmt.Fprintf(w, "  NetFlow: %s\n", i.Metering)
		}
		fmt.Fprintf(w, "     %d packets input, %d bytes, %d no buffer\n", i.RxPackets, i.RxBytes, i.RxMissed)
		fmt.Fprintf(w, "     Received %d multicasts\n", i.RxMulticast)
		fmt.Fprintf(w, "     %d input errors, %d CRC, %d frame, %d overrun\n", i.RxErrors, i.RxCRC, i.RxFrame, i.RxOverrun)
		fmt.Fprintf(w, "     %d input drops\n", i.RxDropped)
		if i.HasXDPDrops {
			fmt.Fprintf(w, "     %d XDP drops (tap: dropped after metering)\n", i.XDPDrops)
		}
		fmt.Fprintf(w, "     %d packets output, %d bytes\n", i.TxPackets, i.TxBytes)
		fmt.Fprintf(w, "     %d output errors, %d collisions, %d output drops\n", i.TxErrors, i.Collisions, i.TxDropped)
		fmt.Fprintf(w, "     %d lost carrier\n", i.TxCarrier)
	}
}

// ShowIPInterfaceBrief renders `show ip interface brief`.
func ShowIPInterfaceBrief(w io.Writer, ifs []Interface) {
	fmt.Fprintf(w, "%-26s %-15s %-3s %-6s %-21s %s\n", "Interface", "IP-Address", "OK?", "Method", "Status", "Protocol")
	for _, b := range briefRows(ifs) {
		fmt.Fprintf(w, "%-26s %-15s %-3s %-6s %-21s %s\n", b.Interface, b.IPAddress, b.OK, b.Method, b.Status, b.Protocol)
	}
}

// briefRow is a line of `show ip interface brief`, for its text and JSON.
type briefRow struct {
	Interface, IPAddress, OK, Method, Status, Protocol string
}

func briefRows(ifs []Interface) []briefRow {
	out := []briefRow{}
	for _, i := range ifs {
		addr, method := "unassigned", "unset"
		for _, a := range i.Addrs {
			if a.Addr().Is4() {
				addr, method = a.Addr().String(), "manual"
				if slices.Contains(i.Leased, a.Addr()) {
					method = "DHCP"
				}
				break
			}
		}
		out = append(out, briefRow{i.Name, addr, "YES", method, i.status(), upDown(i.ProtocolUp)})
	}
	return out
}

// IPInterfaceBriefJSON is `show ip interface brief | json`.
func IPInterfaceBriefJSON(ifs []Interface) any {
	return map[string]any{"TABLE_interface": map[string]any{"ROW_interface": briefRows(ifs)}}
}

// ClockView is `show clock [detail]`: the time on the configured clock
// (`clock timezone`, `clock summer-time`), whether NTP set it, and when
// summer time next starts and ends, each on the clock it is read on
// (zero without summer time).
type ClockView struct {
	Now                    time.Time
	Synced                 bool // NTP keeps the clock
	SyncLost               bool // NTP set it but no longer keeps it
	SummerStart, SummerEnd time.Time
	NTP                    NTPStatus
}

// NTPStatus is the NTP client's last poll, for `show ntp status`.
type NTPStatus struct {
	Servers int    // configured `ntp server`s
	Server  string // the server of the last poll, "" before any
	Stratum uint8  // its stratum, when it answered
	Offset  time.Duration
	When    time.Time // the poll, on the configured clock
	Err     string    // why the last poll failed, "" if it did not
	// Poll is the time between polls; Associations the configured
	// servers, for `show ntp associations`.
	Poll         time.Duration
	Associations []NTPAssociation
}

// NTPAssociation is one configured server as the NTP client knows it.
type NTPAssociation struct {
	Address string
	InUse   bool  // the clock's time comes from it (sys.peer)
	Reach   uint8 // the reach register: a bit per poll, 1 if it answered
	// Heard: it has answered; Since, RefID, Stratum, Delay, Offset and
	// Dispersion are from its last answer.
	Heard                     bool
	Since                     time.Duration
	RefID                     string
	Stratum                   uint8
	Delay, Offset, Dispersion time.Duration
}

// NTPAssociations renders `show ntp associations` in IOS's layout: one
// line per configured server (all are "~"), "*" on the one in use, times
// in milliseconds. A server never heard from is IOS's .INIT., stratum 16,
// with the 16 s dispersion NTP gives a peer with no sample.
func NTPAssociations(w io.Writer, v ClockView) {
	n := v.NTP
	fmt.Fprintln(w, "  address         ref clock       st   when   poll reach  delay  offset   disp")
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	for _, a := range n.Associations {
		mark := " "
		if a.InUse {
			mark = "*"
		}
		if !a.Heard {
			fmt.Fprintf(w, "%s~%-16s%-16s%2d%7s%7d%6o%7.3f%8.3f %6s\n", mark, a.Address, ".INIT.", 16, "-",
				int(n.Poll/time.Second), a.Reach, 0.0, 0.0, "16000.")
			continue
		}
		fmt.Fprintf(w, "%s~%-16s%-16s%2d%7d%7d%6o%7.3f%8.3f%7.3f\n", mark, a.Address, a.RefID, a.Stratum,
			int(a.Since/time.Second), int(n.Poll/time.Second), a.Reach, ms(a.Delay), ms(a.Offset), ms(a.Dispersion))
	}
	fmt.Fprintln(w, " * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured")
}

// NTPStatusScreen renders `show ntp status` in IOS's words: synchronized
// or not, the stratum (the server's plus one) and reference, when it was
// last heard from and the offset it measured.
func NTPStatusScreen(w io.Writer, v ClockView) {
	n := v.NTP
	if v.Synced && n.Err == "" && n.Server != "" {
		fmt.Fprintf(w, "Clock is synchronized, stratum %d, reference is %s\n", n.Stratum+1, n.Server)
	} else {
		fmt.Fprintln(w, "Clock is unsynchronized, stratum 16, no reference clock")
	}
	switch {
	case n.Servers == 0:
		fmt.Fprintln(w, "No NTP server is configured (ntp server ADDRESS)")
		return
	case n.Server == "":
		fmt.Fprintln(w, "No NTP server polled yet")
		return
	}
	when := n.When.Format(clockLayout)
	if n.Err != "" {
		fmt.Fprintf(w, "last poll %s: no time from %s (%s)\n", when, n.Server, n.Err)
		return
	}
	fmt.Fprintf(w, "reference time is %s\n", when)
	fmt.Fprintf(w, "clock offset is %.4f msec\n", float64(n.Offset)/float64(time.Millisecond))
}

const clockLayout = "15:04:05.000 MST Mon Jan 2 2006"

// Clock renders `show clock`: "*" marks a time no NTP server has set, as
// IOS marks a clock that is not authoritative, and "." one NTP set but
// no longer keeps synchronised.
func Clock(w io.Writer, v ClockView) {
	mark := "*"
	switch {
	case v.Synced:
		mark = ""
	case v.SyncLost:
		mark = "."
	}
	fmt.Fprintf(w, "%s%s\n", mark, v.Now.Format(clockLayout))
}

// ClockDetail renders `show clock detail`: the time, its source and the
// summer time's next start and end.
func ClockDetail(w io.Writer, v ClockView) {
	Clock(w, v)
	if v.Synced || v.SyncLost {
		fmt.Fprintln(w, "Time source is NTP")
	} else {
		fmt.Fprintln(w, "No time source")
	}
	if !v.SummerStart.IsZero() {
		fmt.Fprintf(w, "Summer time starts %s\n", v.SummerStart.Format("15:04:05 MST Mon Jan 2 2006"))
		fmt.Fprintf(w, "Summer time ends %s\n", v.SummerEnd.Format("15:04:05 MST Mon Jan 2 2006"))
	}
}

// SNMPView is the agent's counters, for `show snmp`.
type SNMPView struct {
	Enabled                                                                bool
	Contact, Location                                                      string
	InPkts, OutPkts                                                        uint64
	InBadVersions, InBadCommunityNames, InBadCommunityUses, InASNParseErrs uint64
	// SNMPv3: unknown user names (less the refusals below) and requests
	// refused by the user's or group's access list; flowtap's lines.
	InUnknownUserNames, InUserACLRefused                      uint64
	InTotalReqVars, InTotalSetVars                            uint64
	InGetRequests, InGetNexts, InSetRequests, InputQueueDrops uint64
	OutTooBigs, OutNoSuchNames, OutBadValues, OutGenErrs      uint64
	OutGetResponses, OutTraps                                 uint64
	// Logging is each notification host with what it was sent and what
	// was dropped (a trap not written, an inform given up).
	Logging []SNMPLogging
}

// SNMPLogging is one notification host of show snmp's "SNMP logging".
type SNMPLogging struct {
	Host          netip.AddrPort
	Sent, Dropped uint64
}

// SNMP renders `show snmp` in IOS's layout.
func SNMP(w io.Writer, v SNMPView) {
	if !v.Enabled {
		fmt.Fprintln(w, "%SNMP agent not enabled")
		return
	}
	if v.Contact != "" {
		fmt.Fprintf(w, "Contact: %s\n", v.Contact)
	}
	if v.Location != "" {
		fmt.Fprintf(w, "Location: %s\n", v.Location)
	}
	lines := []string{
		fmt.Sprintf("%d SNMP packets input", v.InPkts),
		fmt.Sprintf("    %d Bad SNMP version errors", v.InBadVersions),
		fmt.Sprintf("    %d Unknown community name", v.InBadCommunityNames),
		fmt.Sprintf("    %d Illegal operation for community name supplied", v.InBadCommunityUses),
		fmt.Sprintf("    %d Unknown user name", v.InUnknownUserNames),
		fmt.Sprintf("    %d Refused by user access-list", v.InUserACLRefused),
		fmt.Sprintf("    %d Encoding errors", v.InASNParseErrs),
		fmt.Sprintf("    %d Number of requested variables", v.InTotalReqVars),
		fmt.Sprintf("    %d Number of altered variables", v.InTotalSetVars),
		fmt.Sprintf("    %d Get-request PDUs", v.InGetRequests),
		fmt.Sprintf("    %d Get-next PDUs", v.InGetNexts),
		fmt.Sprintf("    %d Set-request PDUs", v.InSetRequests),
		fmt.Sprintf("    %d Input queue packet drops", v.InputQueueDrops),
		fmt.Sprintf("%d SNMP packets output", v.OutPkts),
		fmt.Sprintf("    %d Too big errors", v.OutTooBigs),
		fmt.Sprintf("    %d No such name errors", v.OutNoSuchNames),
		fmt.Sprintf("    %d Bad values errors", v.OutBadValues),
		fmt.Sprintf("    %d General errors", v.OutGenErrs),
		fmt.Sprintf("    %d Response PDUs", v.OutGetResponses),
		fmt.Sprintf("    %d Trap PDUs", v.OutTraps),
	}
	io.WriteString(w, strings.Join(lines, "\n")+"\n")
	// IOS's notification queue lines: its queue (0 of 10 here: flowtap
	// sends each notification as it comes), then each host as address
	// dot port.
	if len(v.Logging) == 0 {
		io.WriteString(w, "\nSNMP logging: disabled\n")
		return
	}
	io.WriteString(w, "\nSNMP logging: enabled\n")
	for _, l := range v.Logging {
		fmt.Fprintf(w, "    Logging to %s.%d, 0/10, %d sent, %d dropped.\n", l.Host.Addr(), l.Host.Port(), l.Sent, l.Dropped)
	}
}
