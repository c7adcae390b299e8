package dnsclient

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flowtap/flowtap/mgmt/dhcplease"
)

// Cache is the appliance's resolver: what IOS keeps as its host cache.
// A name resolved through DNS stays as a temporary entry (`show hosts`
// lists it "temp" with its age) and answers the next line that names it
// without a query while the answer's TTL lasts; after that it shows as
// expired until a line names it again (which asks the servers) or
// `clear host` drops it. When the configuration
// names no server, the servers and the domain of the management link's
// DHCP lease are used, as IOS uses the ones DHCP gave it; the lease file
// is read at each lookup, so a renewal that changes them counts at once.
type Cache struct {
	// LeaseFile is the DHCP client's lease file (dhcplease); "" or a
	// missing file: no lease.
	LeaseFile string
	// Now is the clock entries are stamped with; nil is time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries []Entry // in the order they were learned
}

// Entry is one name the cache holds.
type Entry struct {
	Name  string // as asked, the domain appended, lower case
	Addrs []netip.Addr
	Added time.Time
	TTL   time.Duration // the answer's time to live
}

// Expired tells whether the answer's TTL has run out at now.
func (e Entry) Expired(now time.Time) bool { return !now.Before(e.Added.Add(e.TTL)) }

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Learned is what the DHCP lease gives now: its name servers and its
// domain (none when there is no lease or the file cannot be read).
func (c *Cache) Learned() (servers []netip.Addr, domain string) {
	if c == nil || c.LeaseFile == "" {
		return nil, ""
	}
	l, err := dhcplease.Read(c.LeaseFile)
	if err != nil {
		return nil, ""
	}
	return l.NameServers, l.Domain
}

// Sources is what a lookup uses: the configured servers and domain, or
// where the configuration has none, the lease's.
func (c *Cache) Sources(servers []netip.Addr, domain string) ([]netip.Addr, string) {
	if len(servers) > 0 && domain != "" {
		return servers, domain
	}
	ls, ld := c.Learned()
	if len(servers) == 0 {
		servers = ls
	}
	if domain == "" {
		domain = ld
	}
	return servers, domain
}

// Query is the name the servers are asked: name with domain appended
// when it has no dot of its own.
func Query(name, domain string) string {
	if domain != "" && !strings.Contains(name, ".") {
		return name + "." + domain
	}
	return name
}

// ErrNoServer: neither the configuration nor the lease names a server.
var ErrNoServer = errors.New("no name server configured or learned")

// Resolve looks name up as a configuration line does when the host
// table has no entry for it: in the cache, else on the servers (the
// configured ones, else the lease's), the domain appended to a name
// without a dot. It returns the servers it asked (none on a cache hit or
// when there is none to ask), for IOS's Translating line.
func (c *Cache) Resolve(ctx context.Context, name string, servers []netip.Addr, domain string) (netip.Addr, []netip.Addr, error) {
	servers, domain = c.Sources(servers, domain)
	q := strings.ToLower(strings.TrimSuffix(Query(name, domain), "."))
	c.mu.Lock()
	i := slices.IndexFunc(c.entries, func(e Entry) bool { return e.Name == q })
	if i >= 0 && !c.entries[i].Expired(c.now()) {
		a := c.entries[i].Addrs[0]
		c.mu.Unlock()
		return a, nil, nil
	}
	c.mu.Unlock()
	if len(servers) == 0 {
		return netip.Addr{}, nil, ErrNoServer
	}
	a, ttl, err := LookupTTL(ctx, q, servers)
	if err != nil {
		// An expired entry stays, expired, as IOS shows it.
		return netip.Addr{}, servers, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := Entry{Name: q, Addrs: []netip.Addr{a}, Added: c.now(), TTL: ttl}
	if i := slices.IndexFunc(c.entries, func(e Entry) bool { return e.Name == q }); i >= 0 {
		c.entries[i] = e // renewed in place: the table keeps its order
	} else {
		c.makeRoom(e.Added)
		c.entries = append(c.entries, e)
	}
	return a, servers, nil
}

// MaxEntries is how many names the cache holds. Expired entries stay to
// be shown, so without a bound every name ever resolved (each `show host
// NAME` a script runs, each collector name tried) stayed for the life of
// the box.
const MaxEntries = 256

// makeRoom drops an entry when the cache is full, for one learned at
// now: the first expired one in the order they were learned, else the
// oldest. c.mu is held.
func (c *Cache) makeRoom(now time.Time) {
	if len(c.entries) < MaxEntries {
		return
	}
	i := slices.IndexFunc(c.entries, func(e Entry) bool { return e.Expired(now) })
	if i < 0 {
		i = 0
	}
	c.entries = slices.Delete(c.entries, i, i+1)
}

// Entries are the cached names, in the order they were learned.
func (c *Cache) Entries() []Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Entry, len(c.entries))
	for i, e := range c.entries {
		e.Addrs = slices.Clone(e.Addrs)
		out[i] = e
	}
	return out
}

// Clear drops the entry for name (as it was asked, or as typed with the
// domain the lookups use appended), or every entry when name is "*"; it
// reports how many went.
func (c *Cache) Clear(name string, domain string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.entries)
	if name == "*" {
		c.entries = nil
		return n
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	full := strings.ToLower(Query(name, domain))
	c.entries = slices.DeleteFunc(c.entries, func(e Entry) bool { return e.Name == name || e.Name == full })
	return n - len(c.entries)
}

// String is for logs.
func (e Entry) String() string { return fmt.Sprintf("%s %v", e.Name, e.Addrs) }
