package ios

import (
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
)

// TestShowHosts: `show hosts` in IOS's layout (the configured host
// table perm, the names DNS answered temp with their age in hours),
// `show hosts NAME` with the domain appended, `clear host NAME` and
// `clear host *` dropping temp entries only, and their `?` help.
func TestShowHosts(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1", Names: config.Names{
		Domain:  "example.net",
		Servers: []netip.Addr{netip.MustParseAddr("192.0.2.53"), netip.MustParseAddr("2001:db8::53")},
		Hosts: []config.HostEntry{
			{Name: "spare", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.55"), netip.MustParseAddr("192.0.2.56")}},
			{Name: "v6collector", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::9")}},
		}}},
		temp: []show.HostEntry{
			{Name: "collector.example.net", Age: 2*time.Hour + 59*time.Minute, Addrs: []netip.Addr{netip.MustParseAddr("198.51.100.7")}},
			{Name: "backup.example.net", Age: 30 * time.Minute, Addrs: []netip.Addr{netip.MustParseAddr("198.51.100.8")}},
			{Name: "old.example.net", Age: 26 * time.Hour, Expired: true, Addrs: []netip.Addr{netip.MustParseAddr("198.51.100.9")}},
		}}
	s := NewSession(f, true)
	got := transcript(s, `
show hosts ?
show hosts
show hosts collector
clear host ?
clear host collector.example.net
clear host spare
show hosts
clear host *
show hosts | include temp|perm`)
	want := `tap1#show hosts ?
  WORD             Hostname for specific information
  |                Output modifiers
  <cr>
tap1#show hosts
Default domain is example.net
Name/address lookup uses domain service
Name servers are 192.0.2.53, 2001:db8::53

Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate
       temp - temporary, perm - permanent
       NA - Not Applicable None - Not defined

Host                      Port  Flags      Age Type   Address(es)
spare                     None  (perm, OK)  0   IP    192.0.2.55 192.0.2.56
v6collector               None  (perm, OK)  0   IPv6  2001:db8::9
collector.example.net     None  (temp, OK)  2   IP    198.51.100.7
backup.example.net        None  (temp, OK)  0   IP    198.51.100.8
old.example.net           None  (temp, EX) 26   IP    198.51.100.9
tap1#show hosts collector
Default domain is example.net
Name/address lookup uses domain service
Name servers are 192.0.2.53, 2001:db8::53

Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate
       temp - temporary, perm - permanent
       NA - Not Applicable None - Not defined

Host                      Port  Flags      Age Type   Address(es)
collector.example.net     None  (temp, OK)  2   IP    198.51.100.7
tap1#clear host ?
  *                Delete all host table entries
  WORD             Hostname to delete
tap1#clear host collector.example.net
tap1#clear host spare
tap1#show hosts
Default domain is example.net
Name/address lookup uses domain service
Name servers are 192.0.2.53, 2001:db8::53

Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate
       temp - temporary, perm - permanent
       NA - Not Applicable None - Not defined

Host                      Port  Flags      Age Type   Address(es)
spare                     None  (perm, OK)  0   IP    192.0.2.55 192.0.2.56
v6collector               None  (perm, OK)  0   IPv6  2001:db8::9
backup.example.net        None  (temp, OK)  0   IP    198.51.100.8
old.example.net           None  (temp, EX) 26   IP    198.51.100.9
tap1#clear host *
tap1#show hosts | include temp|perm
       temp - temporary, perm - permanent
spare                     None  (perm, OK)  0   IP    192.0.2.55 192.0.2.56
v6collector               None  (perm, OK)  0   IPv6  2001:db8::9
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}
