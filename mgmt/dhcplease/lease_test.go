package dhcplease

import (
	"errors"
	"net/netip"
	"os"
	"reflect"
	"testing"
	"time"
)

// TestWriteRead: a lease goes through the file and back equal; no file
// is os.ErrNotExist; a bad line is refused with its number.
func TestWriteRead(t *testing.T) {
	path := Path(t.TempDir(), "eth0")
	if _, err := Read(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("no lease: %v, want ErrNotExist", err)
	}
	got := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	l := Lease{Interface: "eth0", Addr: netip.MustParsePrefix("10.77.0.52/24"), Server: netip.MustParseAddr("10.77.0.1"),
		Obtained: got, Expires: got.Add(2 * time.Minute),
		Routes:      []Route{{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParseAddr("10.77.0.254")}, {netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("10.77.0.1")}},
		NameServers: []netip.Addr{netip.MustParseAddr("10.77.0.53"), netip.MustParseAddr("10.77.0.54")}, Domain: "mgmt.example.net"}
	if err := Write(path, l); err != nil {
		t.Fatal(err)
	}
	back, err := Read(path)
	if err != nil || !reflect.DeepEqual(back, l) {
		t.Fatalf("read back %+v, %v; want %+v", back, err, l)
	}
	if _, err := os.Stat(path + ".new"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path); err != nil {
		t.Errorf("removing a lease file that is gone: %v", err)
	}
	if _, err := Parse([]byte("interface eth0\nname-server 10.77.0.x\n")); err == nil || err.Error() != `dhcp lease file line 2: name-server: ParseAddr("10.77.0.x"): unexpected character (at "x")` {
		t.Errorf("bad line: %v", err)
	}
}
