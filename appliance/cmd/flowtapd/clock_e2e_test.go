package main

import (
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestClockZoneE2E: a daemon started with `clock timezone` and `service
// timestamps log datetime msec localtime show-timezone` shows the zone in
// `show clock` and stamps its log messages on that clock with its name
// (marked `*`: no NTP server set the clock);
// `no service timestamps log` drops the stamp from the next message.
func TestClockZoneE2E(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
clock timezone XST 5 30
service timestamps log datetime msec localtime show-timezone
!
`)
	if got := d.cli(t, "ios", "show clock\n"); !regexp.MustCompile(`^\*?\d\d:\d\d:\d\d\.\d{3} XST \w{3} \w{3} \d{1,2} \d{4}\n$`).MatchString(got) {
		t.Fatalf("show clock: %q", got)
	}
	d.cli(t, "ios", "configure terminal\nhostname e2e-zoned\nend\n")
	logs := d.cli(t, "ios", "show logging | include CONFIG_I\n")
	if !regexp.MustCompile(`(?m)^\*\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3} XST: %SYS-5-CONFIG_I: Configured from console`).MatchString(logs) {
		t.Fatalf("show logging:\n%s", logs)
	}
	d.cli(t, "ios", "configure terminal\nno service timestamps log\nhostname e2e-plain\nend\n")
	logs = d.cli(t, "ios", "show logging | include CONFIG_I\n")
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "%SYS-5-CONFIG_I: ") {
		t.Fatalf("with no service timestamps log the last message is %q", last)
	}
}

// ntpResponder answers NTP requests on addr:123 with our own time, as a
// stratum 2 server does.
func ntpResponder(t *testing.T, addr string) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(addr), Port: 123})
	if err != nil {
		t.Fatalf("an NTP server on %s:123: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 48)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if n < 48 {
				continue
			}
			resp := make([]byte, 48)
			resp[0], resp[1], resp[3] = 0<<6|4<<3|4, 2, 0xec // no leap, v4, server; stratum 2; precision
			copy(resp[12:16], net.ParseIP(addr).To4())
			copy(resp[24:32], buf[40:48]) // origin: the client's transmit time
			now := time.Now()
			for _, off := range []int{16, 32, 40} { // reference, receive, transmit
				binary.BigEndian.PutUint64(resp[off:], uint64(now.Unix()+2208988800)<<32|uint64(now.Nanosecond())<<32/1e9)
			}
			c.WriteToUDP(resp, from)
		}
	}()
}

// TestLogTimestampsFollowNTP: IOS marks a time of day from a clock no
// time source has set with `*`, and one NTP set but no longer keeps with
// `.`; the log's timestamps and `show clock` follow flowtapd's NTP client
// (a server that answers, then one that does not). `service timestamps
// debug` is kept, shown before the log line as on IOS and saved.
func TestLogTimestampsFollowNTP(t *testing.T) {
	testnet.Enter(t)
	ntpResponder(t, "127.77.0.1")
	d := startDaemon(t, `hostname ntpmark
username admin privilege 15 secret adminpass
service timestamps debug datetime msec localtime
service timestamps log datetime msec year
!
`)
	stamped := regexp.MustCompile(`^([*.]?)\w{3} [ \d]\d \d{4} \d\d:\d\d:\d\d\.\d{3}: %SYS-5-CONFIG_I: Configured from console`)
	lastMark := func(host string) string {
		t.Helper()
		d.cli(t, "ios", "configure terminal\nhostname "+host+"\nend\n")
		logs := strings.Split(strings.TrimSpace(d.cli(t, "ios", "show logging | include CONFIG_I\n")), "\n")
		m := stamped.FindStringSubmatch(logs[len(logs)-1])
		if m == nil {
			t.Fatalf("the last CONFIG_I message: %q", logs[len(logs)-1])
		}
		return m[1]
	}
	clockMark := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			got := d.cli(t, "ios", "show clock\n")
			if regexp.MustCompile(`^` + regexp.QuoteMeta(want) + `\d\d:`).MatchString(got) {
				return
			} else if time.Now().After(deadline) {
				t.Fatalf("show clock %q, want the mark %q", got, want)
			}
		}
	}
	ntpStatus := func(want *regexp.Regexp) {
		t.Helper()
		if got := d.cli(t, "ios", "show ntp status\n"); !want.MatchString(got) {
			t.Errorf("show ntp status:\n%s\nwant it to match %s", got, want)
		}
	}
	clockMark("*")
	ntpStatus(regexp.MustCompile(`^Clock is unsynchronized, stratum 16, no reference clock\nNo NTP server is configured \(ntp server ADDRESS\)\n$`))
	if m := lastMark("ntpmark-unset"); m != "*" {
		t.Errorf("with no NTP server the stamp's mark is %q, want *", m)
	}
	d.cli(t, "ios", "configure terminal\nntp server 127.77.0.1\nend\n")
	clockMark("")
	ntpStatus(regexp.MustCompile(`^Clock is synchronized, stratum \d+, reference is 127\.77\.0\.1\nreference time is \d\d:\d\d:\d\d\.\d{3} UTC \w{3} \w{3} \d{1,2} \d{4}\nclock offset is -?\d+\.\d{4} msec\n$`))
	// The server in use, its reach register showing the answers.
	if got := d.cli(t, "ios", "show ntp associations\n"); !regexp.MustCompile(`(?m)^  address         ref clock .*\n\*~127\.77\.0\.1 +\S+ +\d+ +\d+ +64 +[1-7]+ +\d+\.\d{3} +-?\d+\.\d{3} +\d+\.\d{3}\n \* sys\.peer`).MatchString(got) {
		t.Errorf("show ntp associations:\n%s", got)
	}
	if m := lastMark("ntpmark-synced"); m != "" {
		t.Errorf("with NTP answering the stamp's mark is %q, want none", m)
	}
	// The server goes: the clock was set by NTP, which no longer keeps it.
	d.cli(t, "ios", "configure terminal\nno ntp server 127.77.0.1\nntp server 127.77.0.2\nend\n")
	clockMark(".")
	// Nothing serves 127.77.0.2: the poll is refused or times out, said
	// in words, not as the socket's error.
	ntpStatus(regexp.MustCompile(`^Clock is unsynchronized, stratum 16, no reference clock\nlast poll \d\d:\d\d:\d\d\.\d{3} UTC .*: no time from 127\.77\.0\.2 \((no answer|refused: no NTP server at that address)\)\n$`))
	if m := lastMark("ntpmark-lost"); m != "." {
		t.Errorf("after NTP lost sync the stamp's mark is %q, want .", m)
	}
	if got := d.cli(t, "ios", "show clock detail\n"); !strings.Contains(got, "\nTime source is NTP\n") {
		t.Errorf("show clock detail:\n%s", got)
	}
	want := "service timestamps debug datetime msec localtime\nservice timestamps log datetime msec year\n"
	if got := d.cli(t, "ios", "show running-config | include service timestamps\n"); got != want {
		t.Errorf("show running-config:\n%s\nwant\n%s", got, want)
	}
	d.cli(t, "ios", "write memory\n")
	saved, err := os.ReadFile(filepath.Join(d.dir, "startup-config"))
	if err != nil || !strings.Contains(string(saved), "\n"+want) {
		t.Errorf("saved startup-config (%v):\n%s", err, saved)
	}
	if got := d.cli(t, "ios", "configure terminal\nservice timestamps debug uptime msec\nend\n"); !strings.Contains(got, "% Invalid input detected at '^' marker.") {
		t.Errorf("service timestamps debug uptime msec: %q", got)
	}
}
