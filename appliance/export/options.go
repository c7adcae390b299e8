package export

// writeOptionsData writes the option rows still due: the sampler row, then
// as many interface names as fit; the rest go in the next packets.
func (e *templated) writeOptionsData() {
	if e.samplerDue {
		e.writeSamplerRow()
		e.samplerDue = false
	}
	if e.expStatsDue {
		e.writeExporterStatsRow()
	}
	defer e.writeAppNames()
	if e.ifNames == nil || e.ifCursor >= len(e.names) {
		return
	}
	e.startSet(e.ifNames.id)
	wrote := 0
	for e.ifCursor < len(e.names) {
		rl := e.ifNameRowLen(e.ifCursor)
		if e.n+rl+e.padReserve() > len(e.buf) {
			break
		}
		e.writeIfNameRow(e.ifCursor)
		e.ifCursor++
		wrote++
	}
	e.closeRows(wrote)
}

// writeSamplerRow writes one row per sampler (at most MaxSamplers: they
// fit a packet).
func (e *templated) writeSamplerRow() {
	rows := e.cfg.announced()
	if len(rows) == 0 {
		return // only overload samplers, and overload sampling is off
	}
	e.startSet(e.sampler.id)
	for _, s := range rows {
		// Overload samplers double the rows: with many samplers in a
		// small packet the last ones wait for the next refresh rather
		// than overrun it.
		if e.n+10+e.padReserve()+setHeaderLen > len(e.buf) {
			break
		}
		b := e.buf[e.n:]
		if e.cfg.Version == IPFIX {
			b[0] = s.ID
			b[1] = byte(s.Mode)
			be.PutUint32(b[2:], s.Interval)
			e.n += 6
		} else {
			be.PutUint32(b[0:], e.cfg.ObservationDomain) // scope System
			b[4] = s.ID
			b[5] = byte(s.Mode)
			be.PutUint32(b[6:], s.Interval)
			e.n += 10
		}
		e.records++
		e.optDataRecs++
	}
	e.closeSet()
}

func (e *templated) ifNameRowLen(int) int {
	if e.cfg.Version == IPFIX {
		return 4 + ifNameFixedLen
	}
	return 4 + 4 + ifNameFixedLen
}

func (e *templated) writeIfNameRow(i int) {
	b := e.buf[e.n:]
	name := e.names[i]
	if e.cfg.Version == IPFIX {
		be.PutUint32(b[0:], e.cfg.InterfaceNames[i].IfIndex)
		clear(b[4 : 4+ifNameFixedLen])
		copy(b[4:], name)
	} else {
		be.PutUint32(b[0:], e.cfg.ObservationDomain) // scope System
		be.PutUint32(b[4:], e.cfg.InterfaceNames[i].IfIndex)
		clear(b[8 : 8+ifNameFixedLen])
		copy(b[8:], name)
	}
	e.n += e.ifNameRowLen(i)
	e.records++
	e.optDataRecs++
}
