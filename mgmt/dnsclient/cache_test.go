package dnsclient

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/dnsmasq"
	"github.com/flowtap/flowtap/mgmt/dhcplease"
)

// TestCacheLearnsFromLease: with no configured server the lease's
// servers and domain are used, read anew at each lookup (a renewal that
// moves to another server counts); an answer is cached as a temp entry
// that answers again without a query until it is cleared; a configured
// server wins over the lease's.
func TestCacheLearnsFromLease(t *testing.T) {
	a, b := dnsmasq.Addr(41), dnsmasq.Addr(42)
	dnsmasq.Start(t, a, "lease.test", map[string]netip.Addr{"collector.lease.test": netip.MustParseAddr("192.0.2.41")})
	dnsmasq.Start(t, b, "other.test", map[string]netip.Addr{
		"collector.other.test": netip.MustParseAddr("192.0.2.42"),
		"collector.lease.test": netip.MustParseAddr("192.0.2.43"),
	})
	lf := filepath.Join(t.TempDir(), dhcplease.Name("eth0"))
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	c := &Cache{LeaseFile: lf, Now: func() time.Time { return now }}
	ctx := context.Background()

	if _, asked, err := c.Resolve(ctx, "collector", nil, ""); !errors.Is(err, ErrNoServer) || asked != nil {
		t.Fatalf("no lease: asked %v, err %v; want ErrNoServer", asked, err)
	}
	lease := dhcplease.Lease{Interface: "eth0", Addr: netip.MustParsePrefix("10.0.0.5/24"), Server: netip.MustParseAddr("10.0.0.1"), Obtained: now,
		NameServers: []netip.Addr{a}, Domain: "lease.test"}
	if err := dhcplease.Write(lf, lease); err != nil {
		t.Fatal(err)
	}
	if s, d := c.Learned(); !slices.Equal(s, []netip.Addr{a}) || d != "lease.test" {
		t.Fatalf("learned %v %q", s, d)
	}
	got, asked, err := c.Resolve(ctx, "collector", nil, "")
	if err != nil || got != netip.MustParseAddr("192.0.2.41") || !slices.Equal(asked, []netip.Addr{a}) {
		t.Fatalf("through the lease: %v asked %v err %v", got, asked, err)
	}
	// Renewal: another server, another domain.
	lease.NameServers, lease.Domain = []netip.Addr{b}, "other.test"
	if err := dhcplease.Write(lf, lease); err != nil {
		t.Fatal(err)
	}
	got, _, err = c.Resolve(ctx, "collector", nil, "")
	if err != nil || got != netip.MustParseAddr("192.0.2.42") {
		t.Fatalf("after renewal: %v %v", got, err)
	}
	// Cached: collector.lease.test answers from the cache (b would say .43).
	got, asked, err = c.Resolve(ctx, "COLLECTOR.lease.test", nil, "")
	if err != nil || got != netip.MustParseAddr("192.0.2.41") || asked != nil {
		t.Fatalf("cached: %v asked %v err %v", got, asked, err)
	}
	want := []Entry{
		{Name: "collector.lease.test", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.41")}, Added: now},
		{Name: "collector.other.test", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.42")}, Added: now},
	}
	if e := c.Entries(); !slices.EqualFunc(e, want, func(x, y Entry) bool {
		return x.Name == y.Name && slices.Equal(x.Addrs, y.Addrs) && x.Added.Equal(y.Added)
	}) {
		t.Fatalf("entries %v, want %v", e, want)
	}
	// The answers live dnsmasq.TTL: past it an entry shows expired and
	// the next lookup asks the servers again, renewing it in place.
	if e := c.Entries(); e[0].TTL != dnsmasq.TTL || e[0].Expired(now) {
		t.Fatalf("fresh entry %+v: want TTL %v, not expired", e[0], dnsmasq.TTL)
	}
	now = now.Add(dnsmasq.TTL)
	if e := c.Entries(); !e[0].Expired(now) || !e[1].Expired(now) {
		t.Fatalf("entries %+v not expired after their TTL", e)
	}
	got, asked, err = c.Resolve(ctx, "collector", nil, "")
	if e := c.Entries(); err != nil || got != netip.MustParseAddr("192.0.2.42") || !slices.Equal(asked, []netip.Addr{b}) ||
		e[1].Name != "collector.other.test" || e[1].Expired(now) || !e[1].Added.Equal(now) || !e[0].Expired(now) {
		t.Fatalf("after expiry: %v asked %v err %v; entries %+v", got, asked, err, e)
	}
	// clear host NAME takes the name as typed, the domain appended.
	if n := c.Clear("collector", "lease.test"); n != 1 {
		t.Fatalf("clear host collector removed %d", n)
	}
	got, _, err = c.Resolve(ctx, "collector.lease.test", nil, "")
	if err != nil || got != netip.MustParseAddr("192.0.2.43") {
		t.Fatalf("after clear: %v %v", got, err)
	}
	// A configured server wins over the lease's; a name it does not know fails.
	if _, asked, err := c.Resolve(ctx, "nosuch", []netip.Addr{a}, "lease.test"); !errors.Is(err, ErrNotFound) || !slices.Equal(asked, []netip.Addr{a}) {
		t.Fatalf("configured server: asked %v err %v", asked, err)
	}
	if n := c.Clear("*", ""); n != 2 || len(c.Entries()) != 0 {
		t.Fatalf("clear host * removed %d, left %v", n, c.Entries())
	}
}

// TestCacheIsBounded: a box that resolves a new name now and then for
// months (a script's show host NAME, collectors tried) keeps at most
// MaxEntries of them. A new name takes the place of the first expired
// entry; with none expired, of the oldest. Before, every name ever
// resolved stayed, expired, for the life of the daemon.
func TestCacheIsBounded(t *testing.T) {
	ns := dnsmasq.Addr(43)
	records := map[string]netip.Addr{}
	for i := range MaxEntries + 40 {
		records[fmt.Sprintf("h%d.bound.test", i)] = netip.AddrFrom4([4]byte{198, 51, byte(100 + i/256), byte(i)})
	}
	dnsmasq.Start(t, ns, "bound.test", records)
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	c := &Cache{Now: func() time.Time { return now }}
	resolve := func(i int) {
		t.Helper()
		if _, _, err := c.Resolve(context.Background(), fmt.Sprintf("h%d", i), []netip.Addr{ns}, "bound.test"); err != nil {
			t.Fatalf("h%d: %v", i, err)
		}
	}
	names := func() []string {
		var out []string
		for _, e := range c.Entries() {
			out = append(out, strings.TrimSuffix(e.Name, ".bound.test"))
		}
		return out
	}
	// The first 20 learned, then left to expire; h5 asked again, fresh.
	for i := range 20 {
		resolve(i)
	}
	now = now.Add(dnsmasq.TTL + time.Minute)
	resolve(5)
	for i := 20; i < MaxEntries; i++ {
		resolve(i)
	}
	if n := len(c.Entries()); n != MaxEntries {
		t.Fatalf("%d entries, want %d", n, MaxEntries)
	}
	// Full: the next 19 take the expired ones' places, oldest first; h5,
	// renewed, stays.
	for i := MaxEntries; i < MaxEntries+19; i++ {
		resolve(i)
	}
	got := names()
	if len(got) != MaxEntries || got[0] != "h5" || slices.Contains(got, "h0") || slices.Contains(got, "h19") || got[len(got)-1] != fmt.Sprintf("h%d", MaxEntries+18) {
		t.Fatalf("after the expired went: %d entries %v...%v", len(got), got[:3], got[len(got)-3:])
	}
	// None expired: the oldest goes.
	resolve(MaxEntries + 19)
	if got := names(); len(got) != MaxEntries || got[0] != "h20" || slices.Contains(got, "h5") {
		t.Fatalf("with none expired: %d entries %v...", len(got), got[:3])
	}
}
