package snmp

import (
	"errors"
	"log/slog"
	"net/netip"
)

// access is what the request's community or user may do.
type access struct {
	read  *View
	write *View // nil: read-only
	v1    bool
	// from and by name the manager for the log of its Sets: its address
	// and "community" (never the community itself, a secret) or "user
	// NAME".
	from netip.AddrPort
	by   string
}

// outcome is a Response-PDU before encoding.
type outcome struct {
	status ErrorStatus
	index  int // 1-based error-index, 0 for none
	vbs    []VarBind
	echo   bool // vbs are the request's own: send them as received
}

// failed is the response RFC 3416 prescribes for an error: the request's
// own variable bindings, with the status and the index of the culprit.
func failed(status ErrorStatus, i int, request []VarBind) outcome {
	return outcome{status: status, index: i + 1, vbs: request, echo: true}
}

func isException(k Kind) bool {
	return k == kindNoSuchObject || k == kindNoSuchInstance || k == kindEndOfMibView
}

func (a *access) processGet(q *mibRequest, req []VarBind, log *slog.Logger) outcome {
	out := make([]VarBind, len(req))
	for i, vb := range req {
		v := Value{Kind: kindNoSuchObject}
		if a.read.Contains(vb.Name) {
			var err error
			if v, err = q.get(vb.Name); err != nil {
				log.Warn("snmp: get failed", "oid", vb.Name.String(), "err", err)
				return failed(GenErr, i, req)
			}
		}
		if a.v1 && (isException(v.Kind) || v.Kind == KindCounter64) {
			return failed(NoSuchName, i, req)
		}
		out[i] = VarBind{Name: vb.Name, Value: v}
	}
	return outcome{vbs: out}
}

func (a *access) processGetNext(q *mibRequest, req []VarBind, log *slog.Logger) outcome {
	out := make([]VarBind, len(req))
	for i, vb := range req {
		next, ok, err := q.next(vb.Name, a.read, a.v1)
		if err != nil {
			log.Warn("snmp: getnext failed", "oid", vb.Name.String(), "err", err)
			return failed(GenErr, i, req)
		}
		if !ok {
			if a.v1 {
				return failed(NoSuchName, i, req)
			}
			next = VarBind{Name: vb.Name, Value: Value{Kind: kindEndOfMibView}}
		}
		out[i] = next
	}
	return outcome{vbs: out}
}

// maxBulkBindings caps the bindings one GetBulk may produce
// (non-repeaters plus max-repetitions times the repeaters); a 1472-octet
// response holds far fewer, so a manager never sees the cap.
const maxBulkBindings = 256

// errFull stops a GetBulk when the response message is full.
var errFull = errors.New("response full")

// processGetBulk walks RFC 3416 4.2.3: the first N names once, then up to
// M rounds over the other R. emit takes each binding in response order and
// returns errFull when the message has no room for it; the response is
// then what was emitted before.
func (a *access) processGetBulk(q *mibRequest, req []VarBind, nonRepeaters, maxRepetitions int32, emit func(VarBind) error, log *slog.Logger) (outcome, error) {
	n := min(max(int(nonRepeaters), 0), len(req))
	m := max(int(maxRepetitions), 0)
	if r := len(req) - n; r > 0 {
		// Bound the walk itself, not only the response: a GetBulk that
		// asks for 2^31 repetitions of endless columns would otherwise
		// cost as many look-ups as the message has room for times the
		// bindings that turn out too big.
		m = min(m, max((maxBulkBindings-n)/r, 1))
	}
	step := func(from OID) (VarBind, error) {
		next, ok, err := q.next(from, a.read, false)
		if err != nil {
			log.Warn("snmp: getbulk failed", "oid", from.String(), "err", err)
			return VarBind{}, err
		}
		if !ok {
			next = VarBind{Name: from, Value: Value{Kind: kindEndOfMibView}}
		}
		return next, nil
	}
	for i := 0; i < n; i++ {
		vb, err := step(req[i].Name)
		if err != nil {
			return failed(GenErr, i, req), nil
		}
		if err := emit(vb); err != nil {
			return outcome{}, err
		}
	}
	cursor := make([]OID, len(req)-n)
	for j := range cursor {
		cursor[j] = req[n+j].Name
	}
	for round := 0; round < m && len(cursor) > 0; round++ {
		allEnd := true
		for j, from := range cursor {
			vb, err := step(from)
			if err != nil {
				return failed(GenErr, n+j, req), nil
			}
			if err := emit(vb); err != nil {
				return outcome{}, err
			}
			cursor[j] = vb.Name
			allEnd = allEnd && vb.Value.Kind == kindEndOfMibView
		}
		// Once every repeater is past the end, more rounds only repeat
		// endOfMibView.
		if allEnd {
			break
		}
	}
	return outcome{}, nil
}

// processSet tests every binding, then commits them in order, undoing the
// commits made so far when one fails (RFC 3416 4.2.5).
func (a *access) processSet(q *mibRequest, req []VarBind, log *slog.Logger) outcome {
	status := func(s ErrorStatus) ErrorStatus {
		if a.v1 {
			return s.v1Status()
		}
		return s
	}
	targets := make([]target, len(req))
	for i, vb := range req {
		if a.write == nil || !a.write.Contains(vb.Name) {
			return failed(status(NoAccess), i, req)
		}
		t, st, err := q.writable(vb.Name)
		if err != nil {
			log.Warn("snmp: set lookup failed", "oid", vb.Name.String(), "err", err)
		}
		if st != NoError {
			return failed(status(st), i, req)
		}
		if vb.Value.Kind != t.write.Kind {
			return failed(status(WrongType), i, req)
		}
		if t.write.Test != nil {
			if err := t.write.Test(t.index, vb.Value); err != nil {
				log.Info("snmp: set rejected", "object", t.label, "oid", vb.Name.String(), "value", vb.Value.String(), "err", err)
				return failed(status(statusOf(err, WrongValue)), i, req)
			}
		}
		targets[i] = t
	}
	undos := make([]func() error, 0, len(req))
	for i, t := range targets {
		undo, err := t.write.Commit(t.index, req[i].Value)
		if err == nil {
			log.Info("snmp: set", "object", t.label, "oid", t.name.String(), "value", req[i].Value.String())
			undos = append(undos, undo)
			continue
		}
		log.Warn("snmp: set commit failed", "object", t.label, "oid", t.name.String(), "err", err)
		st := CommitFailed
		for j := len(undos) - 1; j >= 0; j-- {
			if undos[j] == nil {
				continue
			}
			if uerr := undos[j](); uerr != nil {
				log.Error("snmp: set undo failed", "object", targets[j].label, "err", uerr)
				st = UndoFailed
			}
		}
		if st == UndoFailed {
			// The error-index is zero: no one binding is to blame.
			return outcome{status: status(st), vbs: req, echo: true}
		}
		return failed(status(st), i, req)
	}
	return outcome{vbs: req, echo: true}
}
