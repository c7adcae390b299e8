package snmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Receiver is a notification target (`snmp-server host`). With a User it
// gets SNMPv3 informs at the user's security level, retried until
// acknowledged; otherwise SNMPv2c traps with Community, or SNMPv2c
// informs with Inform.
type Receiver struct {
	Addr      netip.AddrPort
	Community string
	User      *User
	// Trap sends a User's notifications as SNMPv3 traps instead of
	// informs: this engine is the authoritative one, so the user's keys
	// localized to it serve (the receiver is told this engine's ID).
	Trap bool
	// Inform sends a Community receiver's notifications as SNMPv2c
	// InformRequests, retried until acknowledged (`snmp-server host ...
	// informs version 2c`).
	Inform bool
	// V1 sends a Community receiver's notifications as SNMPv1
	// Trap-PDUs, translated as RFC 3584 section 3.2 says (`snmp-server
	// host A [version 1] C`: IOS's default version).
	V1 bool
	// EngineID is the receiver's engine ID when User is given as keys
	// (AuthKey, PrivKey) localized to it, for informs (IOS's `snmp-server
	// engineID remote` and `snmp-server user ... remote`).
	EngineID []byte
	Timeout  time.Duration // per try; 0 means 1 s
	Retries  int           // informs only; 0 means 3, negative means none
}

// receiver is a Receiver with the USM state of its engine: informs are
// sent to an authoritative receiver, whose engine ID, boots and time are
// discovered (RFC 3414 section 4).
type receiver struct {
	Receiver
	user *usmUser // password keys only; localized per remote engine

	mu     sync.Mutex // one inform at a time per receiver; guards remote
	remote *remoteEngine
}

type remoteEngine struct {
	id               []byte
	boots            int32
	time             int32
	at               time.Time // local time when time was learned
	authKey, privKey []byte
}

// Notification is what Notify sends: snmpTrapOID and the bindings after
// sysUpTime and snmpTrapOID.
type Notification struct {
	OID      OID
	VarBinds []VarBind
}

// Standard notifications (SNMPv2-MIB, IF-MIB).
var (
	oidColdStart = mustOID("1.3.6.1.6.3.1.1.5.1")
	oidWarmStart = mustOID("1.3.6.1.6.3.1.1.5.2")
	oidLinkDown  = mustOID("1.3.6.1.6.3.1.1.5.3")
	oidLinkUp    = mustOID("1.3.6.1.6.3.1.1.5.4")
)

// SetReceivers replaces the notification targets.
func (a *Agent) SetReceivers(list []Receiver) error {
	rs := make([]*receiver, 0, len(list))
	for _, r := range list {
		if !r.Addr.IsValid() || r.Addr.Port() == 0 {
			return fmt.Errorf("snmp: receiver %s: needs an address and a port", r.Addr)
		}
		rr := &receiver{Receiver: r}
		if r.Timeout <= 0 {
			rr.Timeout = time.Second
		}
		if r.Retries == 0 {
			rr.Retries = 3
		}
		if r.User != nil {
			u, err := newUSMUser(*r.User, a.engine.id)
			if err != nil {
				return fmt.Errorf("snmp: receiver %s: %w", r.Addr, err)
			}
			if !r.Trap && u.Auth != AuthNone && u.authKu == nil && len(r.EngineID) == 0 {
				return fmt.Errorf("snmp: receiver %s: informs are keyed to the receiver's engine and user %s has keys for no engine named: give its EngineID, or send traps", r.Addr, u.Name)
			}
			rr.user = u
		} else if r.Community == "" {
			return fmt.Errorf("snmp: receiver %s: needs a community or a user", r.Addr)
		}
		rs = append(rs, rr)
	}
	a.mu.Lock()
	a.receivers = rs
	a.mu.Unlock()
	return nil
}

// Notify sends n to every receiver and waits until traps are sent and
// informs acknowledged or given up. The error joins each receiver's. A
// closed agent sends nothing.
func (a *Agent) Notify(ctx context.Context, n Notification) error {
	select {
	case <-a.closed:
		return errClosed
	default:
	}
	vbs := append([]VarBind{
		{Name: oidSysUp, Value: TimeTicks(a.Uptime())},
		{Name: oidTrapOID, Value: ObjectID(n.OID)},
	}, n.VarBinds...)
	encs := make([][]byte, len(vbs))
	for i, vb := range vbs {
		b, err := encodeVarBind(vb)
		if err != nil {
			return fmt.Errorf("snmp: notification %s: %w", n.OID, err)
		}
		encs[i] = b
	}
	a.mu.RLock()
	rs := a.receivers
	a.mu.RUnlock()
	errs := make([]error, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			switch {
			case r.user != nil && r.Trap:
				err = a.trapV3(r, encs)
			case r.user != nil:
				err = a.inform(ctx, r, encs)
			case r.Inform:
				err = a.informV2c(ctx, r, encs)
			case r.V1:
				err = a.trapV1(r, vbs)
			default:
				err = a.trap(r, encs)
			}
			c := a.notifyCount(r.Addr)
			if err != nil {
				c.dropped.Add(1)
				errs[i] = fmt.Errorf("snmp: notify %s of %s: %w", r.Addr, n.OID, err)
				a.log.Warn("snmp: notification not delivered", "to", r.Addr.String(), "oid", n.OID.String(), "err", err)
			} else {
				c.sent.Add(1)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// nextID numbers outgoing PDUs and messages.
func (a *Agent) nextID() int32 {
	return int32(a.salt.Add(1) & 0x7fffffff)
}

func (a *Agent) trap(r *receiver, encs [][]byte) error {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(r.Addr))
	if err != nil {
		return err
	}
	defer conn.Close()
	msg := encodeCommunityMessage(version2c, []byte(r.Community), encodePDU(pduTrapV2, a.nextID(), NoError, 0, encs))
	if _, err := conn.Write(msg); err != nil {
		return err
	}
	a.ctr.inc(cOutTraps)
	a.ctr.inc(cOutPkts)
	return nil
}

// oidSnmpTraps is SNMPv2-MIB's snmpTraps, the enterprise of the generic
// SNMPv1 traps (RFC 3584 section 3.2).
var oidSnmpTraps = mustOID("1.3.6.1.6.3.1.1.5")

// errV1Counter64 refuses a notification SNMPv1 cannot carry.
var errV1Counter64 = errors.New("a Counter64 binding cannot go in an SNMPv1 trap")

// trapV1 sends vbs (sysUpTime.0, snmpTrapOID.0, then the notification's
// own) as an SNMPv1 Trap-PDU, translated as RFC 3584 section 3.2 says:
// the five standard notifications become generic traps 0..4 of
// snmpTraps, any other enterpriseSpecific(6) with the last
// sub-identifier as its specific-trap and the rest (less a 0 before it)
// as its enterprise. agent-addr is the address the trap leaves from.
func (a *Agent) trapV1(r *receiver, vbs []VarBind) error {
	trapOID := vbs[1].Value.OID
	enterprise, generic, specific := trapOID[:len(trapOID)-1], int32(6), int32(trapOID[len(trapOID)-1])
	switch {
	case trapOID.HasPrefix(oidSnmpTraps) && len(trapOID) == len(oidSnmpTraps)+1 && specific >= 1 && specific <= 6:
		enterprise, generic, specific = oidSnmpTraps, specific-1, 0
	case len(enterprise) > 1 && enterprise[len(enterprise)-1] == 0:
		enterprise = enterprise[:len(enterprise)-1]
	}
	var encs [][]byte
	for _, vb := range vbs[2:] {
		if vb.Value.Kind == KindCounter64 {
			return errV1Counter64
		}
		b, err := encodeVarBind(vb)
		if err != nil {
			return err
		}
		encs = append(encs, b)
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(r.Addr))
	if err != nil {
		return err
	}
	defer conn.Close()
	agentAddr := [4]byte{}
	if la, ok := conn.LocalAddr().(*net.UDPAddr); ok {
		if ip := la.AddrPort().Addr().Unmap(); ip.Is4() {
			agentAddr = ip.As4()
		}
	}
	// The enterprise OID and the time-stamp are encoded as a binding's
	// name and value, then taken out of it.
	head, err := encodeVarBind(VarBind{Name: OID(enterprise), Value: TimeTicks(uint32(vbs[0].Value.Uint))})
	if err != nil {
		return err
	}
	seq, _, err := expectTLV(head, tagSequence, "enterprise")
	if err != nil {
		return err
	}
	_, _, stamp, err := readTLV(seq)
	if err != nil {
		return err
	}
	body := append([]byte(nil), seq[:len(seq)-len(stamp)]...)
	body = appendTLV(body, 0x40, agentAddr[:]) // IpAddress
	body = appendInteger(body, int64(generic))
	body = appendInteger(body, int64(specific))
	body = append(body, stamp...)
	n := 0
	for _, b := range encs {
		n += len(b)
	}
	vbl := make([]byte, 0, n)
	for _, b := range encs {
		vbl = append(vbl, b...)
	}
	body = appendTLV(body, tagSequence, vbl)
	msg := encodeCommunityMessage(version1, []byte(r.Community), appendTLV(nil, byte(pduTrapV1), body))
	if _, err := conn.Write(msg); err != nil {
		return err
	}
	a.ctr.inc(cOutTraps)
	a.ctr.inc(cOutPkts)
	return nil
}

// trapV3 sends an SNMPv3 Trap at the user's level, this engine being the
// authoritative one (RFC 3414 1.5.1): engine ID, boots and time are ours.
func (a *Agent) trapV3(r *receiver, encs [][]byte) error {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(r.Addr))
	if err != nil {
		return err
	}
	defer conn.Close()
	scoped := encodeScopedPDU(scopedPDU{contextEngineID: a.engine.id, pdu: encodePDU(pduTrapV2, a.nextID(), NoError, 0, encs)})
	u := r.user
	msg := a.seal(v3Out{msgID: a.nextID(), level: u.level(), msgData: scoped, usm: usmParams{user: []byte(u.Name)}},
		u.Auth, u.Priv, u.authKey, u.privKey, true)
	if msg == nil {
		return errors.New("cannot seal the trap")
	}
	if _, err := conn.Write(msg); err != nil {
		return err
	}
	a.ctr.inc(cOutTraps)
	a.ctr.inc(cOutPkts)
	return nil
}

// ColdStart announces that the agent (re)started.
func (a *Agent) ColdStart(ctx context.Context) error {
	return a.Notify(ctx, Notification{OID: oidColdStart})
}

// Started logs the start in IOS's words (%SNMP-5-COLDSTART or
// %SNMP-5-WARMSTART, with sysName) and, when notify is set or the type
// is chosen (SetTrapTypes), sends coldStart or warmStart.
func (a *Agent) Started(ctx context.Context, kind Start, notify bool) error {
	oid, tag, chosen := oidColdStart, "COLDSTART", TrapColdStart
	if kind == WarmStart {
		oid, tag, chosen = oidWarmStart, "WARMSTART", TrapWarmStart
	}
	notify = notify || a.sends(chosen)
	a.log.Info(fmt.Sprintf("%%SNMP-5-%s: SNMP agent on host %s is undergoing a %s start", tag, a.sysName(), kind))
	if !notify {
		return nil
	}
	return a.Notify(ctx, Notification{OID: oid})
}

// LinkDown and LinkUp send IF-MIB's notifications with ifIndex,
// ifAdminStatus and ifOperStatus of the interface as IF-MIB reads now;
// an interface already gone reports down/down.
func (a *Agent) LinkDown(ctx context.Context, ifIndex uint32) error {
	return a.Notify(ctx, Notification{OID: oidLinkDown, VarBinds: a.linkVarBinds(ifIndex, false)})
}

func (a *Agent) LinkUp(ctx context.Context, ifIndex uint32) error {
	return a.Notify(ctx, Notification{OID: oidLinkUp, VarBinds: a.linkVarBinds(ifIndex, true)})
}

func (a *Agent) linkVarBinds(ifIndex uint32, up bool) []VarBind {
	q := newMIBRequest(a.reg)
	fallback := map[uint32]Value{ifIndexColumn: Integer(int32(ifIndex)), ifAdminStatusColumn: Integer(2), ifOperStatusColumn: Integer(operDown)}
	if up {
		fallback[ifAdminStatusColumn], fallback[ifOperStatusColumn] = Integer(1), Integer(operUp)
	}
	var vbs []VarBind
	for _, col := range []uint32{ifIndexColumn, ifAdminStatusColumn, ifOperStatusColumn} {
		name := oidIfEntry.Append(col, ifIndex)
		v, err := q.get(name)
		if err != nil || v.Kind != KindInteger {
			v = fallback[col]
		}
		vbs = append(vbs, VarBind{Name: name, Value: v})
	}
	return vbs
}

// CacheHighWater sends flowtap's cache high-water notification.
func (a *Agent) CacheHighWater(ctx context.Context, active, entries uint32) error {
	return a.Notify(ctx, Notification{OID: oidCacheHighWater, VarBinds: []VarBind{
		{Name: oidNetflow.Append(1, 2, 1, 4, cacheMain), Value: Unsigned32(active)},
		{Name: oidNetflow.Append(1, 2, 1, 3, cacheMain), Value: Unsigned32(entries)},
	}})
}

// notifyCounts are one receiver's notifications: sent (a trap written, an
// inform acknowledged) and dropped (not written, or an inform given up
// after its retries), what IOS's show snmp "Logging to" line counts.
type notifyCounts struct{ sent, dropped atomic.Uint64 }

func (a *Agent) notifyCount(to netip.AddrPort) *notifyCounts {
	c, _ := a.notified.LoadOrStore(to, &notifyCounts{})
	return c.(*notifyCounts)
}

// NotifyStat is one configured receiver's notification counts since the
// agent started.
type NotifyStat struct {
	Addr          netip.AddrPort
	Sent, Dropped uint64
}

// NotifyStats are the configured receivers' counts, in their order; a
// receiver configured again keeps its counts while the agent runs.
func (a *Agent) NotifyStats() []NotifyStat {
	a.mu.RLock()
	rs := a.receivers
	a.mu.RUnlock()
	out := make([]NotifyStat, 0, len(rs))
	for _, r := range rs {
		c := a.notifyCount(r.Addr)
		out = append(out, NotifyStat{Addr: r.Addr, Sent: c.sent.Load(), Dropped: c.dropped.Load()})
	}
	return out
}
