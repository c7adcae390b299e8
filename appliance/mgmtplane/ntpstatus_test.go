package mgmtplane

import (
	"net"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/mgmt/ntp"
)

// TestNTPFailureWords: `show ntp status` says why a poll got no time in an
// operator's words (the real client against a port nothing serves, and
// against one that never answers), not the socket's error chain.
func TestNTPFailureWords(t *testing.T) {
	closed, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedPort := closed.LocalAddr().(*net.UDPAddr).Port
	closed.Close()
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for _, c := range []struct {
		name string
		port int
		want string
	}{
		{"nothing listens", refusedPort, "refused: no NTP server at that address"},
		{"never answers", silent.LocalAddr().(*net.UDPAddr).Port, "no answer"},
	} {
		cl := &ntp.Client{Port: c.port, Servers: func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.0.0.1")} }}
		st := cl.Poll()
		if st.Err == nil {
			t.Fatalf("%s: the poll got an answer", c.name)
		}
		if got := ntpFailure(st.Err); got != c.want {
			t.Errorf("%s: %q (from %v), want %q", c.name, got, st.Err, c.want)
		}
	}
}
