package flowcache

import "github.com/flowtap/flowtap/appliance/flow"

// Protocol is a row of the `show ip cache flow` protocol table. Values are
// the CISCO-NETFLOW-MIB NfProtocolTypes enum (SRC, vendor-behaviour.md
// 5.1), so they index cnfPSProtocolStatTable as they are.
type Protocol uint8

const (
	ProtoTCPTelnet Protocol = iota + 1
	ProtoTCPFTP
	ProtoTCPFTPD
	ProtoTCPWWW
	ProtoTCPSMTP
	ProtoTCPX
	ProtoTCPBGP
	ProtoTCPNNTP
	ProtoTCPFrag
	ProtoTCPOther
	ProtoUDPDNS
	ProtoUDPNTP
	ProtoUDPTFTP
	ProtoUDPFrag
	ProtoUDPOther
	ProtoICMP
	ProtoIGMP
	ProtoIPinIP
	ProtoIPv6inIP
	ProtoGRE
	ProtoIPOther

	// NumProtocols sizes tables indexed by Protocol (index 0 is unused).
	NumProtocols = int(ProtoIPOther) + 1
)

var protocolNames = [NumProtocols]string{
	"", "TCP-Telnet", "TCP-FTP", "TCP-FTPD", "TCP-WWW", "TCP-SMTP", "TCP-X",
	"TCP-BGP", "TCP-NNTP", "TCP-Frag", "TCP-other", "UDP-DNS", "UDP-NTP",
	"UDP-TFTP", "UDP-Frag", "UDP-other", "ICMP", "IGMP", "IPINIP", "IPv6INIP",
	"GRE", "IP-other",
}

// String is the row label IOS prints.
func (p Protocol) String() string {
	if int(p) < NumProtocols && p != 0 {
		return protocolNames[p]
	}
	return "unknown"
}

// IP protocol numbers the classifier needs.
const (
	ipICMP   = 1
	ipIGMP   = 2
	ipIPinIP = 4
	ipTCP    = 6
	ipUDP    = 17
	ipIPv6   = 41
	ipGRE    = 47
	ipICMPv6 = 58
)

// Classify picks the protocol row for a flow key. IOS does not publish its
// rules; ours are:
//   - TCP/UDP with both ports 0 is "Frag": a non-first fragment carries no
//     L4 header, so the datapath keys it with ports 0.
//   - Otherwise the destination port is tried first, then the source port,
//     so both directions of a conversation land in the server's row.
//   - TCP: 23 Telnet, 21 FTP, 20 FTPD (FTP data), 80 WWW, 25 SMTP,
//     6000-6063 X (X11 displays :0-:63), 179 BGP, 119 NNTP.
//   - UDP: 53 DNS, 123 NTP, 69 TFTP.
//   - ICMPv6 is counted as ICMP: the table predates IPv6 and has no row for it.
func Classify(k *flow.Key) Protocol {
	switch k.Proto {
	case ipTCP:
		if k.SrcPort == 0 && k.DstPort == 0 {
			return ProtoTCPFrag
		}
		if p := tcpService(k.DstPort); p != 0 {
			return p
		}
		if p := tcpService(k.SrcPort); p != 0 {
			return p
		}
		return ProtoTCPOther
	case ipUDP:
		if k.SrcPort == 0 && k.DstPort == 0 {
			return ProtoUDPFrag
		}
		if p := udpService(k.DstPort); p != 0 {
			return p
		}
		if p := udpService(k.SrcPort); p != 0 {
			return p
		}
		return ProtoUDPOther
	case ipICMP, ipICMPv6:
		return ProtoICMP
	case ipIGMP:
		return ProtoIGMP
	case ipIPinIP:
		return ProtoIPinIP
	case ipIPv6:
		return ProtoIPv6inIP
	case ipGRE:
		return ProtoGRE
	}
	return ProtoIPOther
}

func tcpService(port uint16) Protocol {
	switch {
	case port == 23:
		return ProtoTCPTelnet
	case port == 21:
		return ProtoTCPFTP
	case port == 20:
		return ProtoTCPFTPD
	case port == 80:
		return ProtoTCPWWW
	case port == 25:
		return ProtoTCPSMTP
	case port >= 6000 && port <= 6063:
		return ProtoTCPX
	case port == 179:
		return ProtoTCPBGP
	case port == 119:
		return ProtoTCPNNTP
	}
	return 0
}

func udpService(port uint16) Protocol {
	switch port {
	case 53:
		return ProtoUDPDNS
	case 123:
		return ProtoUDPNTP
	case 69:
		return ProtoUDPTFTP
	}
	return 0
}
