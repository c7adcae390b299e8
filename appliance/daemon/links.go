package daemon

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// link is one interface as a netlink dump gives it.
type link struct {
	name       string
	adminUp    bool
	carrier    bool
	protocolUp bool
	msg        rtnetlink.LinkMessage
}

func linkOf(l rtnetlink.LinkMessage) link {
	k := link{msg: l, adminUp: l.Flags&unix.IFF_UP != 0, carrier: l.Flags&unix.IFF_LOWER_UP != 0}
	if l.Attributes != nil {
		k.name = l.Attributes.Name
		// A loopback or a driver without carrier reporting says
		// "unknown": its line protocol is up when it is running.
		switch l.Attributes.OperationalState {
		case rtnetlink.OperStateUp:
			k.protocolUp = true
		case rtnetlink.OperStateUnknown:
			k.protocolUp = k.adminUp && l.Flags&unix.IFF_RUNNING != 0
			k.carrier = k.carrier || k.protocolUp
		}
	}
	return k
}

func dumpLinks() ([]link, error) {
	msgs, err := netcfg.Links()
	if err != nil {
		return nil, err
	}
	out := make([]link, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, linkOf(m))
	}
	return out, nil
}

// leasedAddrs lists, by link index, the IPv4 addresses with a finite
// lifetime (IFA_F_PERMANENT unset): what a DHCP client holds, as the
// image's management port does; static addresses are permanent.
func leasedAddrs() map[uint32][]netip.Addr {
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		return nil
	}
	defer c.Close()
	msgs, err := c.Address.List()
	if err != nil {
		return nil
	}
	out := map[uint32][]netip.Addr{}
	for _, m := range msgs {
		if m.Family != unix.AF_INET || m.Flags&unix.IFA_F_PERMANENT != 0 || m.Attributes == nil {
			continue
		}
		if ip, ok := netip.AddrFromSlice(m.Attributes.Address); ok {
			out[m.Index] = append(out[m.Index], ip.Unmap())
		}
	}
	return out
}

// interfaces is what `show interfaces` prints: the links, their counters,
// addresses, speed and driver, and how the meter runs on each port.
func (m *Manager) interfaces() ([]show.Interface, error) {
	links, err := dumpLinks()
	if err != nil {
		return nil, err
	}
	cfg := m.Config()
	ports := map[string]Port{}
	for _, p := range m.d.Settings().Ports {
		ports[p.Name] = p
	}
	modes := m.d.PortModes()
	leased := leasedAddrs()
	out := make([]show.Interface, 0, len(links))
	for _, l := range links {
		i := show.Interface{Name: l.name, Index: l.msg.Index, AdminUp: l.adminUp, Carrier: l.carrier, ProtocolUp: l.protocolUp, Leased: leased[l.msg.Index]}
		if at := l.msg.Attributes; at != nil {
			i.MAC, i.MTU = at.Address, at.MTU
			if s := at.Stats64; s != nil {
				i.RxPackets, i.RxBytes, i.RxMulticast = s.RXPackets, s.RXBytes, s.Multicast
				i.RxErrors, i.RxCRC, i.RxFrame, i.RxOverrun = s.RXErrors, s.RXCRCErrors, s.RXFrameErrors, s.RXOverErrors+s.RXFIFOErrors
				i.RxMissed, i.RxDropped = s.RXMissedErrors, s.RXDropped
				i.TxPackets, i.TxBytes, i.TxErrors, i.TxDropped = s.TXPackets, s.TXBytes, s.TXErrors, s.TXDropped
				i.Collisions, i.TxCarrier = s.Collisions, s.TXCarrierErrors
			}
		}
		i.SpeedMbps = netcfg.SpeedMbps(l.name)
		i.Duplex = netcfg.Sysfs(l.name, "duplex")
		if i.Duplex == "unknown" {
			i.Duplex = ""
		}
		if et, err := ethtoolOf(l.name); err == nil {
			i.Hardware = et.driver
			i.XDPDrops, i.HasXDPDrops = et.xdpDrops, et.hasDrops
		}
		if l.msg.Type == unix.ARPHRD_LOOPBACK {
			i.Hardware, i.MAC = "Loopback", nil // IOS shows no address for one
		}
		if ci, ok := cfg.Interface(l.name); ok {
			i.Description = ci.Description
		}
		if p, ok := ports[l.name]; ok && p.Meter {
			i.Metering = "ingress, " + p.Verdict.String()
			if mode, ok := modes[l.name]; ok {
				i.Metering += ", XDP " + mode
			}
		}
		if ifc, err := net.InterfaceByName(l.name); err == nil {
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					if ip, ok := netip.AddrFromSlice(n.IP); ok {
						ones, _ := n.Mask.Size()
						i.Addrs = append(i.Addrs, netip.PrefixFrom(ip.Unmap(), ones))
					}
				}
			}
		}
		changes := carrierChanges(l)
		i.CarrierTransitions = uint64(changes)
		m.links.observe(&i, changes, time.Now())
		out = append(out, i)
	}
	present := make(map[uint32]bool, len(links))
	for _, l := range links {
		present[l.msg.Index] = true
	}
	m.links.keepOnly(present)
	return out, nil
}

// linkWatch remembers each link's state and counters at the last look,
// for what the kernel does not keep: when the link last flapped (JunOS's
// Last flapped) and its rates (bits and packets per second since the
// previous look, at least a second before).
type linkWatch struct {
	mu   sync.Mutex
	seen map[uint32]linkSeen
}

// carrierChanges is the kernel's carrier_changes count of l, 0 when the
// message has none.
func carrierChanges(l link) uint32 {
	if at := l.msg.Attributes; at != nil && at.CarrierChanges != nil {
		return *at.CarrierChanges
	}
	return 0
}

type linkSeen struct {
	known                        bool // carrier and changes are set
	carrier                      bool
	changes                      uint32    // the kernel's carrier_changes
	flapped                      time.Time // zero: no change seen since the daemon started
	at                           time.Time // the counters' sample
	rxB, txB, rxP, txP           uint64
	inBps, outBps, inPps, outPps uint64
}

// observe fills i's flap time and rates; changes is the kernel's count of
// carrier changes, which catches a flap between two looks.
// flapped is what the link watch heard as it happened: a look after it
// then finds nothing new and keeps this time, not its own.
func (lw *linkWatch) flapped(index uint32, carrier bool, changes uint32, at time.Time) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.seen == nil {
		lw.seen = map[uint32]linkSeen{}
	}
	p := lw.seen[index]
	p.known, p.carrier, p.changes, p.flapped = true, carrier, changes, at
	lw.seen[index] = p
}

// forget drops what the watch knows of the link numbered index, which
// is gone: the kernel does not reuse the number, so on a host whose
// links come and go (containers' veths, tunnels) an entry per link that
// ever flapped stayed for the daemon's life.
func (lw *linkWatch) forget(index uint32) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	delete(lw.seen, index)
}

// keepOnly drops what the watch knows of links not in present (a listing
// of them all): those that went while no announcement was heard.
func (lw *linkWatch) keepOnly(present map[uint32]bool) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	for x := range lw.seen {
		if !present[x] {
			delete(lw.seen, x)
		}
	}
}

func (lw *linkWatch) observe(i *show.Interface, changes uint32, now time.Time) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.seen == nil {
		lw.seen = map[uint32]linkSeen{}
	}
	p := lw.seen[i.Index]
	if !p.known {
		p.known, p.carrier, p.changes = true, i.Carrier, changes
	}
	if p.at.IsZero() {
		p.at, p.rxB, p.txB, p.rxP, p.txP = now, i.RxBytes, i.TxBytes, i.RxPackets, i.TxPackets
	}
	if p.carrier != i.Carrier || p.changes != changes {
		p.carrier, p.changes, p.flapped = i.Carrier, changes, now
	}
	// A sample under a second old keeps the rates it gave; counters that
	// went backwards (a link recreated under the same index) give none.
	if d := now.Sub(p.at); d >= time.Second {
		rate := func(cur, prev uint64, scale uint64) uint64 {
			if cur < prev {
				return 0
			}
			return (cur - prev) * scale * uint64(time.Second) / uint64(d)
		}
		p.inBps, p.outBps = rate(i.RxBytes, p.rxB, 8), rate(i.TxBytes, p.txB, 8)
		p.inPps, p.outPps = rate(i.RxPackets, p.rxP, 1), rate(i.TxPackets, p.txP, 1)
		p.at, p.rxB, p.txB, p.rxP, p.txP = now, i.RxBytes, i.TxBytes, i.RxPackets, i.TxPackets
	}
	lw.seen[i.Index] = p
	i.LastFlapped = p.flapped
	i.InBps, i.OutBps, i.InPps, i.OutPps = p.inBps, p.outBps, p.inPps, p.outPps
}

// watchLinks logs IOS's %LINK-3-UPDOWN and %LINEPROTO-5-UPDOWN when an
// interface's state changes, as netlink announces it. It subscribes in
// the caller's network namespace (a test's, or the box's) and returns the
// loop, which runs until ctx ends.
//
// fibre names the tap fibre a port is ("Tap uplink fibre B"), "" for
// other ports: a fibre that loses light is news of its own, since half
// of a link's traffic then goes unmetered.
//
// watch hears of each carrier change as it is announced, for JunOS's
// Last flapped, and of each link that goes.
func watchLinks(log *slog.Logger, fibre func(port string) string, watch *linkWatch) (func(ctx context.Context) error, error) {
	w, err := netcfg.WatchLinks()
	if err != nil {
		return nil, err
	}
	lw := newLinkLog(log, fibre, watch)
	if links, err := dumpLinks(); err == nil {
		for _, l := range links {
			lw.known[l.name] = l
		}
	}
	return func(ctx context.Context) error { return w.Run(ctx, lw.note) }, nil
}

// newLinkLog is a link log telling watch of each flap and each link gone.
func newLinkLog(log *slog.Logger, fibre func(port string) string, watch *linkWatch) *linkLog {
	return &linkLog{log: log, fibre: fibre, flap: watch.flapped, gone: watch.forget, known: map[string]link{}}
}

// linkLog is what watchLinks knows of each link, by name, to tell what an
// announcement changed.
type linkLog struct {
	log   *slog.Logger
	fibre func(port string) string
	flap  func(index uint32, carrier bool, changes uint32, at time.Time)
	gone  func(index uint32) // nil: nothing to tell
	known map[string]link
}

// note logs what an announcement changed; a link that is gone is
// forgotten (after the change its going made is logged), so that links
// coming and going (containers' veths) do not pile up here.
func (lw *linkLog) note(lm rtnetlink.LinkMessage, gone bool) {
	if lm.Attributes == nil {
		return
	}
	now := linkOf(lm)
	was, seen := lw.known[now.name]
	lw.known[now.name] = now
	if seen {
		logLinkChange(lw.log, was, now)
		if c := carrierChanges(now); lw.flap != nil && (was.carrier != now.carrier || carrierChanges(was) != c) {
			lw.flap(lm.Index, now.carrier, c, time.Now())
		}
		if f := lw.fibre(now.name); f != "" {
			logFibreChange(lw.log, f, was, now)
		}
	}
	if gone {
		delete(lw.known, now.name)
		if lw.gone != nil {
			lw.gone(lm.Index)
		}
	}
}

// logLinkChange says what IOS says when a link changes: the interface
// (LINK: administratively down, down, up), then its line protocol.
func logLinkChange(log *slog.Logger, was, now link) {
	state := func(l link) string {
		switch {
		case !l.adminUp:
			return "administratively down"
		case l.carrier:
			return "up"
		}
		return "down"
	}
	if s := state(now); s != state(was) {
		tag := "LINK-3-UPDOWN"
		if !now.adminUp {
			tag = "LINK-5-CHANGED"
		}
		logIOS(log, tag, "Interface %s, changed state to %s", now.name, s)
	}
	if now.protocolUp != was.protocolUp {
		logIOS(log, "LINEPROTO-5-UPDOWN", "Line protocol on Interface %s, changed state to %s", now.name, upDown(now.protocolUp))
	}
}

// logFibreChange says when a tap fibre goes dark (no carrier, or shut
// down) and when it has light again.
func logFibreChange(log *slog.Logger, fibre string, was, now link) {
	lit := func(l link) bool { return l.adminUp && l.carrier }
	switch {
	case lit(was) && !lit(now):
		logIOS(log, "FLOWTAP-3-FIBRE_DARK", "%s (%s) is dark: its direction of the link is not metered", fibre, now.name)
	case !lit(was) && lit(now):
		logIOS(log, "FLOWTAP-5-FIBRE_LIT", "%s (%s) has light again", fibre, now.name)
	}
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}
