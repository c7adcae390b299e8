package snmp

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
)

// handleV3 is RFC 3412 7.2 and RFC 3414 3.2 for the authoritative engine.
func (a *Agent) handleV3(raw, body []byte, from, to netip.AddrPort) []byte {
	m, err := parseV3(raw, body)
	if err != nil {
		if errors.Is(err, errInvalidMsg) {
			a.ctr.inc(cInvalidMsgs)
		} else {
			a.ctr.inc(cInASNParseErrs)
		}
		a.log.Debug("snmp: bad v3 message", "from", from.String(), "err", err)
		return nil
	}
	if m.secModel != securityModelUSM {
		a.ctr.inc(cUnknownSecurityModels)
		return nil
	}
	r := &reporter{a: a, m: &m, maxSize: min(int(m.maxSize), a.maxSize)}
	if m.scoped != nil {
		// A plaintext PDU lends its request-id and class to a Report.
		if sp, err := parseScopedPDU(m.scoped); err == nil {
			if p, err := parsePDU(sp.pdu); err == nil {
				r.requestID, r.typ = p.requestID, p.typ
			}
		}
	}
	level := levelOf(m.flags)
	if !bytes.Equal(m.usm.engineID, a.engine.id) {
		return r.send(cUnknownEngineIDs, nil, noAuthNoPriv) // also engine ID discovery
	}
	a.mu.RLock()
	u := a.users[string(m.usm.user)]
	a.mu.RUnlock()
	if u == nil {
		a.authFailure(from)
		return r.send(cUnknownUserNames, nil, noAuthNoPriv)
	}
	if u.Allow != nil && !u.Allow(from, to) {
		// The user's (or its group's) access list refuses the source: to
		// it the user does not exist, so it gets exactly the Report an
		// unknown name gets (RFC 3414 3.2 step 3: usmStatsUnknownUserNames,
		// unauthenticated), built from the same inputs. Silence here would
		// tell a refused source which names are configured. flowtap's own
		// count says which of those were the access list.
		a.log.Debug("snmp: user refused by its access list", "from", from.String(), "user", u.Name)
		a.ctr.inc(cUserACLRefused)
		a.authFailure(from)
		return r.send(cUnknownUserNames, nil, noAuthNoPriv)
	}
	if level > u.level() {
		return r.send(cUnsupportedSecLevels, nil, noAuthNoPriv)
	}
	if level >= authNoPriv {
		if !authentic(&m, u.Auth, u.authKey) {
			a.log.Debug("snmp: wrong digest", "from", from.String(), "user", u.Name)
			a.authFailure(from)
			return r.send(cWrongDigests, nil, noAuthNoPriv)
		}
		if !a.engine.timely(m.usm.boots, m.usm.engineTime) {
			// Authenticated, so that the manager can trust the clock it
			// carries (RFC 3414 3.2 step 7a).
			return r.send(cNotInTimeWindows, u, authNoPriv)
		}
	}
	scoped := m.scoped
	if level == authPriv {
		if scoped, err = decryptScoped(u.Priv, u.privKey, m.usm.boots, m.usm.engineTime, m.usm.priv, m.encrypted); err != nil {
			return r.send(cDecryptionErrors, nil, noAuthNoPriv)
		}
	}
	sp, err := parseScopedPDU(scoped)
	if err != nil {
		if level == authPriv {
			// CFB and CBC decrypt anything; a wrong key shows as garbage here.
			return r.send(cDecryptionErrors, nil, noAuthNoPriv)
		}
		a.ctr.inc(cInASNParseErrs)
		return nil
	}
	p, err := parsePDU(sp.pdu)
	if err != nil {
		a.ctr.inc(cInASNParseErrs)
		return nil
	}
	r.requestID, r.typ, r.level, r.user = p.requestID, p.typ, level, u
	if len(sp.contextEngineID) != 0 && !bytes.Equal(sp.contextEngineID, a.engine.id) {
		return r.send(cUnknownPDUHandlers, u, level)
	}
	if len(sp.contextName) != 0 {
		return r.send(cUnknownContexts, u, level) // only the default context exists
	}
	frame := func(pdu []byte) []byte {
		scoped := encodeScopedPDU(scopedPDU{contextEngineID: a.engine.id, contextName: sp.contextName, pdu: pdu})
		return a.seal(v3Out{msgID: m.msgID, level: level, usm: usmParams{user: m.usm.user}, msgData: scoped}, u.Auth, u.Priv, u.authKey, u.privKey, true)
	}
	acc := &access{read: &u.View, from: from, by: "user " + u.Name}
	if u.Write {
		acc.write = &u.WriteView
	}
	if level < u.level() || u.NoAccess {
		// The user is configured for more than the request used.
		if !p.typ.confirmed() {
			return nil
		}
		return a.encodeOutcome(p, outcome{status: AuthorizationError, vbs: p.vbs, echo: true}, false, frame, r.maxSize)
	}
	return a.respond(p, acc, frame, r.maxSize)
}

// authentic checks msgAuthenticationParameters over the whole message
// with that field zeroed (RFC 3414 section 6.3.2, RFC 7860 4.2.2).
func authentic(m *v3Message, proto AuthProtocol, key []byte) bool {
	if proto == AuthNone || len(m.usm.auth) != proto.MACLen() {
		return false
	}
	msg := slices.Clone(m.raw)
	clear(msg[m.authAt : m.authAt+len(m.usm.auth)])
	return hmac.Equal(mac(proto, key, msg), m.usm.auth)
}

// seal frames, encrypts and signs a v3 message. As the authoritative
// engine (authoritative true) it stamps its own engine ID, boots and
// time; otherwise o.usm already holds the remote engine's.
func (a *Agent) seal(o v3Out, auth AuthProtocol, priv PrivProtocol, authKey, privKey []byte, authoritative bool) []byte {
	if authoritative {
		o.usm.engineID, o.usm.boots, o.usm.engineTime = a.engine.id, a.engine.boots, a.engine.time()
	}
	if o.maxSize == 0 {
		o.maxSize = int32(a.maxSize)
	}
	o.usm.priv = nil
	if o.level == authPriv {
		data, params, err := encryptScoped(priv, privKey, o.usm.boots, o.usm.engineTime, a.salt.Add(1), o.msgData)
		if err != nil {
			a.log.Error("snmp: encrypt failed", "err", err)
			return nil
		}
		o.usm.priv, o.msgData = params, data
	}
	msg, at := encodeV3(o, auth.MACLen())
	if o.level != noAuthNoPriv {
		copy(msg[at:], mac(auth, authKey, msg))
	}
	return msg
}

// reporter answers a v3 message that failed a check with a Report PDU
// naming the counter that went up (RFC 3412 7.1.3).
type reporter struct {
	a         *Agent
	m         *v3Message
	maxSize   int
	requestID int32
	typ       pduType
	level     secLevel
	user      *usmUser
}

func (r *reporter) send(c counter, u *usmUser, level secLevel) []byte {
	a := r.a
	n := a.ctr.inc(c)
	if r.m.flags&flagReportable == 0 || (r.typ != 0 && !r.typ.confirmed()) {
		return nil
	}
	vb, err := encodeVarBind(VarBind{Name: counterOID(c), Value: Counter32(n)})
	if err != nil {
		return nil
	}
	pdu := encodePDU(pduReport, r.requestID, NoError, 0, [][]byte{vb})
	scoped := encodeScopedPDU(scopedPDU{contextEngineID: a.engine.id, pdu: pdu})
	o := v3Out{msgID: r.m.msgID, level: level, usm: usmParams{user: r.m.usm.user}, msgData: scoped}
	var msg []byte
	if u != nil {
		msg = a.seal(o, u.Auth, u.Priv, u.authKey, u.privKey, true)
	} else {
		o.level = noAuthNoPriv
		msg = a.seal(o, AuthNone, PrivNone, nil, nil, true)
	}
	if len(msg) > r.maxSize {
		a.ctr.inc(cSilentDrops)
		return nil
	}
	return msg
}

func randRead(b []byte) { _, _ = rand.Read(b) }

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
