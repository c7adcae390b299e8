package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/image/internal/rtnl"
	"github.com/flowtap/flowtap/mgmt/dhcplease"
)

// The management link's DHCPv4 client, for the life of the appliance, as
// a router's `ip address dhcp` (RFC 2131 section 4.4): discover until a
// server answers (backing off), hold the lease, renew it with the server
// that gave it at T1 (unicast), rebind with any server at T2 (broadcast),
// and at the lease's end without either give the address and the default
// route up (another host may get the address) and discover again.

// dhcpPace is how the client paces its messages. The defaults are RFC
// 2131's: discovery retransmitted at 4 s doubling to 64 s (section 4.1),
// renewals and rebinds at half the time left, not more often than once a
// minute (section 4.4.5).
type dhcpPace struct {
	Try        time.Duration // how long one DISCOVER or REQUEST waits for its answer
	BackoffMin time.Duration // wait after the first discovery that got no lease
	BackoffMax time.Duration // the longest wait between discoveries
	ResendMin  time.Duration // shortest wait between renewal (or rebind) requests
	// An offered address is probed with ProbeCount ARP probes,
	// ProbeInterval apart, and answers are awaited ProbeListen after the
	// last; after a DECLINE the next discovery waits DeclineWait at least.
	ProbeCount                 int
	ProbeInterval, ProbeListen time.Duration
	DeclineWait                time.Duration
}

// The probe is shorter than RFC 5227's (3 probes 1-2 s apart, then 2 s):
// the boot waits 8 s for a lease, and on a LAN an answer comes within
// milliseconds. RFC 2131 section 3.1 asks for at least 10 s after a
// DECLINE.
var defaultPace = dhcpPace{Try: 4 * time.Second, BackoffMin: 4 * time.Second, BackoffMax: 64 * time.Second, ResendMin: 60 * time.Second,
	ProbeCount: 3, ProbeInterval: 300 * time.Millisecond, ProbeListen: time.Second, DeclineWait: 10 * time.Second}

// dhcpLease is what the client holds from one ACK. The times count from
// when the request that the ACK answers was sent, as RFC 2131 says.
type dhcpLease struct {
	Addr   netip.Prefix
	Router netip.Addr // invalid: none given, or option 121 given (RFC 3442: option 3 is then ignored)
	// Routes are option 121's classless static routes; with them the
	// default route is the one they may hold, not option 3's.
	Routes []dhcpRoute
	// NameServers and Domain are options 6 and 15, written to the lease
	// file for the daemon.
	NameServers []netip.Addr
	Domain      string
	Server      netip.Addr // server identifier (option 54): where renewals go
	Got         time.Time
	Lease       time.Duration // option 51
	T1, T2      time.Duration // options 58 and 59, else 1/2 and 7/8 of the lease
}

// infiniteLease is option 51's 0xffffffff: the address is ours for good.
const infiniteLease = time.Duration(0xffffffff) * time.Second

// leaseFromACK reads a lease from an ACK to a request sent at sent.
func leaseFromACK(ack *dhcpv4.DHCPv4, sent time.Time) (dhcpLease, error) {
	ip, ok := netip.AddrFromSlice(ack.YourIPAddr.To4())
	if !ok || !ip.IsGlobalUnicast() && !ip.IsPrivate() {
		return dhcpLease{}, fmt.Errorf("ACK from %v offers no usable address (%v)", ack.ServerIdentifier(), ack.YourIPAddr)
	}
	mask := ack.SubnetMask()
	if mask == nil {
		mask = ack.YourIPAddr.DefaultMask()
	}
	bits, _ := mask.Size()
	if bits == 0 {
		bits = 32
	}
	l := dhcpLease{Addr: netip.PrefixFrom(ip, bits), Got: sent}
	for _, r := range ack.ClasslessStaticRoute() {
		if r == nil || r.Dest == nil {
			continue
		}
		dst, ok := netip.AddrFromSlice(r.Dest.IP.To4())
		ones, _ := r.Dest.Mask.Size()
		gw, gok := netip.AddrFromSlice(r.Router.To4())
		if !ok || !gok {
			continue
		}
		l.Routes = append(l.Routes, dhcpRoute{Dst: netip.PrefixFrom(dst, ones).Masked(), GW: gw})
	}
	if rs := ack.Router(); len(rs) > 0 && len(l.Routes) == 0 {
		l.Router, _ = netip.AddrFromSlice(rs[0].To4())
	}
	for _, d := range ack.DNS() {
		if a, ok := netip.AddrFromSlice(d.To4()); ok {
			l.NameServers = append(l.NameServers, a)
		}
	}
	l.Domain = ack.DomainName()
	l.Server, _ = netip.AddrFromSlice(ack.ServerIdentifier().To4())
	l.Lease = ack.IPAddressLeaseTime(0)
	if l.Lease <= 0 {
		return dhcpLease{}, fmt.Errorf("ACK from %v for %v has no lease time", ack.ServerIdentifier(), ip)
	}
	l.T1 = ack.IPAddressRenewalTime(l.Lease / 2)
	l.T2 = ack.IPAddressRebindingTime(l.Lease / 8 * 7)
	if l.T1 <= 0 { // a T1 of 0 would renew in a loop
		l.T1 = l.Lease / 2
	}
	if l.T2 <= 0 {
		l.T2 = l.Lease / 8 * 7
	}
	// Times out of order (a server's typo) are clamped, not trusted: the
	// address must never outlive the lease.
	l.T2 = min(l.T2, l.Lease)
	l.T1 = min(l.T1, l.T2)
	return l, nil
}

// dhcpRoute is one route a lease gives: to Dst through GW (0.0.0.0: on
// the link, RFC 3442).
type dhcpRoute struct {
	Dst netip.Prefix
	GW  netip.Addr
}

func (r dhcpRoute) String() string {
	if r.GW.IsUnspecified() {
		return r.Dst.String() + " on the link"
	}
	return r.Dst.String() + " via " + r.GW.String()
}

// routes are the routes the lease puts on the link: option 121's, else
// the default route through option 3's first router.
func (l *dhcpLease) routes() []dhcpRoute {
	if l == nil {
		return nil
	}
	if len(l.Routes) > 0 {
		return l.Routes
	}
	if l.Router.IsValid() {
		return []dhcpRoute{{Dst: netip.PrefixFrom(netip.IPv4Unspecified(), 0), GW: l.Router}}
	}
	return nil
}

func (l dhcpLease) String() string {
	s := l.Addr.String()
	if l.Router.IsValid() {
		s += " gateway " + l.Router.String()
	}
	if len(l.Routes) > 0 {
		var rs []string
		for _, r := range l.Routes {
			rs = append(rs, r.String())
		}
		s += " routes " + strings.Join(rs, ", ") + " (option 121)"
	}
	if l.Lease >= infiniteLease {
		return s + fmt.Sprintf(" by DHCP from server %v, lease infinite", l.Server)
	}
	return s + fmt.Sprintf(" by DHCP from server %v, lease %s (renew in %s, rebind in %s)", l.Server, l.Lease, l.T1, l.T2)
}

// mgmtDHCP runs DHCP on the management link and keeps its address and
// default route as the leases say.
type mgmtDHCP struct {
	log   *logger
	rt    *rtnl.Conn
	link  string
	index int
	pace  dhcpPace
	// fallback, when valid, is the address (and fallbackGW the gateway)
	// the link has while no lease is held: only when the operator asked
	// for it (flowtap.mgmt=dhcp:ADDR/LEN[,GW]).
	fallback   netip.Prefix
	fallbackGW netip.Addr
	onFallback bool
	cur        *dhcpLease // the lease whose address the link has
	// tries counts discoveries without a lease since first (the boot's
	// and the background's are one run of failures).
	tries int
	first time.Time
	// declined is set by a DECLINE: the next discovery waits
	// DeclineWait at least.
	declined bool
	// owed is a wait before the next discovery: a DECLINE that
	// came as the boot's wait for a lease ended.
	owed time.Duration
	// leaseFile, when set, holds what the lease gives beyond the
	// address, for flowtapd (name servers, domain, routes); removed when
	// no lease is held.
	leaseFile string
	// mu orders release (at shutdown or reload) after the client's own
	// changes; stopped, once set, makes run change nothing more.
	mu      sync.Mutex
	stopped bool
	ack     *dhcpv4.DHCPv4 // the ACK of cur, for the RELEASE
}

// boot tries to get a lease for up to d, so that the daemon starts with
// its management address when a server answers at once, then keeps the
// lease (or goes on trying) in the background for as long as ctx lasts.
func (m *mgmtDHCP) boot(ctx context.Context, d time.Duration) {
	bctx, cancel := context.WithTimeout(ctx, d)
	l, err := m.acquire(bctx)
	cancel()
	if err != nil {
		if m.fallback.IsValid() {
			m.log.Printf("network: %s DHCP: no lease in %s: %s meanwhile (flowtap.mgmt), DHCP goes on trying", m.link, d, m.fallbackString())
			m.applyFallback()
		} else {
			m.log.Printf("network: %s DHCP: no lease in %s: %s stays unaddressed, DHCP goes on trying", m.link, d, m.link)
		}
	} else {
		m.apply(l)
	}
	go m.run(ctx, l)
}

// run holds lease l (nil: none yet) and every lease after it.
func (m *mgmtDHCP) run(ctx context.Context, l *dhcpLease) {
	for ctx.Err() == nil {
		if l == nil {
			var err error
			if l, err = m.acquire(ctx); err != nil {
				return
			}
			m.apply(l)
		}
		l = m.hold(ctx, l)
	}
}

// acquire discovers until a server leases an address or ctx ends.
func (m *mgmtDHCP) acquire(ctx context.Context) (*dhcpLease, error) {
	if d := m.owed; d > 0 {
		m.owed = 0
		if !m.waitRetry(ctx, d) {
			return nil, ctx.Err()
		}
	}
	for {
		if m.tries == 0 {
			m.first = time.Now()
		}
		l, err := m.discover(ctx)
		if err == nil {
			m.tries = 0
			return l, nil
		}
		if ctx.Err() != nil {
			if m.declined {
				// The boot's wait for a lease ended while this lease
				// was probed and declined: the DECLINE is said all the
				// same, and the discovery after the boot still waits
				// DeclineWait, as after any other.
				m.declined = false
				m.owed = m.pace.DeclineWait
				m.log.Warnf("network: %s DHCP: %v; next try in %s", m.link, err, m.owed.Round(100*time.Millisecond))
			}
			return nil, err
		}
		m.tries++
		try := m.tries
		backoff := m.pace.BackoffMin << min(try-1, 16)
		wait := jitter(min(backoff, m.pace.BackoffMax))
		if m.declined {
			// Every DECLINE is said, as a warning: another host has
			// an address the server hands out.
			wait = max(wait, m.pace.DeclineWait)
			m.declined = false
			m.log.Warnf("network: %s DHCP: %v; next try in %s", m.link, err, wait.Round(100*time.Millisecond))
		} else if try&(try-1) == 0 {
			// One line at the first failures, then at every doubling
			// of their number: a box whose cable is out for a month
			// does not fill the console with them.
			m.log.Printf("network: %s DHCP: %v (try %d, %s since the first); next try in %s",
				m.link, err, try, time.Since(m.first).Round(time.Second), wait.Round(100*time.Millisecond))
		}
		if !m.waitRetry(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}

// waitRetry waits d before the next discovery, or less: when the link's
// carrier comes up (the cable plugged in, the switch port enabled) the
// client asks at once, with its backoff started afresh, as a router does
// on link up. False if ctx ended.
func (m *mgmtDHCP) waitRetry(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	was := m.carrier()
	for {
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		case <-tick.C:
			now := m.carrier()
			if now && !was {
				m.log.Printf("network: %s DHCP: carrier up: discovering at once", m.link)
				m.tries = 0
				return true
			}
			was = now
		}
	}
}

// carrier says whether the link has a carrier (operationally up).
func (m *mgmtDHCP) carrier() bool {
	b, err := os.ReadFile("/sys/class/net/" + m.link + "/carrier")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// requested is the parameter request list of every message.
var requested = dhcpv4.WithRequestedOptions(dhcpv4.OptionSubnetMask, dhcpv4.OptionRouter,
	dhcpv4.OptionIPAddressLeaseTime, dhcpv4.OptionRenewTimeValue, dhcpv4.OptionRebindingTimeValue,
	dhcpv4.OptionClasslessStaticRoute, dhcpv4.OptionDomainNameServer, dhcpv4.OptionDomainName)

// discover runs one DISCOVER, OFFER, REQUEST, ACK exchange, broadcast on
// a packet socket (the link may have no address yet).
func (m *mgmtDHCP) discover(ctx context.Context) (*dhcpLease, error) {
	c, err := nclient4.New(m.link, nclient4.WithTimeout(m.pace.Try), nclient4.WithRetry(1))
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	defer c.Close()
	offer, err := c.DiscoverOffer(ctx, requested)
	if err != nil {
		return nil, errors.New("no offer")
	}
	sent := time.Now()
	lease, err := c.RequestFromOffer(ctx, offer, requested)
	if err != nil {
		var nak *nclient4.ErrNak
		if errors.As(err, &nak) {
			return nil, fmt.Errorf("server %v refused its offer of %v: %s", offer.ServerIdentifier(), offer.YourIPAddr, nak.Nak.Message())
		}
		return nil, fmt.Errorf("no ACK from server %v for %v", offer.ServerIdentifier(), offer.YourIPAddr)
	}
	l, err := leaseFromACK(lease.ACK, sent)
	if err != nil {
		return nil, err
	}
	if err := m.probe(ctx, l.Addr.Addr()); err != nil {
		var conflict *arpConflict
		switch {
		case errors.As(err, &conflict):
			m.decline(c, lease.ACK, conflict)
			return nil, fmt.Errorf("%v: declined to server %v", conflict, l.Server)
		case ctx.Err() != nil:
			// The wait for a lease (the boot's) ended during the probe:
			// the probe did run, only not to its end, so the address is
			// not used unprobed (another host may have it); the next
			// discovery is offered it again and probes it whole.
			return nil, fmt.Errorf("probe of %v cut short: %w", l.Addr.Addr(), ctx.Err())
		default:
			// The probe could not run: the address is used as RFC 2131
			// allows (the probe is a SHOULD), and the console says so.
			m.log.Printf("network: %s DHCP: %v: using %v unprobed", m.link, err, l.Addr.Addr())
		}
	}
	m.ack = lease.ACK
	return &l, nil
}

// probe asks the link whether another host has addr (arpProbe).
func (m *mgmtDHCP) probe(ctx context.Context, addr netip.Addr) error {
	if m.pace.ProbeCount <= 0 {
		return nil
	}
	ifc, err := net.InterfaceByIndex(m.index)
	if err != nil {
		return err
	}
	return arpProbe(ctx, ifc, addr, m.pace.ProbeCount, m.pace.ProbeInterval, m.pace.ProbeListen)
}

// decline tells the server that leased an address another host answers
// for that the client will not use it (DHCPDECLINE, RFC 2131 section
// 4.4.1): the server marks it in use and offers another.
func (m *mgmtDHCP) decline(c *nclient4.Client, ack *dhcpv4.DHCPv4, conflict *arpConflict) {
	m.declined = true
	msg, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeDecline), dhcpv4.WithHwAddr(ack.ClientHWAddr),
		dhcpv4.WithTransactionID(ack.TransactionID),
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(ack.YourIPAddr)),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(ack.ServerIdentifier())),
		dhcpv4.WithOption(dhcpv4.OptMessage("address answers ARP")))
	if err == nil {
		// A DECLINE has no answer: the read only ends the call once the
		// message is out.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err = c.SendAndRead(ctx, &net.UDPAddr{IP: net.IPv4bcast, Port: nclient4.ServerPort}, msg,
			func(*dhcpv4.DHCPv4) bool { return false })
		cancel()
		if errors.Is(err, nclient4.ErrNoResponse) || errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
	}
	if err != nil {
		m.log.Warnf("network: %s DHCP: %v: DECLINE to server %v not sent: %v", m.link, conflict, ack.ServerIdentifier(), err)
	}
}

// errNAK is a server refusing the address: it is given up at once.
type errNAK struct {
	server net.IP
	msg    string
}

func (e *errNAK) Error() string {
	if e.msg == "" {
		return fmt.Sprintf("server %v refused it (NAK)", e.server)
	}
	return fmt.Sprintf("server %v refused it (NAK: %s)", e.server, e.msg)
}

// hold keeps l until it is lost, renewing and rebinding it; it returns
// the next lease to hold, or nil when the address has been given up.
func (m *mgmtDHCP) hold(ctx context.Context, l *dhcpLease) *dhcpLease {
	if l.Lease >= infiniteLease {
		<-ctx.Done()
		return nil
	}
	if !sleepUntil(ctx, l.Got.Add(l.T1)) {
		return nil
	}
	m.log.Printf("network: %s DHCP: renewing %v with server %v (T1, unicast)", m.link, l.Addr.Addr(), l.Server)
	nl, err := m.extend(ctx, l, true, l.Got.Add(l.T2))
	if err == nil {
		m.log.Printf("network: %s DHCP: %v renewed by server %v: lease %s", m.link, l.Addr.Addr(), nl.Server, nl.Lease)
		m.apply(nl)
		return nl
	}
	if ctx.Err() != nil {
		return nil
	}
	var nak *errNAK
	if !errors.As(err, &nak) {
		m.log.Printf("network: %s DHCP: no answer from server %v by T2: rebinding %v with any server (broadcast)", m.link, l.Server, l.Addr.Addr())
		nl, err = m.extend(ctx, l, false, l.Got.Add(l.Lease))
		if err == nil {
			m.log.Printf("network: %s DHCP: %v rebound by server %v: lease %s", m.link, l.Addr.Addr(), nl.Server, nl.Lease)
			m.apply(nl)
			return nl
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	if errors.As(err, &nak) {
		m.drop(fmt.Sprintf("%v: %v", l.Addr.Addr(), err))
	} else {
		m.drop(fmt.Sprintf("lease of %v expired without renewal (held %s)", l.Addr, time.Since(l.Got).Round(time.Second)))
	}
	return nil
}

// extend asks for l again until the deadline: from its server (unicast)
// when renewing, from any server (broadcast) when rebinding, from the
// leased address's port 68 either way, with the address in ciaddr.
func (m *mgmtDHCP) extend(ctx context.Context, l *dhcpLease, renew bool, deadline time.Time) (*dhcpLease, error) {
	dest := &net.UDPAddr{IP: net.IPv4bcast, Port: nclient4.ServerPort}
	if renew {
		dest = &net.UDPAddr{IP: l.Server.AsSlice(), Port: nclient4.ServerPort}
	}
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil, errors.New("no answer")
		}
		// Half the time left, not more often than ResendMin, not past
		// the deadline.
		wait := min(max(left/2, m.pace.ResendMin), left)
		sent := time.Now()
		ack, err := m.request(ctx, l, dest, wait)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			var nak *errNAK
			if errors.As(err, &nak) {
				return nil, err
			}
			if time.Until(deadline) > 0 {
				m.log.Printf("network: %s DHCP: %v: %v; asking again", m.link, l.Addr.Addr(), err)
			}
			// A socket error returns at once: still one request per wait.
			sleepUntil(ctx, sent.Add(wait))
			continue
		}
		nl, err := leaseFromACK(ack, sent)
		if err != nil {
			m.log.Printf("network: %s DHCP: %v", m.link, err)
			sleepUntil(ctx, sent.Add(wait))
			continue
		}
		return &nl, nil
	}
}

// request sends one REQUEST for l's address to dest and waits up to wait
// for the ACK or NAK.
func (m *mgmtDHCP) request(ctx context.Context, l *dhcpLease, dest *net.UDPAddr, wait time.Duration) (*dhcpv4.DHCPv4, error) {
	conn, err := m.listen(l.Addr.Addr())
	if err != nil {
		return nil, err
	}
	ifc, err := net.InterfaceByIndex(m.index)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c, err := nclient4.NewWithConn(conn, ifc.HardwareAddr, nclient4.WithTimeout(wait), nclient4.WithRetry(1))
	if err != nil {
		conn.Close()
		return nil, err
	}
	defer c.Close()
	req, err := dhcpv4.New(dhcpv4.WithHwAddr(ifc.HardwareAddr), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
		dhcpv4.WithClientIP(l.Addr.Addr().AsSlice()), dhcpv4.WithBroadcast(false), requested,
		dhcpv4.WithOption(dhcpv4.OptMaxMessageSize(nclient4.MaxMessageSize)))
	if err != nil {
		return nil, err
	}
	ack, err := c.SendAndRead(ctx, dest, req, nclient4.IsMessageType(dhcpv4.MessageTypeAck, dhcpv4.MessageTypeNak))
	if err != nil {
		if errors.Is(err, nclient4.ErrNoResponse) {
			return nil, fmt.Errorf("no answer in %s", wait.Round(100*time.Millisecond))
		}
		return nil, err
	}
	if ack.MessageType() == dhcpv4.MessageTypeNak {
		return nil, &errNAK{server: ack.ServerIdentifier(), msg: ack.Message()}
	}
	return ack, nil
}

// listen opens a UDP socket on port 68 bound to the link. Renewals and
// rebinds leave from the link's address (the leased one), and it takes
// their answers both sent to that address and broadcast (dnsmasq
// broadcasts its NAK); addr only names the socket in errors.
func (m *mgmtDHCP) listen(addr netip.Addr) (net.PacketConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); serr != nil {
				return
			}
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1); serr != nil {
				return
			}
			serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, m.link)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", nclient4.ClientPort))
	if err != nil {
		return nil, fmt.Errorf("socket for %v on port %d: %w", addr, nclient4.ClientPort, err)
	}
	return c, nil
}

// apply puts lease l on the link: its address (with the lease as the
// kernel's valid lifetime, so the address goes at the lease's end even if
// this process is stuck) and routes (option 121's, else the default
// route through the router), replacing what an earlier lease or the
// fallback put there, and writes the lease file.
func (m *mgmtDHCP) apply(l *dhcpLease) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	old := m.cur
	if m.onFallback {
		m.removeAddr(m.fallback, m.fallbackGW)
		m.onFallback = false
	}
	if old != nil && old.Addr != l.Addr {
		m.removeLease(old)
		m.log.Printf("network: %s DHCP: address changed from %s to %s", m.link, old.Addr, l.Addr)
	}
	valid := l.Lease
	if valid >= infiniteLease {
		valid = 0
	}
	if err := m.rt.AddAddrLifetime(m.index, l.Addr, valid); err != nil {
		m.log.Printf("network: %s DHCP: %v", m.link, err)
	}
	if old != nil && old.Addr == l.Addr {
		// Routes the new lease no longer gives go.
		for _, r := range old.routes() {
			if !slices.Contains(l.routes(), r) {
				if err := m.rt.DelRoute(m.index, r.Dst, r.GW); err != nil && !gone(err) {
					m.log.Printf("network: %s DHCP: %v", m.link, err)
				}
			}
		}
		switch {
		case old.Router.IsValid() && l.Router.IsValid() && old.Router != l.Router:
			m.log.Printf("network: %s DHCP: gateway changed from %v to %v", m.link, old.Router, l.Router)
		case !slices.Equal(old.routes(), l.routes()):
			m.log.Printf("network: %s DHCP: routes changed: %s", m.link, l)
		}
	}
	for _, r := range l.routes() {
		if err := m.rt.AddRoute(m.index, r.Dst, r.GW); err != nil {
			m.log.Printf("network: %s DHCP: %v", m.link, err)
		}
	}
	// The file first: whoever reads a log line saying the lease's
	// servers must find them in the file flowtapd reads.
	m.cur = l
	m.writeLeaseFile(l)
	if old == nil || old.Addr != l.Addr {
		m.log.Printf("network: %s %s", m.link, l)
	}
	if old == nil || !slices.Equal(old.NameServers, l.NameServers) || old.Domain != l.Domain {
		if len(l.NameServers) > 0 || l.Domain != "" {
			m.log.Printf("network: %s DHCP: name servers %s, domain %q", m.link, joinAddrs(l.NameServers), l.Domain)
		}
	}
}

func joinAddrs(as []netip.Addr) string {
	if len(as) == 0 {
		return "none"
	}
	var s []string
	for _, a := range as {
		s = append(s, a.String())
	}
	return strings.Join(s, " ")
}

// writeLeaseFile writes what lease l gives to the lease file
// (dhcplease): flowtapd reads the name servers and the domain there, and
// an operator in the shell sees the lease.
func (m *mgmtDHCP) writeLeaseFile(l *dhcpLease) {
	if m.leaseFile == "" {
		return
	}
	f := dhcplease.Lease{Interface: m.link, Addr: l.Addr, Server: l.Server, Obtained: l.Got,
		NameServers: l.NameServers, Domain: l.Domain}
	if l.Lease < infiniteLease {
		f.Expires = l.Got.Add(l.Lease)
	}
	for _, r := range l.routes() {
		f.Routes = append(f.Routes, dhcplease.Route{Dst: r.Dst, GW: r.GW})
	}
	if err := dhcplease.Write(m.leaseFile, f); err != nil {
		m.log.Printf("network: %s DHCP: %v", m.link, err)
	}
}

func (m *mgmtDHCP) removeLeaseFile() {
	if m.leaseFile != "" {
		if err := dhcplease.Remove(m.leaseFile); err != nil {
			m.log.Printf("network: %s DHCP: %v", m.link, err)
		}
	}
}

// removeLease removes lease l's routes and address from the link.
func (m *mgmtDHCP) removeLease(l *dhcpLease) {
	for _, r := range l.routes() {
		if err := m.rt.DelRoute(m.index, r.Dst, r.GW); err != nil && !gone(err) {
			m.log.Printf("network: %s: %v", m.link, err)
		}
	}
	if err := m.rt.DelAddr(m.index, l.Addr); err != nil && !gone(err) {
		m.log.Printf("network: %s: %v", m.link, err)
	}
}

// drop gives the held address and its routes up, saying why, and
// puts the fallback back when the operator asked for one.
func (m *mgmtDHCP) drop(why string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	if m.cur != nil {
		m.removeLease(m.cur)
		m.cur, m.ack = nil, nil
		m.removeLeaseFile()
	}
	msg := fmt.Sprintf("network: %s DHCP: %s: address and default route removed, discovering again", m.link, why)
	if m.fallback.IsValid() {
		msg += fmt.Sprintf("; %s meanwhile", m.fallbackString())
		m.applyFallback()
	}
	m.log.Warnf("%s", msg)
}

// release gives the lease back to its server (DHCPRELEASE, RFC 2131
// section 4.4.6) at an orderly stop (reload, shutdown): the server can
// lease the address again at once rather than at the lease's end, and
// the client changes nothing on the link afterwards. Without a lease it
// does nothing.
func (m *mgmtDHCP) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	l, ack := m.cur, m.ack
	if l == nil || ack == nil {
		return
	}
	if err := m.sendRelease(l, ack); err != nil {
		m.log.Warnf("network: %s DHCP: release of %v to server %v: %v", m.link, l.Addr.Addr(), l.Server, err)
		return
	}
	m.log.Printf("network: %s DHCP: released %v to server %v", m.link, l.Addr.Addr(), l.Server)
	m.removeLease(l)
	m.removeLeaseFile()
	m.cur, m.ack = nil, nil
}

// sendRelease sends the RELEASE, unicast to the server from the leased
// address (which the link still has).
func (m *mgmtDHCP) sendRelease(l *dhcpLease, ack *dhcpv4.DHCPv4) error {
	msg, err := dhcpv4.NewReleaseFromACK(ack, dhcpv4.WithClientIP(l.Addr.Addr().AsSlice()),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(l.Server.AsSlice())))
	if err != nil {
		return err
	}
	conn, err := m.listen(l.Addr.Addr())
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.WriteTo(msg.ToBytes(), &net.UDPAddr{IP: l.Server.AsSlice(), Port: nclient4.ServerPort})
	return err
}

func (m *mgmtDHCP) fallbackString() string {
	if m.fallbackGW.IsValid() {
		return fmt.Sprintf("%s gateway %v", m.fallback, m.fallbackGW)
	}
	return m.fallback.String()
}

func (m *mgmtDHCP) applyFallback() {
	if err := m.rt.AddAddr(m.index, m.fallback); err != nil {
		m.log.Printf("network: %s: %v", m.link, err)
		return
	}
	m.onFallback = true
	if m.fallbackGW.IsValid() {
		if err := m.rt.AddDefaultRoute(m.index, m.fallbackGW); err != nil {
			m.log.Printf("network: %s: %v", m.link, err)
		}
	}
}

// removeAddr removes the default route through gw and the address p; one
// already gone (the kernel drops an address whose lifetime ran out) is
// no error.
func (m *mgmtDHCP) removeAddr(p netip.Prefix, gw netip.Addr) {
	if gw.IsValid() {
		if err := m.rt.DelDefaultRoute(m.index, gw); err != nil && !gone(err) {
			m.log.Printf("network: %s: %v", m.link, err)
		}
	}
	if err := m.rt.DelAddr(m.index, p); err != nil && !gone(err) {
		m.log.Printf("network: %s: %v", m.link, err)
	}
}

func gone(err error) bool {
	return errors.Is(err, unix.EADDRNOTAVAIL) || errors.Is(err, unix.ESRCH) || errors.Is(err, unix.ENOENT)
}

// jitter spreads d by up to a quarter either way, so that boxes powered
// on together (a rack after an outage) do not all ask at once.
func jitter(d time.Duration) time.Duration {
	return d - d/4 + rand.N(d/2+1)
}

// sleepCtx sleeps for d; false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func sleepUntil(ctx context.Context, at time.Time) bool { return sleepCtx(ctx, time.Until(at)) }
