package snmp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/mgmt/hostres"
)

// Message size limits. 1472 octets is an Ethernet MTU less the IPv4 and
// UDP headers: a response that size leaves the box unfragmented over IPv4
// (IPv6 hosts fragment it themselves). RFC 3417 section 3.2 requires every
// engine to take at least 484 octets.
const (
	DefaultMaxMessageSize = 1472
	minMessageSize        = 484
	maxUDPPayload         = 65507
)

// Config configures an Agent. Everything but Listen has a default.
type Config struct {
	// Listen holds UDP addresses such as "0.0.0.0:161" and "[::]:161".
	Listen []string

	Communities []Community
	Users       []User

	// EngineID is snmpEngineID; nil means DefaultEngineID().
	EngineID []byte
	// EngineBoots is snmpEngineBoots, which must grow with every start
	// (see NextEngineBoots); 0 means 1.
	EngineBoots uint32

	// MaxMessageSize is snmpEngineMaxMessageSize: the largest message the
	// agent accepts or sends. A v3 response is also held to the request's
	// msgMaxSize. Zero means DefaultMaxMessageSize.
	MaxMessageSize int

	Logger *slog.Logger     // nil discards
	Now    func() time.Time // nil means time.Now

	// MIB backends. System feeds the system group; Setter, when set,
	// makes the configuration objects writable; Netflow, when set, adds
	// CISCO-NETFLOW-MIB and IPFIX-MIB; Interfaces defaults to netlink.
	System  func() SystemInfo
	Setter  Setter
	Netflow NetflowProvider
	// CacheLimits gives the writable ranges of the main cache objects
	// under the running persona; nil keeps the IOS router's.
	CacheLimits func() CacheLimits
	Interfaces  InterfaceSource
	// Addresses lists the interfaces' addresses for IP-MIB; nil reads
	// them from netlink.
	Addresses      AddressSource
	InterfaceAlias func(ifName string) string
	// LinkTrap is ifLinkUpDownTrapEnable: whether linkUp and linkDown
	// are sent for an interface (`[no] snmp trap link-status` under it);
	// nil sends them for every interface.
	LinkTrap func(ifName string) bool
	// HostDisks are the paths whose file systems HOST-RESOURCES-MIB's
	// hrStorageTable lists; nil means "/".
	HostDisks []string
	// CPU is the sampler CISCO-PROCESS-MIB's CPU figures read, shared
	// with `show processes cpu`; nil gives the agent one of its own,
	// sampled while it runs.
	CPU *hostres.CPUAverages
	// Inventory lists the box's parts for ENTITY-MIB (and
	// cpmCPUTotalPhysicalIndex names its chassis); nil is a chassis
	// described by the system group alone.
	Inventory Inventory

	// Receivers get the notifications.
	Receivers []Receiver

	// RateLimit bounds the work one manager address can cause.
	RateLimit RateLimit
	// Traps is `snmp-server enable traps`: the watchers' notifications
	// (linkUp, linkDown, the cache high-water one) are sent only while it
	// is set; see SetTraps.
	Traps bool
	// TrapTypes are the notifications sent while Traps is off, chosen
	// one by one (`snmp-server enable traps snmp linkdown linkup
	// coldstart warmstart`, `snmp-server enable traps config`); see
	// SetTrapTypes.
	TrapTypes TrapTypes
	// AuthenTraps sends authenticationFailure (snmpEnableAuthenTraps)
	// for requests that fail authentication; see SetAuthenTraps.
	AuthenTraps bool
}

// Agent is an SNMP command responder and notification originator.
type Agent struct {
	cpu    hostres.CPULoad // hrProcessorLoad's samples, taken while the agent runs
	cpuAvg *hostres.CPUAverages
	// inventory is Config.Inventory; entity numbers its parts.
	inventory Inventory
	entity    entityState
	ownAvg    bool // cpuAvg is the agent's own, run by Start
	log       *slog.Logger
	system    func() SystemInfo // the system group's source
	reg       *Registry
	engine    engine
	maxSize   int
	ctr       counters
	salt      atomic.Uint64
	limit     *limiter
	// limitLog is when the rate limit was last logged and the total
	// dropped then, when the run of drops it belongs to was first logged
	// and when the last drop came, so that a flood is logged once a
	// minute at first, not per datagram, and less often as it goes on.
	limitLog struct {
		sync.Mutex
		at, first, last time.Time
		dropped         uint32
	}
	// authLog is when an authentication failure was last logged and how
	// many were not logged since, so that guessing shows in the log
	// (IOS's %SNMP-3-AUTHFAIL) without a flood filling it.
	authLog struct {
		sync.Mutex
		at      time.Time
		skipped int
	}
	// authenTraps is snmpEnableAuthenTraps; traps is Config.Traps.
	authenTraps atomic.Bool
	traps       atomic.Bool
	trapTypes   atomic.Uint32            // Config.TrapTypes
	linkTrap    func(ifName string) bool // Config.LinkTrap
	// ifs is IF-MIB's interface list (Config.Interfaces), which may hold
	// interfaces of the appliance's own beside the kernel's (a tap's link).
	ifs InterfaceSource
	// setSerial is snmpSetSerialNo, the managers' advisory lock
	// (SNMPv2-TC TestAndIncr); changed only under setMu.
	setSerial atomic.Int32
	// ccm is CISCO-CONFIG-MAN-MIB's configuration history.
	ccm configHistory
	// notified counts each receiver's notifications (netip.AddrPort to
	// *notifyCounts), for show snmp.
	notified sync.Map

	// communityKey keys the community digests (community.go), drawn
	// per agent so that a digest means nothing outside it.
	communityKey [32]byte

	mu          sync.RWMutex // guards the three below
	communities communityTable
	users       map[string]*usmUser
	receivers   []*receiver

	setMu sync.Mutex // one Set at a time: test and commit must not interleave

	listen []string
	conns  []net.PacketConn
	wg     sync.WaitGroup
	ctx    context.Context // the agent's life, for notifications it starts itself
	cancel context.CancelFunc
	// closed is closed by Close: the watchers end with it and Notify
	// sends nothing after it, so that an agent replaced or switched off
	// (no snmp-server) sends no more notifications.
	closed    chan struct{}
	closeOnce sync.Once
}

// New builds an agent and registers the standard MIBs its Config asks for.
func New(cfg Config) (*Agent, error) {
	a := &Agent{log: cfg.Logger, reg: NewRegistry(), listen: cfg.Listen, closed: make(chan struct{})}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	id := cfg.EngineID
	if id == nil {
		id = DefaultEngineID()
	}
	if err := checkEngineID(id); err != nil {
		return nil, err
	}
	boots := cfg.EngineBoots
	if boots == 0 {
		boots = 1
	}
	if boots > maxEngineBoots {
		boots = maxEngineBoots
	}
	a.engine = engine{id: append([]byte(nil), id...), boots: int32(boots), start: now(), now: now}
	a.limit = newLimiter(cfg.RateLimit, now)
	a.authenTraps.Store(cfg.AuthenTraps)
	a.traps.Store(cfg.Traps)
	a.trapTypes.Store(uint32(cfg.TrapTypes))
	a.linkTrap = cfg.LinkTrap
	a.ifs = cfg.Interfaces
	if a.ifs == nil {
		a.ifs = NetlinkInterfaces{}
	}
	a.ctx = context.Background()

	a.maxSize = cfg.MaxMessageSize
	if a.maxSize == 0 {
		a.maxSize = DefaultMaxMessageSize
	}
	if a.maxSize < minMessageSize || a.maxSize > maxUDPPayload {
		return nil, fmt.Errorf("snmp: max message size %d not in %d..%d", a.maxSize, minMessageSize, maxUDPPayload)
	}
	var salt [8]byte
	randRead(salt[:])
	a.salt.Store(beUint64(salt[:]))
	// A TestAndIncr may start anywhere; a random start keeps a manager
	// from reusing a value it read before a restart.
	a.setSerial.Store(int32(beUint64(salt[:]) >> 33))

	randRead(a.communityKey[:])
	a.SetCommunities(cfg.Communities)
	if err := a.SetUsers(cfg.Users); err != nil {
		return nil, err
	}
	if err := a.SetReceivers(cfg.Receivers); err != nil {
		return nil, err
	}
	if err := a.registerStandardMIBs(cfg); err != nil {
		return nil, err
	}
	return a, nil
}

// Registry is where other packages add their MIBs.
func (a *Agent) Registry() *Registry { return a.reg }

// EngineID is snmpEngineID.
func (a *Agent) EngineID() []byte { return append([]byte(nil), a.engine.id...) }

// Uptime is sysUpTime in hundredths of a second.
func (a *Agent) Uptime() uint32 { return ticks(a.engine.uptime(a.engine.now())) }

// ticksAt is a TimeStamp: sysUpTime at t, 0 for anything before the start.
// It is sysUpTime now less the wall-clock time since t: a flow's times
// (cnfTopFlows) are wall-clock times, converted from the datapath's
// stamps, and counted from the start by the wall clock they were off by
// every step NTP made to it since, or 0 after a step back past the start.
func (a *Agent) ticksAt(t time.Time) uint32 {
	if t.IsZero() {
		return 0
	}
	now := a.engine.now()
	d := a.engine.uptime(now) - now.Sub(t)
	if d <= 0 {
		return 0
	}
	return ticks(d)
}

// SetCommunities replaces the v1/v2c communities.
func (a *Agent) SetCommunities(list []Community) {
	c := newCommunityTable(a.communityKey[:], list)
	a.mu.Lock()
	a.communities = c
	a.mu.Unlock()
}

// SetUsers replaces the USM users. Keys are derived here, which takes a
// few milliseconds per password.
func (a *Agent) SetUsers(list []User) error {
	users := make(map[string]*usmUser, len(list))
	for _, u := range list {
		if _, dup := users[u.Name]; dup {
			return fmt.Errorf("snmp: user %q configured twice", u.Name)
		}
		uu, err := newUSMUser(u, a.engine.id)
		if err != nil {
			return err
		}
		users[u.Name] = uu
	}
	a.mu.Lock()
	a.users = users
	a.mu.Unlock()
	return nil
}

// Start opens the listening sockets and serves until Close or until ctx
// ends.
func (a *Agent) Start(ctx context.Context) error {
	if len(a.listen) == 0 {
		return errors.New("snmp: no listen address configured")
	}
	ctx, a.cancel = context.WithCancel(ctx)
	a.ctx = ctx
	var lc net.ListenConfig
	for _, addr := range a.listen {
		// A literal address picks its family; a name or an empty host
		// ("":161) lets the system choose, dual-stack where it can.
		network := "udp"
		if ap, err := netip.ParseAddrPort(addr); err == nil {
			network = "udp4"
			if ap.Addr().Is6() && !ap.Addr().Is4In6() {
				network = "udp6"
			}
		}
		pc, err := lc.ListenPacket(ctx, network, addr)
		if err != nil {
			a.Close()
			return fmt.Errorf("snmp: listen on %s: %w", addr, err)
		}
		a.conns = append(a.conns, pc)
	}
	for _, pc := range a.conns {
		a.wg.Add(1)
		go a.serve(pc)
	}
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.cpu.Run(ctx, cpuSampleEvery) }()
	if a.ownAvg {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.cpuAvg.Run(ctx) }()
	}
	go func() {
		<-ctx.Done()
		for _, pc := range a.conns {
			pc.Close()
		}
	}()
	a.log.Info("snmp: agent listening", "addrs", a.listen, "engineID", fmt.Sprintf("%x", a.engine.id), "boots", a.engine.boots)
	return nil
}

// LocalAddrs are the bound addresses, useful when a port was 0.
func (a *Agent) LocalAddrs() []net.Addr {
	out := make([]net.Addr, len(a.conns))
	for i, pc := range a.conns {
		out[i] = pc.LocalAddr()
	}
	return out
}

// Close stops serving and waits for the receive loops to end. The
// watchers (WatchLinks, WatchCache) end too, and Notify sends nothing
// from then on.
func (a *Agent) Close() error {
	a.closeOnce.Do(func() { close(a.closed) })
	if a.cancel != nil {
		a.cancel()
	}
	for _, pc := range a.conns {
		pc.Close()
	}
	a.wg.Wait()
	return nil
}

// errClosed is Notify's answer once the agent is closed.
var errClosed = errors.New("snmp: agent closed")

// alive is ctx, ended too when the agent closes: what watches for an
// agent must not outlive it.
func (a *Agent) alive(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-a.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// cpuSampleEvery is how often the processor load is sampled: 12 samples
// make hrProcessorLoad's minute.
const cpuSampleEvery = 5 * time.Second

// limitLogEvery is how long after its first line a flood being rate
// limited is logged again; each further line waits twice as long as the
// flood had lasted at the one before, up to limitLogMax, and a flood that
// stops for limitLogMax starts over. A line a minute, as before, was
// 1,440 a day for a manager that polls too fast for months, which left
// nothing else in show logging.
const (
	limitLogEvery = time.Minute
	limitLogMax   = time.Hour
)

// logLimited logs that requests are being dropped by the rate limit, with
// how many since the last line: at the first drop of a run, then after 1,
// 2, 4 ... 64 minutes, then hourly.
func (a *Agent) logLimited(from netip.AddrPort) {
	l := &a.limitLog
	now := a.engine.now()
	l.Lock()
	defer l.Unlock()
	newRun := l.at.IsZero() || now.Sub(l.last) >= limitLogMax
	l.last = now
	if newRun {
		l.first = now
	} else if now.Sub(l.at) < min(max(l.at.Sub(l.first), limitLogEvery), limitLogMax) {
		return
	}
	total := a.ctr.get(cRateLimited)
	args := []any{"from", from.Addr().String(), "dropped", total - l.dropped}
	if !l.at.IsZero() {
		args = append(args, "since", l.at.Format(time.RFC3339))
	}
	a.log.Warn("snmp: requests over the rate limit are dropped", args...)
	l.at, l.dropped = now, total
}

// SetAuthenTraps turns authenticationFailure notifications on or off
// (`snmp-server enable traps snmp authentication`).
func (a *Agent) SetAuthenTraps(on bool) { a.authenTraps.Store(on) }

// SetTraps turns the watchers' notifications on or off (`snmp-server
// enable traps`); an event while they are off is not sent later.
func (a *Agent) SetTraps(on bool) { a.traps.Store(on) }

// TrapTypes is a set of the notifications that can be chosen one by one.
type TrapTypes uint32

const (
	TrapLinkDown TrapTypes = 1 << iota
	TrapLinkUp
	TrapColdStart
	TrapWarmStart
	TrapConfig // ciscoConfigManEvent
	TrapEntity // entConfigChange
	TrapFibre  // flowtapFibreSilent, flowtapFibreReceives
)

// SetTrapTypes chooses the notifications sent while SetTraps is off.
func (a *Agent) SetTrapTypes(t TrapTypes) { a.trapTypes.Store(uint32(t)) }

// sends reports whether a notification of type t goes out now: every
// one does under `snmp-server enable traps`, else the chosen ones.
func (a *Agent) sends(t TrapTypes) bool {
	return a.traps.Load() || TrapTypes(a.trapTypes.Load())&t != 0
}

// rcvBuf is the receive buffer asked for each socket: a flood that
// outruns the agent for a moment fills it rather than pushing out a
// manager's request.
const rcvBuf = 4 << 20

func (a *Agent) serve(pc net.PacketConn) {
	defer a.wg.Done()
	buf := make([]byte, 65536)
	uc, _ := pc.(*net.UDPConn)
	var oob []byte
	if uc != nil {
		_ = uc.SetReadBuffer(rcvBuf)
		if enablePktinfo(uc) {
			oob = make([]byte, 256)
		}
	}
	for {
		var (
			n        int
			from, to netip.AddrPort
			err      error
		)
		if uc != nil {
			var oobn int
			n, oobn, _, from, err = uc.ReadMsgUDPAddrPort(buf, oob)
			to = localAddr(uc, oob[:oobn])
		} else {
			var fa net.Addr
			n, fa, err = pc.ReadFrom(buf)
			if ua, ok := fa.(*net.UDPAddr); ok {
				from = ua.AddrPort()
			}
		}
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				a.log.Error("snmp: receive failed", "addr", pc.LocalAddr().String(), "err", err)
			}
			return
		}
		if !from.IsValid() {
			continue
		}
		if !a.limit.allow(from) {
			// Dropped before decoding: a flood costs a read and a map
			// look-up, not a MIB walk.
			a.ctr.inc(cRateLimited)
			a.logLimited(from)
			continue
		}
		resp := a.safeHandle(buf[:n], from, to)
		if resp == nil {
			continue
		}
		a.limit.charge(from, len(resp))
		var err2 error
		if uc != nil {
			_, _, err2 = uc.WriteMsgUDPAddrPort(resp, replyFrom(uc, to), from)
		} else {
			_, err2 = pc.WriteTo(resp, net.UDPAddrFromAddrPort(from))
		}
		if err2 != nil {
			a.log.Warn("snmp: send failed", "to", from.String(), "err", err2)
			continue
		}
		a.ctr.inc(cOutPkts)
	}
}

// safeHandle keeps one bad datagram from taking the daemon down: the
// decoder is third-party code fed by the network. The fuzz target calls
// handle directly, so a panic there still fails a test.
func (a *Agent) safeHandle(pkt []byte, from, to netip.AddrPort) (resp []byte) {
	defer func() {
		if r := recover(); r != nil {
			a.ctr.inc(cInASNParseErrs)
			a.log.Error("snmp: panic while handling a request", "from", from.String(), "panic", r, "stack", string(debug.Stack()))
			resp = nil
		}
	}()
	return a.handleTo(pkt, from, to)
}
