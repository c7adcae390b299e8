package config

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// CheckHostname follows what IOS enforces: letters, digits and hyphens,
// a letter first, no hyphen last, at most 63 characters.
func CheckHostname(s string) error {
	if len(s) == 0 || len(s) > 63 {
		return fmt.Errorf("hostname %q: 1 to 63 characters", s)
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		digit := r >= '0' && r <= '9'
		switch {
		case i == 0 && !letter:
			return fmt.Errorf("hostname %q: must start with a letter", s)
		case !letter && !digit && r != '-':
			return fmt.Errorf("hostname %q: letters, digits and hyphens only", s)
		}
	}
	if strings.HasSuffix(s, "-") {
		return fmt.Errorf("hostname %q: must not end with a hyphen", s)
	}
	return nil
}

// CheckName accepts one CLI word: printable ASCII, no blanks, no quotes
// (JunOS would need them escaped), at most max characters.
func CheckName(s string, max int) error {
	if s == "" {
		return errors.New("empty name")
	}
	if len(s) > max {
		return fmt.Errorf("%q: longer than %d characters", s, max)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' || r == '"' || r == '\\' {
			return fmt.Errorf("%q: printable characters only, no blanks or quotes", s)
		}
	}
	return nil
}

// CheckIfName applies the kernel's rules (dev_valid_name): under 16
// bytes, no '/', ':' or blanks, not "." or "..".
// A router's slot/port name (GigabitEthernet0/0/0) is told as that before
// its length: a pasted configuration's source-interface lines have them.
func CheckIfName(s string) error {
	if s == "." || s == ".." || strings.ContainsAny(s, "/:") {
		return fmt.Errorf("interface name %q: not a Linux interface name", s)
	}
	if err := CheckName(s, 15); err != nil {
		return fmt.Errorf("interface name %w", err)
	}
	return nil
}

// CheckText accepts free text: a description, a location.
func CheckText(s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("text longer than %d characters", max)
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == '"' || r == '\\' {
			return fmt.Errorf("text %q: control characters, quotes and backslashes are not allowed", s)
		}
	}
	if s != strings.TrimSpace(s) {
		return fmt.Errorf("text %q: leading or trailing blanks", s)
	}
	return nil
}

// checkHostAddr accepts a unicast or multicast host address, without a
// zone (the CLI has no syntax for one).
func checkHostAddr(a netip.Addr) error {
	switch {
	case !a.IsValid():
		return errors.New("no address")
	case a.Zone() != "":
		return fmt.Errorf("address %v: zones are not supported", a)
	case a.IsUnspecified():
		return fmt.Errorf("address %v is unspecified", a)
	}
	return nil
}

func checkCollector(a netip.AddrPort) error {
	addr := a.Addr()
	if z := addr.Zone(); z != "" {
		// A link-local collector names the link it is on
		// (fe80::1%eth0): the address alone is on every link.
		if !addr.IsLinkLocalUnicast() && !addr.IsLinkLocalMulticast() {
			return fmt.Errorf("address %v: only a link-local address takes a zone", addr)
		}
		if err := CheckIfName(z); err != nil {
			return fmt.Errorf("address %v: zone: %w", addr, err)
		}
		addr = addr.WithZone("")
	}
	if err := checkHostAddr(addr); err != nil {
		return err
	}
	if a.Port() == 0 {
		return fmt.Errorf("collector %v: no port", a.Addr())
	}
	return nil
}

// naturalCompare orders names with their digit runs as numbers, as IOS
// lists interfaces: eth2 before eth10.
func naturalCompare(a, b string) int {
	if c := naturalCompareRuns(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b) // eth01 and eth1: any fixed order
}

func naturalCompareRuns(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// CheckName32 accepts a name of up to 32 characters, IOS's limit for
// lists, communities, groups and users.
func CheckName32(s string) error { return CheckName(s, 32) }

// KeyCheck accepts a key of n octets in hex, colons between octets
// allowed (IOS shows them so).
func KeyCheck(n int) func(string) error {
	return func(s string) error {
		b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
		if err != nil || len(b) != n {
			return fmt.Errorf("a localized key is %d octets in hex", n)
		}
		return nil
	}
}

// CheckEngineIDHex accepts an SNMP engine ID in hex, 5 to 32 octets.
func CheckEngineIDHex(s string) error {
	if b, err := hex.DecodeString(s); err != nil || len(b) < 5 || len(b) > 32 {
		return errors.New("an engine ID is 5 to 32 octets in hex (RFC 3411)")
	}
	return nil
}

// CheckServicesIf accepts a JunOS services interface name (sp-0/0/0,
// ms-1/2/0): the exporter itself, never a Linux port.
func CheckServicesIf(s string) error {
	if err := CheckName(s, 32); err != nil {
		return fmt.Errorf("services interface %w", err)
	}
	if !strings.HasPrefix(s, "sp-") && !strings.HasPrefix(s, "ms-") {
		return fmt.Errorf("services interface %q: want sp-FPC/PIC/PORT or ms-FPC/PIC/PORT", s)
	}
	return nil
}
