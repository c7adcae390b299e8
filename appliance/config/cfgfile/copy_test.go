package cfgfile

import (
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

func TestCloneSharesNothing(t *testing.T) {
	c := loadExample(t, "ios-router.conf")
	d := c.Clone()
	d.Interfaces[0].Name = "changed"
	d.Users[0].Keys[0].Blob = "changed"
	d.AccessLists[0].Entries[0].Permit = false
	d.Aggregations[0].Destinations[0] = netip.MustParseAddrPort("198.51.100.1:1")
	d.NTP.Servers[0] = netip.MustParseAddr("198.51.100.2")
	if c.Interfaces[0].Name == "changed" || c.Users[0].Keys[0].Blob == "changed" || !c.AccessLists[0].Entries[0].Permit ||
		c.Aggregations[0].Destinations[0].Port() == 1 || c.NTP.Servers[0].String() == "198.51.100.2" {
		t.Fatal("the clone shares memory with the original")
	}
	if config.Equal(c, d) {
		t.Fatal("Equal misses the changes")
	}
}

func TestEqualIgnoresOrderOfNamedThings(t *testing.T) {
	c := loadExample(t, "ios-router.conf")
	d := c.Clone()
	d.Export.Destinations[0], d.Export.Destinations[1] = d.Export.Destinations[1], d.Export.Destinations[0]
	if !config.Equal(c, d) {
		t.Error("reordered collectors differ")
	}
	d = c.Clone()
	e := d.AccessLists[0].Entries
	e[0], e[1] = e[1], e[0]
	if config.Equal(c, d) {
		t.Error("reordered access-list entries are equal: order decides")
	}
	if !config.Equal(config.Config{}, config.Config{Interfaces: []config.Interface{}}) {
		t.Error("nil and empty differ")
	}
}

func TestNaturalOrder(t *testing.T) {
	c, err := ios.Parse("t", []byte("interface eth10\ninterface eth2\ninterface eth1\n"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range c.Interfaces {
		names = append(names, it.Name)
	}
	if got := names[0] + "," + names[1] + "," + names[2]; got != "eth1,eth2,eth10" {
		t.Fatalf("order %s", got)
	}
}

func TestConversions(t *testing.T) {
	c := loadExample(t, "cat6500-sup720.conf")
	p, s, err := c.Setting()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "pfc3bxl" || s.Mask.String() != "interface-full" || s.Inactive.Seconds() != 120 || s.Sampling.Rate != 1024 {
		t.Fatalf("setting %+v", s)
	}
	ios := loadExample(t, "ios-router.conf")
	if v := ios.DestinationVersion(ios.Export.Destinations[0]); v != 9 {
		t.Fatalf("destination version %v", v)
	}
	jun := loadExample(t, "junos.set")
	if _, s, err := jun.Setting(); err != nil || s.Sampling.MaxPacketsPerSecond != 5000 {
		t.Fatalf("junos setting %+v %v", s, err)
	}
}

func TestAggregationDefaultVersion(t *testing.T) {
	c, err := ios.Parse("t", []byte("ip flow-aggregation cache bgp-nexthop-tos\n export version 9\n enabled\nip flow-aggregation cache as\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Aggregations[0].Version != 0 || c.Aggregations[0].ExportVersionOrDefault() != 9 || c.Aggregations[1].ExportVersionOrDefault() != 8 {
		t.Fatalf("%+v", c.Aggregations)
	}
	if _, err := ios.Parse("t", []byte("ip flow-aggregation cache bgp-nexthop-tos\n export version 8\n")); err == nil {
		t.Fatal("accepted v8 for bgp-nexthop-tos")
	}
}
