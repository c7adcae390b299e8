// Package netcfg is flowtapd's one rtnetlink client. It sets up links (a
// monitored port must be up and promiscuous, or the NIC filters frames
// not addressed to it before XDP sees them), dumps them for `show
// interfaces` and IF-MIB, and watches their changes for the link
// messages and linkUp/linkDown traps. (The image's init has its own
// dependency-free requests in image/internal/rtnl: addresses and routes,
// which nothing here needs.)
package netcfg

import (
	"fmt"
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"
)

// Monitor sets the link up and promiscuous.
func Monitor(name string) error {
	return setFlags(name, unix.IFF_UP|unix.IFF_PROMISC, unix.IFF_UP|unix.IFF_PROMISC)
}

// Release clears promiscuous mode (the link stays up).
func Release(name string) error { return setFlags(name, 0, unix.IFF_PROMISC) }

func setFlags(name string, flags, change uint32) error {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return fmt.Errorf("link %s: %w", name, err)
	}
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		return fmt.Errorf("rtnetlink: %w", err)
	}
	defer c.Close()
	err = c.Link.Set(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Index: uint32(ifc.Index), Flags: flags, Change: change})
	if err != nil {
		return fmt.Errorf("set flags of %s: %w", name, err)
	}
	return nil
}

// Promiscuous reports whether the link is in promiscuous mode.
func Promiscuous(name string) (bool, error) {
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		return false, fmt.Errorf("rtnetlink: %w", err)
	}
	defer c.Close()
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return false, fmt.Errorf("link %s: %w", name, err)
	}
	m, err := c.Link.Get(uint32(ifc.Index))
	if err != nil {
		return false, fmt.Errorf("get link %s: %w", name, err)
	}
	return m.Flags&unix.IFF_PROMISC != 0, nil
}
