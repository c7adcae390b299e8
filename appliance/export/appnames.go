package export

import (
	"unicode/utf8"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/platform"
)

// initAppNames sets up the RFC 6759 options table that names each
// applicationId the records carry, "not classified" included.
func (e *templated) initAppNames() {
	if e.cfg.Version != IPFIX || e.cfg.AppClasses == nil || e.cfg.Scheme != platform.SchemeNone {
		return
	}
	e.appNames = &optionsTemplate{
		id:      templateIDAppNames,
		scope:   []field{{id: ieApplicationID, length: 4}},
		options: []field{{id: ieApplicationName, length: appNameFixedLen}},
	}
	e.appCursor = e.appRows()
}

// appNameFixedLen is applicationName's fixed length: Cisco's NBAR
// application table uses 24 bytes, and nfdump's NBAR option decoder takes
// only fixed-length fields (it logs an option size error for 65535).
const (
	appNameFixedLen = 24
	appRowLen       = 4 + appNameFixedLen // applicationId scope, name
)

// fitName cuts name to at most max bytes without splitting a UTF-8
// sequence.
func fitName(name string, max int) string {
	if len(name) <= max {
		return name
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

// appRows is the number of rows: one per class, then "not classified".
func (e *templated) appRows() int { return len(e.cfg.AppClasses.Rules) + 1 }

func (e *templated) appRow(i int) (id uint32, name string) {
	class := i
	if i == len(e.cfg.AppClasses.Rules) {
		class = appclass.NotClassified
	}
	name = e.cfg.AppClasses.Name(class)
	return appclass.ApplicationID(class), name
}

// writeAppNames writes as many class-name rows as fit, each in a set of
// its own; the rest go in the next packets. nfdump 1.7.1 steps through an
// IPFIX NBAR set by the row length without the scope (it reads rows at the
// wrong offsets after the first), so each set holds one row.
func (e *templated) writeAppNames() {
	if e.appNames == nil {
		return
	}
	for e.appCursor < e.appRows() {
		if e.n+setHeaderLen+appRowLen+e.padReserve() > len(e.buf) {
			return
		}
		id, name := e.appRow(e.appCursor)
		e.startSet(e.appNames.id)
		b := e.buf[e.n : e.n+appRowLen]
		clear(b)
		be.PutUint32(b, id)
		// nfdump overwrites the name's last byte with NUL: one zero byte
		// always ends it, so a full-length name loses nothing.
		copy(b[4:], fitName(name, appNameFixedLen-1))
		e.n += appRowLen
		e.records++
		e.optDataRecs++
		e.appCursor++
		e.closeSet()
	}
}
