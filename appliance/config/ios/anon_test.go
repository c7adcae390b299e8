package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// TestDestinationAnonymisation: the per-destination `truncate` and
// `crypto-pan` options parse, render back in running-config, and a bad
// length is refused as IOS refuses a number out of range.
func TestDestinationAnonymisation(t *testing.T) {
	c, err := Parse("t", []byte("ip flow-export destination 192.0.2.1 2055 version 9 truncate 21\n"+
		"ip flow-export destination 192.0.2.2 2055 crypto-pan s3cret truncate 24\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := c.Export.Destinations
	if len(d) != 2 || d[0].Truncate != 21 || d[0].CryptoPAn != "" || d[1].Truncate != 24 || d[1].CryptoPAn != "s3cret" {
		t.Fatalf("destinations %+v", d)
	}
	out := RunningConfig(c)
	for _, want := range []string{
		"ip flow-export destination 192.0.2.1 2055 version 9 truncate 21\n",
		"ip flow-export destination 192.0.2.2 2055 truncate 24 crypto-pan s3cret\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("running-config lacks %q:\n%s", want, out)
		}
	}
	_, err = Parse("t", []byte("ip flow-export destination 192.0.2.1 2055 truncate 32\n"))
	if err == nil || !strings.Contains(err.Error(), "t:1") {
		t.Errorf("truncate 32: %v", err)
	}
}

// TestDestinationAnonymisationJunOS: the JunOS flow-server takes the
// same two options, and each dialect reads the other's rendering.
func TestDestinationAnonymisationJunOS(t *testing.T) {
	c, err := junos.Parse("j", []byte("set forwarding-options sampling family inet output flow-server 192.0.2.1 port 2055\n"+
		"set forwarding-options sampling family inet output flow-server 192.0.2.1 truncate 21\n"+
		"set forwarding-options sampling family inet output flow-server 192.0.2.1 crypto-pan s3cret\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Export.Destinations; len(d) != 1 || d[0].Truncate != 21 || d[0].CryptoPAn != "s3cret" {
		t.Fatalf("destinations %+v", d)
	}
	back, err := Parse("ios", []byte(RunningConfig(c)))
	if err != nil {
		t.Fatal(err)
	}
	if d := config.Diff(c, back); len(d) != 0 {
		t.Errorf("IOS round trip: %v", d)
	}
	again, err := junos.Parse("j2", []byte(junos.Render(c)))
	if err != nil {
		t.Fatal(err)
	}
	if d := config.Diff(c, again); len(d) != 0 {
		t.Errorf("JunOS round trip: %v\n%s", d, junos.Render(c))
	}
}
