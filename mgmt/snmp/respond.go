package snmp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// handle answers one datagram sent to the agent's bound address.
func (a *Agent) handle(pkt []byte, from netip.AddrPort) []byte {
	return a.handleTo(pkt, from, netip.AddrPort{})
}

// handleTo answers one datagram from a manager to the agent address to;
// nil means no answer.
func (a *Agent) handleTo(pkt []byte, from, to netip.AddrPort) []byte {
	a.ctr.inc(cInPkts)
	if len(pkt) > a.maxSize {
		// Refused before decoding; counted with the malformed ones so
		// that an operator sees it in one place.
		a.ctr.inc(cInASNParseErrs)
		a.log.Debug("snmp: request over the maximum message size", "from", from.String(), "len", len(pkt), "max", a.maxSize)
		return nil
	}
	version, body, err := peekVersion(pkt)
	if err != nil {
		a.ctr.inc(cInASNParseErrs)
		a.log.Debug("snmp: undecodable message", "from", from.String(), "err", err)
		return nil
	}
	switch version {
	case version1, version2c:
		return a.handleCommunity(version, body, from, to)
	case version3:
		return a.handleV3(pkt, body, from, to)
	}
	a.ctr.inc(cInBadVersions)
	return nil
}

func (a *Agent) handleCommunity(version int32, body []byte, from, to netip.AddrPort) []byte {
	m, err := parseCommunityMessage(version, body)
	if err != nil {
		a.ctr.inc(cInASNParseErrs)
		return nil
	}
	a.mu.RLock()
	c := a.communities.find(m.community, from, to)
	a.mu.RUnlock()
	if c == nil {
		a.ctr.inc(cInBadCommunityNames)
		a.log.Debug("snmp: unknown community or source", "from", from.String())
		a.authFailure(from)
		return nil
	}
	p, err := parsePDU(m.pdu)
	if err != nil {
		if errors.Is(err, errTrapV1) {
			a.ctr.inc(cInTraps)
		} else {
			a.ctr.inc(cInASNParseErrs)
			a.log.Debug("snmp: undecodable PDU", "from", from.String(), "err", err)
		}
		return nil
	}
	if version == version1 && p.typ == pduGetBulk {
		a.ctr.inc(cInASNParseErrs) // no such PDU in SNMPv1
		return nil
	}
	frame := func(pdu []byte) []byte { return encodeCommunityMessage(version, m.community, pdu) }
	acc := c.access(version)
	acc.from, acc.by = from, "community"
	return a.respond(p, acc, frame, a.maxSize)
}

// respond runs a request PDU and frames the Response; nil means none.
func (a *Agent) respond(p pdu, acc *access, frame func([]byte) []byte, maxSize int) []byte {
	switch p.typ {
	case pduGet:
		a.ctr.inc(cInGetRequests)
	case pduGetNext:
		a.ctr.inc(cInGetNexts)
	case pduSet:
		a.ctr.inc(cInSetRequests)
		if acc.write == nil {
			a.ctr.inc(cInBadCommunityUses)
		}
	case pduGetBulk:
	case pduResponse:
		a.ctr.inc(cInGetResponses)
		return nil
	case pduTrapV2, pduInform:
		a.ctr.inc(cInTraps)
		return nil
	default:
		return nil
	}
	q := newMIBRequest(a.reg)
	var out outcome
	switch p.typ {
	case pduGet:
		out = acc.processGet(q, p.vbs, a.log)
	case pduGetNext:
		out = acc.processGetNext(q, p.vbs, a.log)
	case pduSet:
		a.setMu.Lock()
		// Each Set is logged with who asked: a change to the
		// configuration must say where it came from.
		out = acc.processSet(q, p.vbs, a.log.With("from", acc.from.String(), "by", acc.by))
		a.setMu.Unlock()
		if out.status == NoError && changesConfig(p.vbs) {
			a.ConfigEvent(ConfigEvent{Source: ConfigFromSNMP, From: MediumCommandSource, To: MediumRunning, Addr: acc.from.Addr().Unmap()})
		}
	case pduGetBulk:
		return a.respondBulk(q, p, acc, frame, maxSize)
	}
	return a.encodeOutcome(p, out, acc.v1, frame, maxSize)
}

// changesConfig says whether a Set that succeeded changed the
// configuration: every writable object is configuration but
// snmpSetSerialNo, the managers' advisory lock.
func changesConfig(vbs []VarBind) bool {
	for _, vb := range vbs {
		if !vb.Name.Equal(oidSetSerialNo.Append(0)) {
			return true
		}
	}
	return false
}

// encodeOutcome frames a Response and falls back to tooBig when it does
// not fit (RFC 3416 4.2.1 last paragraph; RFC 1157 4.1.2 for v1, whose
// tooBig echoes the request).
func (a *Agent) encodeOutcome(p pdu, out outcome, v1 bool, frame func([]byte) []byte, maxSize int) []byte {
	encs := p.raw
	if !out.echo {
		encs = make([][]byte, len(out.vbs))
		for i, vb := range out.vbs {
			b, err := encodeVarBind(vb)
			if err != nil {
				a.log.Warn("snmp: cannot encode a response binding", "oid", vb.Name.String(), "err", err)
				out, encs = failed(GenErr, i, p.vbs), p.raw
				break
			}
			encs[i] = b
		}
	}
	msg := frame(encodePDU(pduResponse, p.requestID, out.status, out.index, encs))
	if len(msg) > maxSize {
		return a.tooBig(p, v1, frame, maxSize)
	}
	a.countResponse(p.typ, out)
	return msg
}

// tooBig is the alternate Response for one that does not fit; when even
// that does not fit, the request is dropped and counted.
func (a *Agent) tooBig(p pdu, v1 bool, frame func([]byte) []byte, maxSize int) []byte {
	var echo [][]byte
	if v1 {
		echo = p.raw
	}
	msg := frame(encodePDU(pduResponse, p.requestID, TooBig, 0, echo))
	if len(msg) > maxSize {
		a.ctr.inc(cSilentDrops)
		return nil
	}
	a.countResponse(p.typ, outcome{status: TooBig})
	return msg
}

func (a *Agent) countResponse(typ pduType, out outcome) {
	a.ctr.inc(cOutGetResponses)
	switch out.status {
	case NoError:
		if typ == pduSet {
			a.ctr.add(cInTotalSetVars, len(out.vbs))
		} else {
			a.ctr.add(cInTotalReqVars, len(out.vbs))
		}
	case TooBig:
		a.ctr.inc(cOutTooBigs)
	case NoSuchName:
		a.ctr.inc(cOutNoSuchNames)
	case BadValue:
		a.ctr.inc(cOutBadValues)
	case GenErr:
		a.ctr.inc(cOutGenErrs)
	}
}

// lengthSlack covers the length octets that grow as bindings are added:
// five nested lengths (bindings, PDU, ScopedPDU, encryptedPDU, message),
// each at most two octets longer.
const lengthSlack = 10

// respondBulk fills the Response up to the size limit; bindings that do
// not fit are left off the end (RFC 3416 4.2.3).
func (a *Agent) respondBulk(q *mibRequest, p pdu, acc *access, frame func([]byte) []byte, maxSize int) []byte {
	budget := maxSize - len(frame(encodePDU(pduResponse, p.requestID, 0, 0, nil))) - lengthSlack
	var encs [][]byte
	used := 0
	emit := func(vb VarBind) error {
		b, err := encodeVarBind(vb)
		if err != nil {
			return err
		}
		if used+len(b) > budget {
			return errFull
		}
		encs = append(encs, b)
		used += len(b)
		return nil
	}
	out, err := acc.processGetBulk(q, p.vbs, p.errStatus, p.errIndex, emit, a.log)
	switch {
	case errors.Is(err, errFull) && len(encs) == 0:
		return a.tooBig(p, false, frame, maxSize)
	case err != nil && !errors.Is(err, errFull):
		a.log.Warn("snmp: getbulk: cannot encode a binding", "err", err)
		return a.encodeOutcome(p, outcome{status: GenErr, echo: true, vbs: p.vbs}, false, frame, maxSize)
	case out.status != NoError:
		return a.encodeOutcome(p, out, false, frame, maxSize)
	}
	for {
		msg := frame(encodePDU(pduResponse, p.requestID, NoError, 0, encs))
		if len(msg) <= maxSize || len(encs) == 0 {
			a.countResponse(p.typ, outcome{vbs: make([]VarBind, len(encs))})
			return msg
		}
		encs = encs[:len(encs)-1]
	}
}

// oidAuthenticationFailure is SNMPv2-MIB's authenticationFailure.
var oidAuthenticationFailure = mustOID("1.3.6.1.6.3.1.1.5.5")

// authFailure counts a request that failed authentication against its
// source, and sends authenticationFailure when that is enabled. The
// notification goes out on its own goroutine, at most authTrapsPerSecond:
// the receive loop never waits for a receiver.
func (a *Agent) authFailure(from netip.AddrPort) {
	a.limit.failed(from.Addr())
	a.logAuthFailure(from)
	if !a.authenTraps.Load() {
		return
	}
	if !a.limit.trap() {
		a.ctr.inc(cAuthenTrapsDropped)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		_ = a.Notify(ctx, Notification{OID: oidAuthenticationFailure})
	}()
}

// authFailLogEvery is how often authentication failures are logged.
const authFailLogEvery = time.Second

// logAuthFailure logs an authentication failure (a wrong community, a
// community or user its access list refuses, an unknown user, a wrong
// digest) in IOS's words, %SNMP-3-AUTHFAIL with the manager's address, at
// most once per authFailLogEvery; the next message says how many were
// left out.
func (a *Agent) logAuthFailure(from netip.AddrPort) {
	l := &a.authLog
	now := a.engine.now()
	l.Lock()
	if !l.at.IsZero() && now.Sub(l.at) < authFailLogEvery {
		l.skipped++
		l.Unlock()
		return
	}
	skipped := l.skipped
	l.at, l.skipped = now, 0
	l.Unlock()
	msg := fmt.Sprintf("%%SNMP-3-AUTHFAIL: Authentication failure for SNMP req from host %s", from.Addr().Unmap())
	if skipped > 0 {
		msg += fmt.Sprintf(" (%d more not logged)", skipped)
	}
	a.log.Error(msg)
}
