package export

import (
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
		options: []field{{id: ieApplicationName, length: ieVariableLength}},
	}
	e.appCursor = e.appRows()
}

// appRows is the number of rows: one per class, then "not classified".
func (e *templated) appRows() int { return len(e.cfg.AppClasses.Rules) + 1 }

func (e *templated) appRow(i int) (id uint32, name string) {
	class := i
	if i == len(e.cfg.AppClasses.Rules) {
		class = appclass.NotClassified
	}
	name = e.cfg.AppClasses.Name(class)
	if len(name) > 254 {
		name = name[:254]
	}
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
		if e.n+5+len(name)+e.padReserve() > len(e.buf) {
			break
		}
		b := e.buf[e.n:]
		be.PutUint32(b, id)
		b[4] = byte(len(name))
		copy(b[5:], name)
		e.n += 5 + len(name)
		e.records++
		e.optDataRecs++
		e.appCursor++
		wrote++
	}
	e.closeRows(wrote)
}
