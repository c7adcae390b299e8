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
const appNameFixedLen = 24

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

// writeAppNames writes as many class-name rows as fit; the rest go in the
// next packets.
func (e *templated) writeAppNames() {
	if e.appNames == nil || e.appCursor >= e.appRows() {
		return
	}
	e.startSet(e.appNames.id)
	wrote := 0
	for e.appCursor < e.appRows() {
		id, name := e.appRow(e.appCursor)
		if e.n+4+appNameFixedLen+e.padReserve() > len(e.buf) {
			break
		}
		b := e.buf[e.n:]
		be.PutUint32(b, id)
		// nfdump overwrites a name's last byte with NUL: keep one zero
		// byte at the end so a full-length name loses nothing there.
		clear(b[4 : 4+appNameFixedLen])
		copy(b[4:], fitName(name, appNameFixedLen-1))
		e.n += 4 + appNameFixedLen
		e.records++
		e.optDataRecs++
		e.appCursor++
		wrote++
	}
	e.closeRows(wrote)
}
