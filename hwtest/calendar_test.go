package hwtest

import (
	"encoding/binary"
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// calendarAhead is how far ahead of the host the test's NTP server is:
// far enough that the guest's hardware clock cannot be near it unless
// NTP time was written there.
const calendarAhead = 400 * 24 * time.Hour

// hostNTPServer answers NTP requests on 127.0.0.1:123, where QEMU's user
// network takes the guest's packets to 10.0.2.2:123, with the host's
// time plus ahead, as a stratum 2 server.
func hostNTPServer(t *testing.T, ahead time.Duration) {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 123})
	if err != nil {
		t.Fatalf("an NTP server on the host's 127.0.0.1:123 (the guest's 10.0.2.2): %v", err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		req := make([]byte, 68)
		for {
			n, from, err := c.ReadFromUDP(req)
			if err != nil {
				return
			}
			if n < 48 {
				continue
			}
			resp := make([]byte, 48)
			resp[0] = 4<<3 | 4 // no leap warning, version 4, mode server
			resp[1] = 2        // stratum
			resp[3] = 0xec     // precision
			copy(resp[12:16], []byte{127, 0, 0, 1})
			copy(resp[24:32], req[40:48]) // the client's transmit time, as origin
			now := time.Now().Add(ahead)
			stamp := uint64(now.Unix()+2208988800)<<32 | uint64(now.Nanosecond())<<32/1e9
			for _, at := range []int{16, 32, 40} { // reference, receive, transmit
				binary.BigEndian.PutUint64(resp[at:], stamp)
			}
			c.WriteToUDP(resp, from)
		}
	}()
}

// TestNTPUpdatesCalendar: with `ntp update-calendar`, as IOS needs for
// it, the NTP time that set the appliance's clock is written to its
// hardware clock (RTC_SET_TIME on /dev/rtc0), so that the next boot
// starts near the right time: the guest's RTC, read from the console's
// shell, is the NTP server's time, not the host's that QEMU started it
// with.
func TestNTPUpdatesCalendar(t *testing.T) {
	hostNTPServer(t, calendarAhead)
	v := bootDiskless(t)
	v.WaitReady(bootWait)
	off := v.Console.Len()
	for _, l := range []string{"configure terminal", "ntp update-calendar", "ntp server 10.0.2.2", "end"} {
		v.Type(l + "\r")
		_, off = v.ExpectFrom(defaultPrompt, off, consoleWait)
	}
	v.ExpectFrom(regexp.MustCompile(`clock stepped to ntp time`), 0, 90*time.Second)
	v.ExpectFrom(regexp.MustCompile(`hardware clock set from ntp time: server 10\.0\.2\.2`), 0, 30*time.Second)
	want := time.Now().Add(calendarAhead)

	// The console's shell, once the CLI exits, reads the RTC as Linux
	// keeps it.
	off = v.Console.Len()
	v.Type("exit\r")
	_, off = v.ExpectFrom(regexp.MustCompile(`CLI exited .*starting a shell`), off, consoleWait)
	time.Sleep(2 * time.Second) // the shell's prompt
	v.Type("cat /sys/class/rtc/rtc0/since_epoch\r")
	m, _ := v.ExpectFrom(regexp.MustCompile(`since_epoch\r?\n(?:\r)?(\d{9,12})\r?\n`), off, consoleWait)
	secs, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	rtc := time.Unix(secs, 0)
	t.Logf("guest RTC %s; NTP time %s; host %s", rtc.UTC(), want.UTC(), time.Now().UTC())
	if d := rtc.Sub(want); d < -2*time.Minute || d > 2*time.Minute {
		t.Errorf("the guest's hardware clock reads %s, %s from the NTP time that set its clock (%s)", rtc.UTC(), d, want.UTC())
	}
	v.Type("exit\r")
}
