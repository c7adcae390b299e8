package testnet

import (
	"fmt"
	"net"
	"net/netip"
	"runtime"

	"golang.org/x/sys/unix"
)

// ListenUDPIn opens a UDP socket on a in the named network namespace ns
// (one of `ip netns`'), from a thread that enters it and comes back, so a
// test can stand a collector or a syslog host on the far side of a veth
// while the rest of it stays where it is. A socket keeps the namespace it
// was made in.
func ListenUDPIn(ns string, a netip.AddrPort) (*net.UDPConn, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open this thread's network namespace: %w", err)
	}
	defer unix.Close(self)
	fd, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open network namespace %s: %w", ns, err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return nil, fmt.Errorf("enter network namespace %s: %w", ns, err)
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(a))
	if serr := unix.Setns(self, unix.CLONE_NEWNET); serr != nil {
		panic(fmt.Sprintf("back to the test's namespace: %v", serr)) // the thread is unusable
	}
	return conn, err
}
