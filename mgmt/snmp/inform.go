package snmp

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"syscall"
	"time"
)

var errNoAck = errors.New("no acknowledgement")

// A receiver that is down (snmptrapd restarting, its host up) answers
// with ICMP port unreachable, which a connected socket returns as
// ECONNREFUSED on the next read or write at once. A try still lasts its
// whole timeout then: otherwise every retry went out within a
// millisecond and an inform sent while the receiver restarted was given
// up before it could be back, where the retries are there to cover
// exactly that (IOS waits out each timeout).

// refused is an ICMP refusal of an earlier datagram.
func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// waitUntil waits until t or ctx is done, for a try whose send failed.
func waitUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// inform sends an SNMPv3 InformRequest and waits for its Response,
// discovering the receiver's engine first and resynchronising its clock
// when it reports notInTimeWindow.
func (a *Agent) inform(ctx context.Context, r *receiver, encs [][]byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(r.Addr))
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	requestID := a.nextID()
	pdu := encodePDU(pduInform, requestID, NoError, 0, encs)
	scoped := encodeScopedPDU(scopedPDU{contextEngineID: a.engine.id, pdu: pdu})
	var last error = errNoAck
	for try := 0; try <= max(r.Retries, 0); try++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		end := time.Now().Add(r.Timeout)
		if r.remote == nil {
			if err := a.discover(conn, r); err != nil {
				last = fmt.Errorf("engine discovery: %w", err)
				if err := waitUntil(ctx, end); err != nil {
					return err
				}
				continue
			}
		}
		e := r.remote
		msgID := a.nextID()
		out := v3Out{msgID: msgID, level: r.user.level(), reports: true, msgData: scoped,
			usm: usmParams{engineID: e.id, boots: e.boots, engineTime: e.estimate(a.engine.now()), user: []byte(r.user.Name)}}
		if _, err := conn.Write(a.seal(out, r.user.Auth, r.user.Priv, e.authKey, e.privKey, false)); err != nil {
			last = err
			if err := waitUntil(ctx, end); err != nil {
				return err
			}
			continue
		}
		a.ctr.inc(cOutPkts)
		done, err := a.awaitAck(conn, r, msgID, requestID)
		if done {
			return nil
		}
		if err != nil {
			last = err
		}
	}
	return last
}

// informV2c sends an SNMPv2c InformRequest with the receiver's community
// and waits for the Response naming its request-id, sending it again
// after each Timeout, Retries times.
func (a *Agent) informV2c(ctx context.Context, r *receiver, encs [][]byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(r.Addr))
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	requestID := a.nextID()
	msg := encodeCommunityMessage(version2c, []byte(r.Community), encodePDU(pduInform, requestID, NoError, 0, encs))
	var last error = errNoAck
	buf := make([]byte, 65536)
	for try := 0; try <= max(r.Retries, 0); try++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		end := time.Now().Add(r.Timeout)
		if _, err := conn.Write(msg); err != nil {
			last = err
			if err := waitUntil(ctx, end); err != nil {
				return err
			}
			continue
		}
		a.ctr.inc(cOutPkts)
		conn.SetReadDeadline(end)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				last = err
				if refused(err) {
					continue // wait out the try: the receiver may be back
				}
				break
			}
			v, body, err := peekVersion(buf[:n])
			if err != nil || v != version2c {
				continue
			}
			m, err := parseCommunityMessage(v, body)
			if err != nil || !bytes.Equal(m.community, []byte(r.Community)) {
				continue
			}
			if p, err := parsePDU(m.pdu); err == nil && p.typ == pduResponse && p.requestID == requestID {
				a.ctr.inc(cInGetResponses)
				return nil
			}
		}
	}
	if errors.Is(last, os.ErrDeadlineExceeded) {
		last = errNoAck
	}
	return last
}

func (e *remoteEngine) estimate(now time.Time) int32 {
	return e.time + int32(now.Sub(e.at)/time.Second)
}

// discover sends RFC 3414 section 4's probe: no user, no engine ID, an
// empty Get, and learns the engine from the Report.
func (a *Agent) discover(conn *net.UDPConn, r *receiver) error {
	msgID := a.nextID()
	scoped := encodeScopedPDU(scopedPDU{pdu: encodePDU(pduGet, a.nextID(), NoError, 0, nil)})
	probe := a.seal(v3Out{msgID: msgID, level: noAuthNoPriv, reports: true, msgData: scoped}, AuthNone, PrivNone, nil, nil, false)
	if _, err := conn.Write(probe); err != nil {
		return err
	}
	a.ctr.inc(cOutPkts)
	buf := make([]byte, 65536)
	conn.SetReadDeadline(time.Now().Add(r.Timeout))
	var refusal error
	for {
		n, err := conn.Read(buf)
		if refused(err) {
			refusal = err
			continue // the try lasts its timeout
		}
		if err != nil {
			return cmp.Or(refusal, err)
		}
		m, ok := a.parseReply(buf[:n], msgID)
		if !ok || checkEngineID(m.usm.engineID) != nil {
			continue
		}
		return r.learn(m.usm, a.engine.now())
	}
}

// learn takes the receiver's engine ID, boots and time from its message.
// A user with passphrases gets keys localized to that engine; a user given
// keys has them for one engine ID only, which the receiver must have.
func (r *receiver) learn(p usmParams, now time.Time) error {
	e := &remoteEngine{id: slices.Clone(p.engineID), boots: p.boots, time: p.engineTime, at: now}
	switch {
	case r.remote != nil && bytes.Equal(r.remote.id, e.id):
		e.authKey, e.privKey = r.remote.authKey, r.remote.privKey
	case r.user.authKu == nil && r.user.Auth != AuthNone:
		if !bytes.Equal(e.id, r.EngineID) {
			r.remote = nil
			return fmt.Errorf("receiver's engine ID is %x, the user's keys are for %x", e.id, r.EngineID)
		}
		e.authKey, e.privKey = r.user.authKey, r.user.privKey
	default:
		e.authKey, e.privKey = r.user.localize(e.id)
	}
	r.remote = e
	return nil
}

func (a *Agent) parseReply(b []byte, msgID int32) (v3Message, bool) {
	version, body, err := peekVersion(b)
	if err != nil || version != version3 {
		return v3Message{}, false
	}
	m, err := parseV3(b, body)
	if err != nil || m.secModel != securityModelUSM || m.msgID != msgID {
		return v3Message{}, false
	}
	return m, true
}

// awaitAck reads until the Response to requestID arrives (done), a Report
// asks for another try, or the try times out.
func (a *Agent) awaitAck(conn *net.UDPConn, r *receiver, msgID, requestID int32) (bool, error) {
	buf := make([]byte, 65536)
	conn.SetReadDeadline(time.Now().Add(r.Timeout))
	var refusal error
	for {
		n, err := conn.Read(buf)
		if refused(err) {
			refusal = err
			continue // the try lasts its timeout
		}
		if err != nil {
			return false, cmp.Or(refusal, err)
		}
		m, ok := a.parseReply(buf[:n], msgID)
		if !ok {
			continue
		}
		e := r.remote
		level := levelOf(m.flags)
		p, err := openV3(&m, r.user.Auth, r.user.Priv, e.authKey, e.privKey)
		if err != nil {
			continue // forged, for another key, or garbled: ignore
		}
		switch {
		case p.typ == pduResponse && p.requestID == requestID:
			a.ctr.inc(cInGetResponses)
			return true, nil
		case p.typ == pduReport && len(p.vbs) > 0:
			oid := p.vbs[0].Name
			switch {
			case oid.Equal(counterOID(cNotInTimeWindows)) && level >= authNoPriv:
				if err := r.learn(m.usm, a.engine.now()); err != nil {
					return false, err
				}
			case oid.Equal(counterOID(cUnknownEngineIDs)):
				r.remote = nil
			}
			return false, fmt.Errorf("receiver reported %s", oid)
		}
	}
}

// openV3 authenticates and decrypts a message at the level its flags
// say, with keys for its authoritative engine, and decodes its PDU.
func openV3(m *v3Message, auth AuthProtocol, priv PrivProtocol, authKey, privKey []byte) (pdu, error) {
	level := levelOf(m.flags)
	if level >= authNoPriv && !authentic(m, auth, authKey) {
		return pdu{}, errors.New("wrong digest")
	}
	scoped := m.scoped
	if level == authPriv {
		var err error
		if scoped, err = decryptScoped(priv, privKey, m.usm.boots, m.usm.engineTime, m.usm.priv, m.encrypted); err != nil {
			return pdu{}, err
		}
	}
	sp, err := parseScopedPDU(scoped)
	if err != nil {
		return pdu{}, err
	}
	return parsePDU(sp.pdu)
}
