package show

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
)

// `| display xml` for the screens an NMS scrapes: Junos's element names
// for each (services-accounting-information's from the Junos 9.3 XML
// reference [SRC]; interface-information's terse form [RECALL]), in
// Junos's rpc-reply with the version-free namespaces Junos's NETCONF
// uses (flowtap is not a Junos release). Values are not wrapped in
// newlines as some Junos releases do: a parser reads either.

// xmlWriter writes indented elements, four spaces a level.
type xmlWriter struct {
	w     io.Writer
	depth int
}

func (x *xmlWriter) open(name string, attrs ...string) {
	fmt.Fprintf(x.w, "%s<%s", strings.Repeat("    ", x.depth), name)
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(x.w, " %s=\"%s\"", attrs[i], escapeXML(attrs[i+1]))
	}
	fmt.Fprintln(x.w, ">")
	x.depth++
}

func (x *xmlWriter) close(name string) {
	x.depth--
	fmt.Fprintf(x.w, "%s</%s>\n", strings.Repeat("    ", x.depth), name)
}

func (x *xmlWriter) leaf(name string, v any) {
	fmt.Fprintf(x.w, "%s<%s>%s</%s>\n", strings.Repeat("    ", x.depth), name, escapeXML(fmt.Sprint(v)), name)
}

func escapeXML(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) //nolint:errcheck // a strings.Builder does not fail
	return b.String()
}

// rpcReply wraps body in Junos's rpc-reply, its top element in the
// namespace ns (junos-jflow, junos-interface), with the cli trailer.
func rpcReply(w io.Writer, top, ns string, attrs []string, body func(*xmlWriter)) {
	x := &xmlWriter{w: w}
	x.open("rpc-reply", "xmlns:junos", "http://xml.juniper.net/junos/*/junos")
	x.open(top, append([]string{"xmlns", "http://xml.juniper.net/junos/*/" + ns}, attrs...)...)
	body(x)
	x.close(top)
	x.open("cli")
	x.leaf("banner", "")
	x.close("cli")
	x.close("rpc-reply")
}

// ServicesAccountingFlowXML is `show services accounting flow | display
// xml`: the text screen's numbers under Junos's names.
func ServicesAccountingFlowXML(w io.Writer, v AccountingView) {
	f := AccountingFlowOf(v)
	rpcReply(w, "services-accounting-information", "junos-jflow", nil, func(x *xmlWriter) {
		x.open("flow-information")
		x.leaf("interface-name", "xdp-0/0/0")
		x.leaf("local-ifd-index", 0)
		for _, l := range []struct {
			name string
			v    uint64
		}{
			{"flow-packets", f.FlowPackets}, {"flow-bytes", f.FlowBytes},
			{"flow-packets-ten-second-rate", f.FlowPackets10sRate}, {"flow-bytes-ten-second-rate", f.FlowBytes10sRate},
			{"active-flows", f.ActiveFlows}, {"flows", f.TotalFlows},
			{"flows-exported", f.FlowsExported}, {"flow-packets-exported", f.FlowsPacketsExported},
			{"flows-expired", f.FlowsInactiveTimedOut}, {"flows-aged", f.FlowsActiveTimedOut},
		} {
			x.leaf(l.name, l.v)
		}
		x.close("flow-information")
	})
}

// JunosInterfacesTerseXML is `show interfaces terse | display xml`: each
// port's states, and its addresses under its unit 0 by family, as
// Junos's logical interface carries them.
func JunosInterfacesTerseXML(w io.Writer, ifs []Interface) {
	rpcReply(w, "interface-information", "junos-interface", []string{"junos:style", "terse"}, func(x *xmlWriter) {
		for _, i := range ifs {
			x.open("physical-interface")
			x.leaf("name", i.Name)
			x.leaf("admin-status", upDown(i.AdminUp))
			x.leaf("oper-status", upDown(i.Carrier))
			if len(i.Addrs) > 0 {
				x.open("logical-interface")
				x.leaf("name", i.Name+".0")
				x.leaf("admin-status", upDown(i.AdminUp))
				x.leaf("oper-status", upDown(i.Carrier))
				addrs := slices.Clone(i.Addrs)
				slices.SortStableFunc(addrs, func(a, b netip.Prefix) int { return strings.Compare(family(a), family(b)) })
				for k := 0; k < len(addrs); {
					fam := family(addrs[k])
					x.open("address-family")
					x.leaf("address-family-name", fam)
					for ; k < len(addrs) && family(addrs[k]) == fam; k++ {
						x.open("interface-address")
						x.leaf("ifa-local", addrs[k].String())
						x.close("interface-address")
					}
					x.close("address-family")
				}
				x.close("logical-interface")
			}
			x.close("physical-interface")
		}
	})
}
