package cfgfile

import (
	"strings"
	"testing"
)

// Two destinations that differ only in their link are refused, in words
// that start with the message, not an address capitalised: the CLI said
// "% Fe80::1 on port 2055 is a destination on another link already: one
// address and port a destination".
func TestZoneOnlyDestinationMessage(t *testing.T) {
	_, err := Parse("startup-config", []byte("ip flow-export destination fe80::1%lo 2055\nip flow-export destination fe80::1 2055\n"))
	if err == nil {
		t.Fatal("fe80::1 on two links accepted")
	}
	want := "% Destination fe80::1 port 2055 is already configured on another link (one destination per address and port, whatever the link)"
	if !strings.Contains(err.Error(), "startup-config:2:") || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v\nwant line 2 and %q", err, want)
	}
}
