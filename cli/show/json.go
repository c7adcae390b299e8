package show

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// WriteJSON renders a show command's snapshot v as `| json` does: the
// same struct the text screen is drawn from, so both carry the same
// numbers, with its keys in NX-OS's lower_snake case (RxPackets becomes
// rx_packets). Numbers keep their exact digits (no float round trip).
// A screen's table is NX-OS's pair of keys, TABLE_x holding ROW_x, whose
// value here is always a list (NX-OS drops the list for one row, which
// every client then has to special-case).
func WriteJSON(w io.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%% JSON output failed: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return fmt.Errorf("%% JSON output failed: %v", err)
	}
	out, err := json.MarshalIndent(snakeKeys(tree), "", "  ")
	if err != nil {
		return fmt.Errorf("%% JSON output failed: %v", err)
	}
	w.Write(append(out, '\n'))
	return nil
}

func snakeKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[snake(k)] = snakeKeys(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = snakeKeys(e)
		}
		return t
	}
	return v
}

// snake turns a Go field name into lower_snake: an underscore before an
// upper-case letter that starts a word (BGPNextHop: bgp_next_hop).
func snake(s string) string {
	// NX-OS's table keys keep their form: TABLE_flow holds ROW_flow.
	if strings.HasPrefix(s, "TABLE_") || strings.HasPrefix(s, "ROW_") {
		return s
	}
	// IPv4 is one word, not I_pv4; ToS is tos, not to_s.
	s = strings.NewReplacer("IPv4", "Ipv4", "IPv6", "Ipv6", "ToS", "Tos").Replace(s)
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1]) && !pluralEnd(r, i+1)
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// pluralEnd says r[i] is the plural s of an acronym before it (VLANs,
// IDs): a lone s that ends the word, so VLANs is vlans, not vla_ns.
func pluralEnd(r []rune, i int) bool {
	return r[i] == 's' && unicode.IsUpper(r[i-1]) && (i+1 == len(r) || !unicode.IsLower(r[i+1]))
}

// InterfacesJSON is `show interfaces | json`'s snapshot, as NX-OS's
// TABLE_interface: the interfaces with their MAC in IOS's dotted form
// (net.HardwareAddr would marshal as base64).
func InterfacesJSON(ifs []Interface) any {
	type ifJSON struct {
		Interface
		MAC string
	}
	out := make([]ifJSON, len(ifs))
	for i, x := range ifs {
		out[i] = ifJSON{Interface: x, MAC: DottedMAC(x.MAC)}
	}
	return map[string]any{"TABLE_interface": map[string]any{"ROW_interface": out}}
}

// ExportJSON is `show ip flow export | json`'s snapshot: the export
// settings and a TABLE_destination, each destination's last error as its
// message (an error value would marshal as {}), "" when there was none.
func ExportJSON(v ExportView) any {
	type destJSON struct {
		ExportStats
		LastError string
	}
	type exportJSON struct {
		ExportView
		Destinations map[string]any `json:"TABLE_destination"`
		// RemovedSinceClear is what destinations removed since the
		// clear counted, which the screen's totals keep: a reader
		// summing the table would otherwise see them go back.
		RemovedSinceClear *ExportStats `json:",omitempty"`
	}
	dests := make([]destJSON, len(v.Destinations))
	for i, d := range v.Destinations {
		dests[i].ExportStats = d
		if d.LastError != nil {
			dests[i].LastError = d.LastError.Error()
		}
	}
	out := exportJSON{ExportView: v, Destinations: map[string]any{"ROW_destination": dests}}
	if removedCounted(v.Removed) {
		r := v.Removed
		out.RemovedSinceClear = &r
	}
	return out
}

// SNMPJSON is `show snmp | json`'s snapshot: the agent's counters, named
// after SNMPv2-MIB's (snmpInPkts is in_pkts), with the contact and the
// location; enabled false, and no counters, when no agent runs. The
// screen has no table, so neither has the JSON, as `show ip flow
// datapath | json`.
func SNMPJSON(v SNMPView) any {
	if !v.Enabled {
		return struct {
			Enabled bool
		}{}
	}
	return v
}
