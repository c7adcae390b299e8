package netcfg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Links dumps every link of the caller's network namespace. A socket per
// call keeps no state between requests; a dump costs far less than the
// CLI or SNMP exchange around it.
func Links() ([]rtnetlink.LinkMessage, error) {
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		return nil, fmt.Errorf("netlink dial: %w", err)
	}
	defer c.Close()
	msgs, err := c.Link.List()
	if err != nil {
		return nil, fmt.Errorf("netlink link dump: %w", err)
	}
	return msgs, nil
}

// LinkWatch is a subscription to the kernel's link announcements
// (RTMGRP_LINK) in the network namespace it was opened in.
type LinkWatch struct{ c *rtnetlink.Conn }

// WatchLinks subscribes to link changes. Subscribe before dumping the
// links to start from: a change between the two is then not missed.
func WatchLinks() (*LinkWatch, error) {
	c, err := rtnetlink.Dial(&netlink.Config{Groups: unix.RTMGRP_LINK})
	if err != nil {
		return nil, fmt.Errorf("watch links: %w", err)
	}
	return &LinkWatch{c: c}, nil
}

// Run calls f with each link message until ctx ends (it returns nil) or
// the socket fails; gone says the link was deleted (RTM_DELLINK), so that
// what a watcher keeps per link can go with it: the kernel does not reuse
// an ifIndex, and on a host whose links come and go (containers' veths,
// tunnels) a table of every link ever seen grows for as long as the
// daemon runs. An overrun receive buffer (ENOBUFS) loses those
// announcements, not the watch: the next change is still seen. Run closes
// the subscription when it returns.
func (w *LinkWatch) Run(ctx context.Context, f func(l rtnetlink.LinkMessage, gone bool)) error {
	defer w.c.Close()
	stop := context.AfterFunc(ctx, func() { w.c.Close() })
	defer stop()
	for {
		_, msgs, err := w.c.Receive()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var oe *netlink.OpError
			if errors.As(err, &oe) && errors.Is(oe.Err, unix.ENOBUFS) {
				continue
			}
			return fmt.Errorf("watch links: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK && m.Header.Type != unix.RTM_DELLINK {
				continue
			}
			var l rtnetlink.LinkMessage
			if err := l.UnmarshalBinary(m.Data); err != nil {
				continue // a message this library cannot read is no change we can act on
			}
			f(l, m.Header.Type == unix.RTM_DELLINK)
		}
	}
}

// Close ends a subscription that Run was not given.
func (w *LinkWatch) Close() error { return w.c.Close() }

// Sysfs reads one of a link's sysfs attributes, "" when there is none.
func Sysfs(name, attr string) string {
	if name == "" || strings.ContainsAny(name, "/") {
		return ""
	}
	b, err := os.ReadFile(filepath.Join("/sys/class/net", name, attr))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// SpeedMbps is the link's ethtool speed in Mb/s; virtual links report -1
// or nothing, which is 0 here (unknown).
func SpeedMbps(name string) uint32 {
	v, err := strconv.ParseInt(Sysfs(name, "speed"), 10, 64)
	if err != nil || v <= 0 || v >= 1<<32 {
		return 0
	}
	return uint32(v)
}
