// Package dnsmasq is test support: a real name server (dnsmasq) on a
// loopback address of the test's own, answering only for the names the
// test gives it, so that a configuration line that names a host is
// resolved as on a network, without the host's resolver.
package dnsmasq

import (
	"bytes"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/flowtap/flowtap/internal/testproc"
)

// Start runs dnsmasq on addr port 53, authoritative for domain (a name
// in it that records does not list is "no such name") and answering
// records, name to address. It stops when the test ends.
func Start(t *testing.T, addr netip.Addr, domain string, records map[string]netip.Addr) {
	t.Helper()
	bin, err := exec.LookPath("dnsmasq")
	if err != nil {
		t.Fatal("dnsmasq not found: install the Debian package dnsmasq-base")
	}
	args := []string{"--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
		"--bind-interfaces", "--listen-address=" + addr.String(), "--port=53", "--user=root", "--pid-file=",
		"--local=/" + domain + "/", "--log-facility=-",
		// The answers live an hour, as a zone's records do (dnsmasq's
		// default for its own records is 0: keep for no time at all).
		"--local-ttl=" + strconv.Itoa(int(TTL/time.Second))}
	for name, a := range records {
		args = append(args, "--host-record="+name+","+a.String())
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := testproc.Start(cmd); err != nil {
		t.Fatalf("dnsmasq: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// Ready once it answers.
	q := dnsmessage.Message{Header: dnsmessage.Header{ID: 1, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName("ready." + domain + "."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}}}
	pkt, _ := q.Pack()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if answers(addr, pkt) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("dnsmasq on %s does not answer:\n%s", addr, out.String())
		}
	}
}

func answers(addr netip.Addr, pkt []byte) bool {
	c, err := net.Dial("udp", netip.AddrPortFrom(addr, 53).String())
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.Write(pkt); err != nil {
		return false
	}
	b := make([]byte, 512)
	n, err := c.Read(b)
	return err == nil && n > 12
}

// TTL is the time to live of every answer.
const TTL = time.Hour

// Addr is a loopback address for a test's name server, from a number of
// the test's choosing (a second test on the machine picks another).
func Addr(n byte) netip.Addr { return netip.AddrFrom4([4]byte{127, 0, 53, n}) }
