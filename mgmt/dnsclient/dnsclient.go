// Package dnsclient asks the configured name servers (`ip name-server`)
// for a host's address, as IOS does when a configuration line names a
// host: over UDP port 53, each server in turn, an A record first and an
// AAAA record when the name has none, and a PTR record for an address
// (JunOS show host ADDRESS). It reads no /etc/resolv.conf and
// no /etc/hosts: the appliance's name service is its configuration's.
package dnsclient

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// Timeout is how long one server is given to answer one question: IOS
// waits 3 s a try by default (`ip domain timeout`); two tries a server
// would hold a configuration line for 12 s per dead server.
const Timeout = 2 * time.Second

// ErrNotFound: every server that answered said the name has no address.
var ErrNotFound = errors.New("no such host")

// Lookup returns name's first address: an IPv4 one if it has any, else
// an IPv6 one. Servers are asked in order until one answers the name
// (with its addresses or with "no such name"); an error names the last
// failure when none did.
func Lookup(ctx context.Context, name string, servers []netip.Addr) (netip.Addr, error) {
	a, _, err := LookupTTL(ctx, name, servers)
	return a, err
}

// LookupTTL is Lookup with the answer's time to live: how long the
// address may be kept (the least TTL of the address records).
func LookupTTL(ctx context.Context, name string, servers []netip.Addr) (netip.Addr, time.Duration, error) {
	if len(servers) == 0 {
		return netip.Addr{}, 0, errors.New("no name server configured")
	}
	fqdn := name
	if fqdn == "" || fqdn[len(fqdn)-1] != '.' {
		fqdn += "."
	}
	n, err := dnsmessage.NewName(fqdn)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("%s: %w", name, err)
	}
	var last error
	for _, s := range servers {
		answered := false
		for _, t := range []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA} {
			addrs, ttl, err := ask(ctx, netip.AddrPortFrom(s, 53), n, t)
			if err != nil {
				if errors.Is(err, ErrNotFound) {
					answered = true
					last = fmt.Errorf("%s: %w (server %s)", name, err, s)
					break // NXDOMAIN: the name has no record of any type
				}
				last = fmt.Errorf("%s: server %s: %w", name, s, plain(err))
				break
			}
			answered = true
			if len(addrs) > 0 {
				return addrs[0], ttl, nil
			}
			last = fmt.Errorf("%s: %w (server %s)", name, ErrNotFound, s)
		}
		if answered {
			return netip.Addr{}, 0, last
		}
	}
	return netip.Addr{}, 0, last
}

// ask sends one question to server and reads its answer; an NXDOMAIN is
// ErrNotFound, an answer without an address of type t no addresses. The
// duration is the least TTL of the addresses.
func ask(ctx context.Context, server netip.AddrPort, name dnsmessage.Name, t dnsmessage.Type) ([]netip.Addr, time.Duration, error) {
	p, err := exchange(ctx, server, name, t)
	if err != nil {
		return nil, 0, err
	}
	var out []netip.Addr
	var ttl time.Duration
	keep := func(a netip.Addr, h dnsmessage.ResourceHeader) {
		d := time.Duration(h.TTL) * time.Second
		if len(out) == 0 || d < ttl {
			ttl = d
		}
		out = append(out, a)
	}
	for {
		ah, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return out, ttl, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("parse answer: %w", err)
		}
		switch {
		case ah.Type == dnsmessage.TypeA && t == dnsmessage.TypeA:
			r, err := p.AResource()
			if err != nil {
				return nil, 0, fmt.Errorf("parse answer: %w", err)
			}
			keep(netip.AddrFrom4(r.A), ah)
		case ah.Type == dnsmessage.TypeAAAA && t == dnsmessage.TypeAAAA:
			r, err := p.AAAAResource()
			if err != nil {
				return nil, 0, fmt.Errorf("parse answer: %w", err)
			}
			keep(netip.AddrFrom16(r.AAAA), ah)
		default:
			if err := p.SkipAnswer(); err != nil {
				return nil, 0, fmt.Errorf("parse answer: %w", err)
			}
		}
	}
}

// exchange sends one question to server and returns the parser of its
// answer at the answer section; an NXDOMAIN is ErrNotFound.
func exchange(ctx context.Context, server netip.AddrPort, name dnsmessage.Name, t dnsmessage.Type) (*dnsmessage.Parser, error) {
	var idb [2]byte
	rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	msg := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: name, Type: t, Class: dnsmessage.ClassINET}},
	}
	pkt, err := msg.Pack()
	if err != nil {
		return nil, fmt.Errorf("pack query: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server.String())
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if _, err := conn.Write(pkt); err != nil {
		return nil, err
	}
	buf := make([]byte, 1500)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		p := &dnsmessage.Parser{}
		h, err := p.Start(buf[:n])
		if err != nil || h.ID != id || !h.Response {
			continue // not the answer to this question
		}
		switch h.RCode {
		case dnsmessage.RCodeSuccess:
		case dnsmessage.RCodeNameError:
			return nil, ErrNotFound
		default:
			return nil, fmt.Errorf("answer %v", h.RCode)
		}
		if err := p.SkipAllQuestions(); err != nil {
			return nil, fmt.Errorf("parse answer: %w", err)
		}
		return p, nil
	}
}

// ReverseName is the name a reverse lookup asks for: the address's
// in-addr.arpa or ip6.arpa name, with the root's dot.
func ReverseName(a netip.Addr) string {
	a = a.Unmap()
	var b strings.Builder
	if a.Is4() {
		o := a.As4()
		fmt.Fprintf(&b, "%d.%d.%d.%d.in-addr.arpa.", o[3], o[2], o[1], o[0])
		return b.String()
	}
	o := a.As16()
	for i := 15; i >= 0; i-- {
		fmt.Fprintf(&b, "%x.%x.", o[i]&0xf, o[i]>>4)
	}
	b.WriteString("ip6.arpa.")
	return b.String()
}

// LookupAddr is a reverse lookup: the names the servers' PTR records
// give a, each with its root's dot, asked of each server in turn as
// Lookup asks.
func LookupAddr(ctx context.Context, a netip.Addr, servers []netip.Addr) ([]string, error) {
	if len(servers) == 0 {
		return nil, errors.New("no name server configured")
	}
	n, err := dnsmessage.NewName(ReverseName(a))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a, err)
	}
	var last error
	for _, s := range servers {
		p, err := exchange(ctx, netip.AddrPortFrom(s, 53), n, dnsmessage.TypePTR)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%s: %w (server %s)", a, err, s)
		}
		if err != nil {
			last = fmt.Errorf("%s: server %s: %w", a, s, plain(err))
			continue
		}
		var names []string
		for {
			ah, err := p.AnswerHeader()
			if errors.Is(err, dnsmessage.ErrSectionDone) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: parse answer: %w", a, err)
			}
			if ah.Type != dnsmessage.TypePTR {
				if err := p.SkipAnswer(); err != nil {
					return nil, fmt.Errorf("%s: parse answer: %w", a, err)
				}
				continue
			}
			r, err := p.PTRResource()
			if err != nil {
				return nil, fmt.Errorf("%s: parse answer: %w", a, err)
			}
			names = append(names, r.PTR.String())
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: %w (server %s)", a, ErrNotFound, s)
		}
		return names, nil
	}
	return nil, last
}

// plain says what a socket error means for a name server, without the
// socket's addresses (the server is named beside it).
func plain(err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("port 53 unreachable: %w", syscall.ECONNREFUSED)
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("no answer within %v: %w", Timeout, os.ErrDeadlineExceeded)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return fmt.Errorf("unreachable: %w", err)
	}
	return err
}
