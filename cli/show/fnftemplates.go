package show

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/platform"
)

// FlowExporterTemplates is `show flow exporter [NAME] templates`: per
// exporter, each template its destination sends, with its fields in wire
// order, their field type (v9) or element id and enterprise (IPFIX),
// offset in the record and size. Layout [RECALL]: IOS-XE's, a block per
// template under the exporter's name (Client, Exporter Format, Template
// ID, Source ID, Record Size, then the field table); IOS-XE prints the
// table the same for options templates, their scope fields first. The
// names are the FNF phrases the field answers to (`collect ...`,
// `match ...`); a field FNF has no phrase for is named by its IANA
// name. An exporter no monitor exports through, or one exporting v5,
// has no template: its name line only, as IOS-XE prints it.
func FlowExporterTemplates(w io.Writer, v FNFView) {
	for _, e := range v.Exporters {
		fmt.Fprintf(w, "Flow Exporter %s:\n", e.Name)
		for _, t := range e.Templates {
			fmt.Fprintf(w, "  Client: %s\n", t.Client)
			fmt.Fprintf(w, "  Exporter Format: %s\n", protocolName(e.Protocol))
			size := 0
			for _, f := range t.Fields {
				size += int(f.Length)
			}
			fmt.Fprintf(w, "  Template ID    : %d\n", t.ID)
			fmt.Fprintf(w, "  Source ID      : %d\n", t.SourceID)
			fmt.Fprintf(w, "  Record Size    : %d\n", size)
			fmt.Fprintln(w, "  Template layout")
			family := 4
			if slices.ContainsFunc(t.Fields, func(f FNFTemplateField) bool { return f.IE == 27 || f.IE == 28 }) {
				family = 6
			}
			ipfix := e.Protocol == platform.IPFIX
			rule := 69
			if ipfix {
				rule = 77
			}
			fmt.Fprintf(w, "  %s\n", strings.Repeat("_", rule))
			if ipfix {
				fmt.Fprintf(w, "  |%s|%s|%s|%s|%s|\n", "                 Field                   ", "    ID ", " Ent.ID ", " Offset ", "  Size ")
			} else {
				fmt.Fprintf(w, "  |%s|%s|%s|%s|\n", "                 Field                   ", "  Type ", " Offset ", "  Size  ")
			}
			fmt.Fprintf(w, "  %s\n", strings.Repeat("-", rule))
			off := 0
			for _, f := range t.Fields {
				name := FNFFieldName(f, family, ipfix)
				if ipfix {
					ent := ""
					if f.Enterprise != 0 {
						ent = fmt.Sprint(f.Enterprise)
					}
					fmt.Fprintf(w, "  | %-40s| %5d | %6s | %5d  | %5d |\n", name, f.IE, ent, off, f.Length)
				} else {
					fmt.Fprintf(w, "  | %-40s| %5d | %5d  | %5d  |\n", name, f.IE, off, f.Length)
				}
				off += int(f.Length)
			}
			fmt.Fprintf(w, "  %s\n", strings.Repeat("-", rule))
			fmt.Fprintln(w)
		}
	}
}

// fnfNames are the FNF phrases of the elements flowtap's templates carry,
// by IE [RECALL: IOS-XE's template tables name fields by their match and
// collect phrases; the snmp interface fields and the long counters as
// below]. Family-specific ones are filled in by FNFFieldName.
var fnfNames = map[uint16]string{
	1: "counter bytes", 2: "counter packets", 3: "counter flows",
	6: "transport tcp flags", 7: "transport source-port", 11: "transport destination-port",
	10: "interface input snmp", 14: "interface output snmp",
	8: "ipv4 source address", 12: "ipv4 destination address", 9: "ipv4 source mask", 13: "ipv4 destination mask",
	15: "routing next-hop address ipv4", 18: "routing next-hop address ipv4 bgp",
	16: "routing source as", 17: "routing destination as",
	21: "timestamp sys-uptime last", 22: "timestamp sys-uptime first",
	152: "timestamp absolute first", 153: "timestamp absolute last",
	27: "ipv6 source address", 28: "ipv6 destination address", 29: "ipv6 source mask", 30: "ipv6 destination mask",
	62: "routing next-hop address ipv6", 63: "routing next-hop address ipv6 bgp",
	31: "ipv6 flow-label", 64: "ipv6 extension map",
	25: "ipv4 total-length minimum", 26: "ipv4 total-length maximum",
	54: "ipv4 id", 88: "ipv4 fragmentation offset", 197: "ipv4 fragmentation flags",
	48: "flow sampler", 49: "sampler algorithm export", 50: "sampler interval",
	56: "datalink mac source address input", 80: "datalink mac destination address input",
	58: "datalink dot1q vlan input", 59: "datalink dot1q vlan output",
	61: "flow direction", 136: "flow end-reason", 95: "application name",
	82: "interface name", 96: "application name",
	// No FNF phrase: IANA's names (ICMP_TYPE, RFC 3954's, for v9).
	32: "icmpTypeCodeIPv4", 139: "icmpTypeCodeIPv6", 60: "ipVersion", 239: "biflowDirection",
	245: "dot1qCustomerVlanId", 255: "postDot1qCustomerVlanId", 70: "mplsTopLabelStackSection",
	71: "mplsLabelStackSection2", 72: "mplsLabelStackSection3",
	40: "exportedOctetTotalCount", 41: "exportedMessageTotalCount", 42: "exportedFlowRecordTotalCount",
	130: "exporterIPv4Address", 131: "exporterIPv6Address", 166: "notSentFlowTotalCount", 167: "notSentPacketTotalCount",
	211: "collectorIPv4Address", 212: "collectorIPv6Address", 216: "collectorTransportPort", 217: "exporterTransportPort",
}

// v9Scopes are RFC 3954's scope field types: a v9 options template's
// scope fields are these, not information elements.
var v9Scopes = map[uint16]string{1: "scope system", 2: "scope interface", 3: "scope line card", 4: "scope cache", 5: "scope template"}

// FNFFieldName is the name `show flow exporter templates` gives a field
// of a template of family 4 or 6, exported v9 or (ipfix) IPFIX.
func FNFFieldName(f FNFTemplateField, family int, ipfix bool) string {
	fam := fmt.Sprintf("ipv%d", family)
	switch {
	case f.Scope && !ipfix:
		if n, ok := v9Scopes[f.IE]; ok {
			return n
		}
		return fmt.Sprintf("scope %d", f.IE)
	case f.Enterprise == 29305:
		// RFC 5103's reverse elements: the forward one's name.
		fwd := f
		fwd.Enterprise = 0
		return FNFFieldName(fwd, family, ipfix) + " (reverse)"
	case f.Enterprise != 0:
		return fmt.Sprintf("enterprise %d element %d", f.Enterprise, f.IE)
	case f.IE == 32 && !ipfix:
		// v9's ICMP_TYPE carries type and code for both families;
		// IPFIX's 32 is the IPv4 one.
		return "ICMP_TYPE"
	case f.IE == 4:
		return fam + " protocol"
	case f.IE == 5 && family == 6:
		return "ipv6 traffic-class"
	case f.IE == 5:
		return "ipv4 tos"
	case f.IE == 52 && family == 6:
		return "ipv6 hop-limit minimum"
	case f.IE == 53 && family == 6:
		return "ipv6 hop-limit maximum"
	case f.IE == 52:
		return "ipv4 ttl minimum"
	case f.IE == 53:
		return "ipv4 ttl maximum"
	case (f.IE == 1 || f.IE == 2) && f.Length == 8:
		return fnfNames[f.IE] + " long"
	}
	if n, ok := fnfNames[f.IE]; ok {
		return n
	}
	return fmt.Sprintf("field %d", f.IE)
}
