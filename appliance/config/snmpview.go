package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// viewNames are the OID-tree names `snmp-server view` takes besides dotted
// numbers: the SMI's top (RFC 1155, RFC 2578) and the MIB-II groups an
// operator names in a view (as IOS resolves them from its MIBs).
var viewNames = map[string]string{
	"iso":              "1",
	"org":              "1.3",
	"dod":              "1.3.6",
	"internet":         "1.3.6.1",
	"mgmt":             "1.3.6.1.2",
	"mib-2":            "1.3.6.1.2.1",
	"system":           "1.3.6.1.2.1.1",
	"interfaces":       "1.3.6.1.2.1.2",
	"at":               "1.3.6.1.2.1.3",
	"ip":               "1.3.6.1.2.1.4",
	"icmp":             "1.3.6.1.2.1.5",
	"tcp":              "1.3.6.1.2.1.6",
	"udp":              "1.3.6.1.2.1.7",
	"transmission":     "1.3.6.1.2.1.10",
	"snmp":             "1.3.6.1.2.1.11",
	"host":             "1.3.6.1.2.1.25",
	"ifMIB":            "1.3.6.1.2.1.31",
	"private":          "1.3.6.1.4",
	"enterprises":      "1.3.6.1.4.1",
	"cisco":            "1.3.6.1.4.1.9",
	"ucdavis":          "1.3.6.1.4.1.2021",
	"snmpV2":           "1.3.6.1.6",
	"snmpModules":      "1.3.6.1.6.3",
	"snmpFrameworkMIB": "1.3.6.1.6.3.10",
	"snmpUsmMIB":       "1.3.6.1.6.3.15",
	"snmpVacmMIB":      "1.3.6.1.6.3.16",
}

// ViewOID turns a view subtree as typed (dotted numbers, or a name of
// viewNames, optionally followed by .N... as in `system.5`) into its
// numbers.
func ViewOID(s string) ([]uint32, error) {
	head, tail, _ := strings.Cut(s, ".")
	if n, ok := viewNames[head]; ok {
		s = n
		if tail != "" {
			s += "." + tail
		}
	}
	if s == "" || len(s) > 512 {
		return nil, errors.New("an OID tree is dotted numbers or a MIB name such as iso, mib-2, system")
	}
	parts := strings.Split(s, ".")
	if len(parts) > 128 {
		return nil, errors.New("an OID has at most 128 sub-identifiers")
	}
	out := make([]uint32, 0, len(parts))
	for _, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not an OID tree: dotted numbers or a MIB name such as iso, mib-2, system", s)
		}
		out = append(out, uint32(v))
	}
	return out, nil
}

// FormatOID writes an OID as dotted numbers.
func FormatOID(o []uint32) string {
	var b strings.Builder
	for i, v := range o {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(v), 10))
	}
	return b.String()
}

// CheckViewOID accepts a view subtree as typed.
func CheckViewOID(s string) error {
	_, err := ViewOID(s)
	return err
}
