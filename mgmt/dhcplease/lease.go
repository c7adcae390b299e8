// Package dhcplease is the file in which the appliance's DHCP client
// (the image's flowtapinit) leaves what the management link's lease
// gives, and from which flowtapd reads it: the address, the server, the
// lease's times, the routes (option 121's, or the default route through
// option 3's router), the name servers (option 6) and the domain (15).
// One "key value" line each, replaced whole (written to FILE.new and
// renamed), removed when the lease is given up.
package dhcplease

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Name is the file's name in the runtime directory for a link.
func Name(link string) string { return "dhcp-" + link + ".lease" }

// DefaultDir is where the image keeps it (flowtapd's --control
// directory).
const DefaultDir = "/run/flowtap"

// Route is one route the lease gives: to Dst through GW (0.0.0.0: on the
// link).
type Route struct {
	Dst netip.Prefix
	GW  netip.Addr
}

// Lease is what one lease gives.
type Lease struct {
	Interface   string
	Addr        netip.Prefix
	Server      netip.Addr
	Obtained    time.Time
	Expires     time.Time // zero: infinite
	Routes      []Route
	NameServers []netip.Addr
	Domain      string
}

// Marshal writes l in the file's form.
func (l Lease) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "interface %s\naddress %s\nserver %s\nobtained %s\n", l.Interface, l.Addr, l.Server, l.Obtained.UTC().Format(time.RFC3339))
	if !l.Expires.IsZero() {
		fmt.Fprintf(&b, "expires %s\n", l.Expires.UTC().Format(time.RFC3339))
	}
	for _, r := range l.Routes {
		fmt.Fprintf(&b, "route %s %s\n", r.Dst, r.GW)
	}
	for _, a := range l.NameServers {
		fmt.Fprintf(&b, "name-server %s\n", a)
	}
	if l.Domain != "" {
		fmt.Fprintf(&b, "domain %s\n", l.Domain)
	}
	return b.Bytes()
}

// Write replaces path with l, whole: a reader never sees half a lease.
func Write(path string, l Lease) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, l.Marshal(), 0o644); err != nil {
		return fmt.Errorf("dhcp lease file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("dhcp lease file: %w", err)
	}
	return nil
}

// Remove removes path; one not there is no error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dhcp lease file: %w", err)
	}
	return nil
}

// Read reads the lease file at path; os.ErrNotExist (wrapped) when no
// lease is held. Unknown keys are skipped (a newer writer).
func Read(path string) (Lease, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Lease{}, fmt.Errorf("dhcp lease file: %w", err)
	}
	return Parse(data)
}

// Parse reads the file's form.
func Parse(data []byte) (Lease, error) {
	var l Lease
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		var err error
		switch k {
		case "":
		case "interface":
			l.Interface = v
		case "address":
			l.Addr, err = netip.ParsePrefix(v)
		case "server":
			l.Server, err = netip.ParseAddr(v)
		case "obtained":
			l.Obtained, err = time.Parse(time.RFC3339, v)
		case "expires":
			l.Expires, err = time.Parse(time.RFC3339, v)
		case "route":
			d, g, _ := strings.Cut(v, " ")
			var r Route
			if r.Dst, err = netip.ParsePrefix(d); err == nil {
				r.GW, err = netip.ParseAddr(g)
			}
			l.Routes = append(l.Routes, r)
		case "name-server":
			var a netip.Addr
			a, err = netip.ParseAddr(v)
			l.NameServers = append(l.NameServers, a)
		case "domain":
			l.Domain = v
		}
		if err != nil {
			return Lease{}, fmt.Errorf("dhcp lease file line %d: %s: %w", n, k, err)
		}
	}
	return l, sc.Err()
}

// Path is the lease file of link in dir.
func Path(dir, link string) string { return filepath.Join(dir, Name(link)) }
