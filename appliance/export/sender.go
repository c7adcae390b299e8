package export

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// Loss accounting. A UDP send that succeeds only means the packet left:
// a collector that is down answers it with ICMP port unreachable, which
// the kernel reports later (as an error on the next send on a connected
// socket, and, with IP_RECVERR, on the socket's error queue together with
// the start of the refused packet). So a sent packet is held "in flight"
// for ConfirmAfter and counted as exported only if no ICMP error named it
// by then; one that was named is counted as lost. This is exact as long
// as the kernel delivers an error per refused packet: the first refusal
// marks the collector unreachable, and from then on only one probe packet
// per ProbeEvery is sent (the others are discarded, counted as lost), so
// the kernel's ICMP rate limit is not reached.
const (
	// ConfirmAfter is how long a sent packet waits for an ICMP error
	// before it counts as exported: longer than a round trip to any
	// collector worth exporting to.
	ConfirmAfter = 250 * time.Millisecond
	// ProbeEvery is how often a packet is sent to an unreachable
	// collector to find out whether it is back.
	ProbeEvery = time.Second
	// maxInFlight bounds the packets awaiting confirmation; past it the
	// oldest counts as exported early. 8192 entries of 64 bytes: 512 KiB
	// per destination at most, reached only above 32K packets/s.
	maxInFlight = 8192
	// keyLen bytes of a packet's start identify it in an ICMP quote: the
	// export header, whose sequence number differs in every packet.
	keyLen = 20
	// ResolveWithin is how long a sent packet may wait for the next hop's
	// link-layer address (ARP, IPv6 neighbour discovery) before it counts
	// as lost: longer than the kernel's default resolution attempt
	// (3 solicitations a second apart), after which it drops the packets
	// waiting and answers them with a host unreachable of its own.
	ResolveWithin = 5 * time.Second
	// resolvePoll is how often the sender looks for the stamp of a packet
	// waiting for its next hop, before it sends the next one.
	resolvePoll = 5 * time.Millisecond
	// CongestedFor is how long a send refused for want of room on the
	// way out (ENOBUFS, EAGAIN) is tried again before the packet counts
	// as lost.
	CongestedFor = 5 * time.Second
	// stillDownLog is how long after the first line a collector that
	// stays unreachable is logged again; each further line waits twice
	// as long as the outage had lasted at the one before, up to
	// stillDownLogMax. A line a minute, as before, was 1,440 a day: a
	// collector left configured after it was switched off pushed every
	// other message out of show logging and filled the syslog hosts.
	stillDownLog    = time.Minute
	stillDownLogMax = time.Hour
)

type inFlight struct {
	key  [keyLen]byte
	klen int
	size int
	info PacketInfo
	at   time.Time
	// queued says the packet reached the outgoing device's queue (its
	// TX_SCHED stamp came back), so its next hop resolved.
	queued bool
}

// sender owns the socket: it sends queued packets, reads the socket's
// error queue and keeps the in-flight packets until they are confirmed.
type sender struct {
	e    *Exporter
	conn *net.UDPConn // nil until a dial succeeds
	// stamps says the kernel stamps each packet as it reaches the device
	// (setTxStamps); unqueued counts the in-flight packets without one.
	stamps   bool
	unqueued int
	log      atomic.Pointer[slog.Logger]
	// sent is told of each packet written (SetSent); nil: nobody.
	sent atomic.Pointer[func(netip.AddrPort)]
	// mark is the destination's spool mark (nil: none): a packet's
	// records are sending while it is written, sent once the write
	// returned or the packet was counted as lost.
	mark atomic.Pointer[spool.Mark]
	// held is the destination's totals of what it holds (nil: none): a
	// packet's part is in doubt while it is written, and leaves them
	// once the write returned or the packet was counted as lost.
	held atomic.Pointer[spool.Consumer]

	unreachable atomic.Bool
	// cause is the outage's lossCause, while unreachable; Export reads
	// it for the packets a full queue refuses meanwhile.
	cause       atomic.Uint32
	recovered   atomic.Bool // the collector answered again: resend templates
	flight      []inFlight  // oldest first
	lastProbe   time.Time
	downSince   time.Time
	lastDownLog time.Time
	lostAtDown  [2]uint64 // lost records and packets when it went down

	quote, oob []byte
	tokens     float64 // packets that may go out now (MaxRate)
	lastFill   time.Time
}

// attach makes conn the sender's socket.
func (s *sender) attach(conn *net.UDPConn) {
	s.conn, s.stamps = conn, setTxStamps(conn)
	if a, ok := conn.LocalAddr().(*net.UDPAddr); ok {
		l := a.AddrPort()
		l = netip.AddrPortFrom(l.Addr().Unmap(), l.Port())
		s.e.local.Store(&l)
	}
}

// dropStale closes the socket after a failed send if its source address
// is no longer one of this host's (DHCP gave the management port another
// address, an operator changed it): a connected UDP socket keeps the
// source it was connected with, and every send from it failed
// (ENETUNREACH) for as long as the exporter lived, each packet counted
// lost. The next probe dials again, from an address the host has.
func (s *sender) dropStale() {
	l, gone := netcfg.SourceGone(s.conn)
	if !gone {
		return
	}
	s.logger().Warn("export: this host no longer has the socket's source address: dialling the collector again",
		"collector", s.e.cfg.Collector, "source", l)
	s.conn.Close()
	s.conn = nil
}

// pace waits until MaxRate allows the next packet.
func (s *sender) pace() {
	rate := float64(s.e.cfg.MaxRate)
	if rate <= 0 {
		return
	}
	now := time.Now()
	s.tokens = min(s.tokens+now.Sub(s.lastFill).Seconds()*rate, rateBurst)
	s.lastFill = now
	if s.tokens < 1 {
		wait := time.Duration((1 - s.tokens) / rate * float64(time.Second))
		time.Sleep(wait)
		s.tokens, s.lastFill = 1, now.Add(wait)
	}
	s.tokens--
}

func (s *sender) run() {
	defer s.e.wg.Done()
	s.quote, s.oob = make([]byte, 64), make([]byte, 512)
	tick := time.NewTicker(ConfirmAfter / 2)
	defer tick.Stop()
	for {
		select {
		case i, ok := <-s.e.q.ready:
			if !ok {
				s.finish()
				return
			}
			s.sendSlot(i)
			s.e.q.release(i)
		case <-tick.C:
			s.reap(time.Now(), false)
		}
	}
}

// finish waits for the last packets sent to leave (or to fail to) and out
// their confirmation time, then counts them.
func (s *sender) finish() {
	for s.unqueued > 0 {
		time.Sleep(resolvePoll)
		s.reap(time.Now(), false)
	}
	if n := len(s.flight); n > 0 {
		if d := ConfirmAfter - time.Since(s.flight[n-1].at); d > 0 {
			time.Sleep(d)
		}
	}
	s.reap(time.Now(), true)
}

func (s *sender) sendSlot(i int32) {
	slot := &s.e.q.slots[i]
	m, h, t := s.mark.Load(), s.held.Load(), infoTally(slot.info)
	// Every way out of here has sent the packet or counted it as lost.
	defer m.Sent(slot.info.LastSeq)
	defer h.Done(t)
	if slot.n == 0 {
		return // a marker (Exporter.markDealt): nothing to write
	}
	now := time.Now()
	s.reap(now, false) // reading the error queue also clears a pending socket error
	// A packet still waiting for its next hop's address: the next one
	// would wait behind it in the kernel's neighbour queue, which drops
	// what overflows it unannounced. Wait as for a full queue, until the
	// address resolves or the wait marks the collector unreachable.
	for s.unqueued > 0 && !s.unreachable.Load() {
		time.Sleep(resolvePoll)
		now = time.Now()
		s.reap(now, false)
	}
	// A probe (or a packet sent before the outage) still waits for its
	// verdict: hold this packet until it comes rather than discard it,
	// since a probe that gets through means the collector is back and
	// this packet can go too. Discarding it cost the rest of the burst
	// that followed the probe, after the collector had returned. Export
	// does not wait meanwhile: while the collector is unreachable a full
	// queue drops, counted. Not behind a probe still waiting for its next
	// hop's address: that takes seconds to fail, and each packet held
	// behind one became the next such probe, so the queue drained at a
	// packet every few seconds and closing the exporter took minutes.
	for s.unreachable.Load() && len(s.flight) > 0 && s.unqueued == 0 {
		time.Sleep(resolvePoll)
		now = time.Now()
		s.reap(now, false)
	}
	if s.unreachable.Load() {
		// A probe of a templated version carries the templates, or a
		// collector that restarted would drop its data unseen.
		needTpl := s.e.cfg.Encoder.Version.Templated() && !slot.info.Templates
		if len(s.flight) > 0 || now.Sub(s.lastProbe) < ProbeEvery || needTpl {
			s.e.stats.failed(slot.info, nil, s.outageCause())
			return
		}
		s.lastProbe = now // this packet is the probe
	}
	if s.conn == nil {
		// No route to the collector when the exporter was made, or since:
		// dial again (the route may have come up).
		conn, err := dialCollector(s.e.cfg.Collector, s.e.cfg.Source, s.e.cfg.TTL)
		if err != nil {
			cause := sendCause(err)
			s.e.stats.failed(slot.info, err, cause)
			s.down(now, now, err, slot.info, cause)
			return
		}
		s.attach(conn)
		// The route's MTU, which the encoder could not know: the next
		// record Export gets makes packets that fit it.
		s.e.dialledPayload.Store(int64(pathPayload(conn, s.e.cfg.Collector.Addr())))
	}
	s.pace()
	m.Sending(slot.info.LastSeq)
	h.Sending(t)
	if err := s.write(slot.buf[:slot.n]); err != nil {
		err = fmt.Errorf("send to %s: %w", s.e.cfg.Collector, err)
		cause := sendCause(err)
		s.e.stats.failed(slot.info, err, cause)
		s.down(now, now, err, slot.info, cause)
		s.dropStale()
		return
	}
	if f := s.sent.Load(); f != nil {
		(*f)(s.e.cfg.Collector)
	}
	if len(s.flight) == maxInFlight {
		if s.flight[0].queued {
			s.confirm(0)
		} else {
			s.unresolved(now, 0)
		}
	}
	f := inFlight{size: slot.n, info: slot.info, at: now, queued: !s.stamps}
	if !f.queued {
		s.unqueued++
	}
	f.klen = copy(f.key[:], slot.buf[:slot.n])
	s.flight = append(s.flight, f)
}

// write sends p. A full queue on the way out (the outgoing device's
// qdisc, which IP_RECVERR makes the send report as ENOBUFS; the socket's
// send buffer, EAGAIN) means this host sends faster than its link
// carries, not that the collector is gone: it waits and sends again, as
// for a full export queue, for up to CongestedFor. Taking it for an
// outage threw away every packet until the next probe got through.
func (s *sender) write(p []byte) error {
	start, wait := time.Now(), time.Millisecond
	for {
		_, err := s.conn.Write(p)
		if err == nil || !(errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.EAGAIN)) || time.Since(start) >= CongestedFor {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, 50*time.Millisecond)
		// The refused attempt was stamped before the qdisc dropped it:
		// read the stamp now, while no packet is waiting for one.
		s.readErrors(time.Now())
	}
}

// reap reads the ICMP errors queued on the socket, counting each refused
// packet as lost, then counts the packets older than ConfirmAfter (all of
// them if final) as exported.
func (s *sender) reap(now time.Time, final bool) {
	if s.conn != nil {
		s.readErrors(now)
	}
	for len(s.flight) > 0 {
		f := &s.flight[0]
		if f.queued && (final || now.Sub(f.at) >= ConfirmAfter) {
			s.confirm(0)
		} else if !f.queued && (final || now.Sub(f.at) >= ResolveWithin) {
			s.unresolved(now, 0)
		} else {
			break
		}
	}
	if s.unreachable.Load() && s.stillDownDue(now) {
		s.lastDownLog = now
		st := s.e.stats.snapshot()
		s.logger().Warn("export: collector still unreachable", "collector", s.e.cfg.Collector,
			"down-for", now.Sub(s.downSince).Round(time.Second),
			"flows-lost", st.LostRecords-s.lostAtDown[0], "packets-lost", st.LostPackets-s.lostAtDown[1])
	}
}

// stillDownDue says whether to log again that the collector is still
// unreachable: a minute after it went, then at 2, 4, ... 64 minutes, then
// hourly.
func (s *sender) stillDownDue(now time.Time) bool {
	gap := min(max(s.lastDownLog.Sub(s.downSince), stillDownLog), stillDownLogMax)
	return now.Sub(s.lastDownLog) >= gap
}

// confirm counts in-flight packet j as exported and forgets it. A packet
// sent since the outage began (a probe, or one sent after the refused
// packet) that is confirmed while the collector is unreachable got
// through: the collector is back. One sent before the refused packet
// says nothing about it: it was in flight when the error came back, and
// taking it for the collector's return logged "reachable again" with a
// negative down-for, every few seconds while a route flapped.
func (s *sender) confirm(j int) {
	f := s.flight[j]
	s.remove(j)
	s.e.stats.sent(f.size, f.info, f.at)
	if s.unreachable.Load() && !f.at.Before(s.downSince) {
		s.unreachable.Store(false)
		s.recovered.Store(true)
		st := s.e.stats.snapshot()
		s.logger().Warn("export: collector reachable again", "collector", s.e.cfg.Collector,
			"down-for", f.at.Sub(s.downSince).Round(time.Millisecond),
			"flows-lost", st.LostRecords-s.lostAtDown[0], "packets-lost", st.LostPackets-s.lostAtDown[1])
	}
}

// unresolved counts in-flight packet j, which never reached the outgoing
// device, as lost: its next hop's address did not resolve.
func (s *sender) unresolved(now time.Time, j int) {
	info, at := s.flight[j].info, s.flight[j].at
	s.remove(j)
	err := fmt.Errorf("collector %s: next hop's address did not resolve (ARP/ND) within %v: %w",
		s.e.cfg.Collector, ResolveWithin, syscall.EHOSTUNREACH)
	s.e.stats.failed(info, err, causeAdjacency)
	s.down(now, at, err, info, causeAdjacency)
}

// stamped marks the oldest packet without a TX_SCHED stamp as queued.
// Stamps come back in the order packets reach the device, and the sender
// waits for one before it sends the next packet (while the collector is
// reachable; while it is not, it probes only with nothing in flight), so
// at most one packet is without a stamp and finding it from the newest
// end is quick.
func (s *sender) stamped() {
	if s.unqueued == 0 {
		return // a packet the kernel refused after stamping it (ENOBUFS)
	}
	j, seen := -1, 0
	for i := len(s.flight) - 1; i >= 0 && seen < s.unqueued; i-- {
		if !s.flight[i].queued {
			j, seen = i, seen+1
		}
	}
	if j < 0 {
		s.unqueued = 0 // cannot be: the count follows the flight
		return
	}
	s.flight[j].queued = true
	s.unqueued--
}

func (s *sender) remove(j int) {
	if !s.flight[j].queued {
		s.unqueued--
	}
	if j == 0 {
		// The usual case, confirming the oldest: O(1). append moves the
		// live entries to a new array when this one's end is reached.
		s.flight[0] = inFlight{}
		s.flight = s.flight[1:]
		return
	}
	copy(s.flight[j:], s.flight[j+1:])
	s.flight[len(s.flight)-1] = inFlight{}
	s.flight = s.flight[:len(s.flight)-1]
}

// down marks the collector unreachable and logs it once per outage;
// lost is the packet that revealed it, already counted as lost, and cause
// why, which the packets discarded until it answers are counted under.
// since is when the packet that showed it was sent: the outage began
// then, not when its error was read.
func (s *sender) down(now, since time.Time, err error, lost PacketInfo, cause lossCause) {
	if s.unreachable.Load() {
		return
	}
	// The cause first: Export reads it once it sees the flag. Only the
	// sender sets the flag, so the two cannot race each other.
	s.cause.Store(uint32(cause))
	s.unreachable.Store(true)
	s.lastProbe, s.downSince, s.lastDownLog = now, since, now
	st := s.e.stats.snapshot()
	s.lostAtDown = [2]uint64{st.LostRecords - uint64(lost.Records), st.LostPackets - lost.Packets}
	s.logger().Warn("export: collector unreachable, export records are lost until it answers",
		"collector", s.e.cfg.Collector, "err", err)
}

// outageCause is why the collector is unreachable, for the packets lost
// while it is.
func (s *sender) outageCause() lossCause { return lossCause(s.cause.Load()) }

// readErrors drains the socket's error queue (IP_RECVERR): each entry is
// an ICMP error quoting the start of the packet it refused.
func (s *sender) readErrors(now time.Time) {
	for {
		n, errno, origin, offender, ok := recvError(s.conn, s.quote, s.oob)
		if !ok {
			return
		}
		if origin == unix.SO_EE_ORIGIN_TIMESTAMPING {
			s.stamped()
			continue
		}
		s.icmpError(now, s.quote[:n], errno, offender)
	}
}

// icmpError counts the packet an ICMP error refused (quote is its start)
// as lost and, unless a hop only asked for smaller packets, marks the
// collector unreachable since that packet was sent.
func (s *sender) icmpError(now time.Time, quote []byte, errno syscall.Errno, offender netip.Addr) {
	err := fmt.Errorf("collector %s: %w", s.e.cfg.Collector, errno)
	cause := causeSend
	switch {
	case errno == syscall.EMSGSIZE:
		cause = causeTooBig
	case errno == syscall.EHOSTUNREACH && hostHas(offender):
		// This host's own "host unreachable": its ARP or
		// neighbour discovery for the next hop failed.
		cause = causeAdjacency
	}
	lost, at := s.refused(quote, err, cause)
	if errno == syscall.EMSGSIZE {
		// A hop's MTU was smaller than the packet (ICMPv6 packet
		// too big): that packet is lost, but the collector is
		// there, and the kernel fragments the next ones to fit.
		return
	}
	if at.IsZero() {
		at = now
	}
	s.down(now, at, err, lost, cause)
}

// sendCause is why a send (or a dial) failed at once: the routing table
// has no route (ENETUNREACH, or an unreachable route's EHOSTUNREACH), the
// packet is larger than the path allows, or another refusal.
func sendCause(err error) lossCause {
	switch {
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return causeNoRoute
	case errors.Is(err, syscall.EMSGSIZE):
		return causeTooBig
	}
	return causeSend
}

// hostHas says whether a is one of this host's addresses (false when
// they cannot be read).
func hostHas(a netip.Addr) bool {
	has, _ := netcfg.HostHas(a)
	return has
}

// refused counts the in-flight packet an ICMP error quotes as lost and
// returns it with when it was sent (zero if it is no longer in flight). A
// quote too short to name it (some routers quote only the UDP header)
// names the oldest: errors come back in the order packets went out.
func (s *sender) refused(quote []byte, err error, cause lossCause) (PacketInfo, time.Time) {
	j := -1
	if len(quote) >= 16 {
		m := min(len(quote), keyLen)
		for i := range s.flight {
			if s.flight[i].klen >= m && bytes.Equal(s.flight[i].key[:m], quote[:m]) {
				j = i
				break
			}
		}
	} else if len(s.flight) > 0 {
		j = 0
	}
	if j < 0 {
		// Already counted as exported (it waited longer than
		// ConfirmAfter): keep the error for show, nothing to move.
		s.e.stats.setError(err)
		return PacketInfo{}, time.Time{}
	}
	info, at := s.flight[j].info, s.flight[j].at
	s.e.stats.failed(info, err, cause)
	s.remove(j)
	return info, at
}

func (s *sender) logger() *slog.Logger {
	if l := s.log.Load(); l != nil {
		return l
	}
	return discardLogger
}

var discardLogger = slog.New(slog.DiscardHandler)

// recvError reads one entry of the socket's error queue into quote (the
// refused packet's start) and returns the error it reports, where it
// comes from (SO_EE_ORIGIN_*: an ICMP error, or a TX stamp) and who sent
// the error (the ICMP's source); ok is false when the queue is empty.
func recvError(conn *net.UDPConn, quote, oob []byte) (n int, errno syscall.Errno, origin uint8, offender netip.Addr, ok bool) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return 0, 0, 0, netip.Addr{}, false
	}
	var oobn int
	var rerr error
	if err := rc.Control(func(fd uintptr) {
		n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), quote, oob, syscall.MSG_ERRQUEUE|syscall.MSG_DONTWAIT)
	}); err != nil || rerr != nil {
		return 0, 0, 0, netip.Addr{}, false
	}
	errno = syscall.ECONNREFUSED
	if e, o, off, found := extendedErr(oob[:oobn]); found {
		errno, origin, offender = e, o, off
	}
	return min(n, len(quote)), errno, origin, offender, true
}

// extendedErr finds the sock_extended_err in IP_RECVERR or IPV6_RECVERR
// control data; its first fields are the errno and the origin, and the
// offender's address follows it (SO_EE_OFFENDER).
func extendedErr(oob []byte) (syscall.Errno, uint8, netip.Addr, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, 0, netip.Addr{}, false
	}
	for _, m := range msgs {
		if (m.Header.Level == syscall.SOL_IP && m.Header.Type == syscall.IP_RECVERR) ||
			(m.Header.Level == syscall.SOL_IPV6 && m.Header.Type == syscall.IPV6_RECVERR) {
			if len(m.Data) >= 5 {
				return syscall.Errno(binary.NativeEndian.Uint32(m.Data)), m.Data[4], offenderAddr(m.Data), true
			}
		}
	}
	return 0, 0, netip.Addr{}, false
}

// offenderAddr reads the sockaddr after a 16-byte sock_extended_err.
func offenderAddr(d []byte) netip.Addr {
	const ee = 16
	if len(d) < ee+2 {
		return netip.Addr{}
	}
	switch binary.NativeEndian.Uint16(d[ee:]) {
	case unix.AF_INET:
		if len(d) >= ee+8 {
			return netip.AddrFrom4([4]byte(d[ee+4 : ee+8]))
		}
	case unix.AF_INET6:
		if len(d) >= ee+24 {
			return netip.AddrFrom16([16]byte(d[ee+8 : ee+24]))
		}
	}
	return netip.Addr{}
}
