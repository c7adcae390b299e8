package dnsclient

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/internal/dnsmasq"
)

// TestLookupAddr: a reverse lookup asks a real name server (dnsmasq)
// for the address's in-addr.arpa or ip6.arpa name and returns the PTR
// record's name; with no server it says so.
func TestLookupAddr(t *testing.T) {
	if got, want := ReverseName(netip.MustParseAddr("192.0.2.62")), "62.2.0.192.in-addr.arpa."; got != want {
		t.Errorf("ReverseName v4 %q, want %q", got, want)
	}
	if got, want := ReverseName(netip.MustParseAddr("2001:db8::62")), "2.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."; got != want {
		t.Errorf("ReverseName v6 %q, want %q", got, want)
	}
	ns := dnsmasq.Addr(62)
	dnsmasq.Start(t, ns, "rev.test", map[string]netip.Addr{"collector.rev.test": netip.MustParseAddr("192.0.2.62")})
	names, err := LookupAddr(context.Background(), netip.MustParseAddr("192.0.2.62"), []netip.Addr{ns})
	if err != nil || len(names) != 1 || names[0] != "collector.rev.test." {
		t.Errorf("LookupAddr 192.0.2.62: %q %v, want collector.rev.test.", names, err)
	}
	if _, err := LookupAddr(context.Background(), netip.MustParseAddr("192.0.2.62"), nil); err == nil {
		t.Error("no server: no error")
	}
	// The name as it is asked for an address the server has: also the
	// forward lookup, which the refactor of the exchange must keep.
	if a, err := Lookup(context.Background(), "collector.rev.test", []netip.Addr{ns}); err != nil || a != netip.MustParseAddr("192.0.2.62") {
		t.Errorf("Lookup: %v %v", a, err)
	}
	if _, err := Lookup(context.Background(), "nosuch.rev.test", []netip.Addr{ns}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup nosuch: %v, want not found", err)
	}
}
