package asmap

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// ParseError locates a bad line.
type ParseError struct {
	File string
	Line int
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *ParseError) Unwrap() error { return e.Err }

// Load reads a table file; see Parse for the format.
func Load(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("asmap: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads one `PREFIX ORIGIN-AS [PEER-AS [NEXT-HOP]]` per line (the
// BGP next hop in the prefix's family, for `bgp-nexthop`); `#` starts a
// comment, blank lines are skipped. PREFIX is IPv4 or IPv6 in CIDR form;
// an AS is a decimal number, asdot (`1.10`), optionally after `AS`.
// name is used in error messages.
func Parse(r io.Reader, name string) (*Table, error) {
	var routes []Route
	firstSeen := map[netip.Prefix]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		rt, err := parseRoute(fields)
		if err != nil {
			return nil, &ParseError{name, line, err}
		}
		if prev, dup := firstSeen[rt.Prefix]; dup {
			return nil, &ParseError{name, line, fmt.Errorf("prefix %v already given on line %d", rt.Prefix, prev)}
		}
		firstSeen[rt.Prefix] = line
		routes = append(routes, rt)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{name, line + 1, err}
	}
	t, err := New(routes)
	if err != nil {
		return nil, fmt.Errorf("asmap: %s: %w", name, err)
	}
	return t, nil
}

func parseRoute(fields []string) (Route, error) {
	if len(fields) < 2 || len(fields) > 4 {
		return Route{}, fmt.Errorf("got %d fields, want PREFIX ORIGIN-AS [PEER-AS [NEXT-HOP]]", len(fields))
	}
	p, err := netip.ParsePrefix(fields[0])
	if err != nil {
		return Route{}, fmt.Errorf("prefix %q: want ADDRESS/LENGTH, IPv4 or IPv6", fields[0])
	}
	if p.Addr().Zone() != "" {
		return Route{}, fmt.Errorf("prefix %q: zones are not allowed", fields[0])
	}
	if m := p.Masked(); m != p {
		return Route{}, fmt.Errorf("prefix %q has bits set past /%d: did you mean %v?", fields[0], p.Bits(), m)
	}
	rt := Route{Prefix: p}
	if rt.OriginAS, err = parseAS(fields[1]); err != nil {
		return Route{}, fmt.Errorf("origin AS: %w", err)
	}
	if len(fields) >= 3 {
		if rt.PeerAS, err = parseAS(fields[2]); err != nil {
			return Route{}, fmt.Errorf("peer AS: %w", err)
		}
	}
	if len(fields) == 4 {
		nh, err := netip.ParseAddr(fields[3])
		if err != nil || nh.Zone() != "" {
			return Route{}, fmt.Errorf("next hop %q: want an address", fields[3])
		}
		if nh.Is4() != p.Addr().Is4() {
			return Route{}, fmt.Errorf("next hop %v for %v: want the prefix's family", nh, p)
		}
		rt.NextHop = nh
	}
	return rt, nil
}

var errAS = errors.New("want a number 0-4294967295, or asdot 0-65535.0-65535, optionally after AS")

// parseAS reads asplain (`64500`), asdot (`1.10`, RFC 5396) or either
// after `AS`.
func parseAS(s string) (uint32, error) {
	orig := s
	if len(s) > 2 && strings.EqualFold(s[:2], "as") {
		s = s[2:]
	}
	if hi, lo, dot := strings.Cut(s, "."); dot {
		h, err1 := strconv.ParseUint(hi, 10, 16)
		l, err2 := strconv.ParseUint(lo, 10, 16)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("%q: %w", orig, errAS)
		}
		return uint32(h)<<16 | uint32(l), nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", orig, errAS)
	}
	return uint32(n), nil
}
