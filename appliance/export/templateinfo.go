package export

import (
	"slices"
	"time"
)

// TemplateInfo is one template or options template a v9 or IPFIX
// destination defines, as it goes on the wire, with what was sent with it
// (IPFIX-MIB's ipfixTemplateTable, ipfixTemplateDefinitionTable and
// ipfixTemplateStatsTable).
type TemplateInfo struct {
	ID      uint16
	Options bool // an options template: its set id is 1 (v9) or 3 (IPFIX)
	SetID   uint16
	Fields  []TemplateField // scope fields first in an options template
	// Records counts the data records written with this template into
	// packets handed to the sender; LastSent is when the template last
	// went out (zero: not yet).
	Records  uint64
	LastSent time.Time
	// Since is where Records counts from: the exporter's start, or its
	// first predecessor's when the template came over from the exporter
	// it replaced (Inherit).
	Since time.Time
}

// TemplateField is one field specifier.
type TemplateField struct {
	IE         uint16 // without the enterprise bit
	Length     uint16 // 65535: variable length
	Enterprise uint32 // 0 for IANA's elements
	Scope      bool   // a scope field of an options template
	// Key says the field is a flow key: part of the main cache's flow
	// key, or, in an aggregation template, one of the aggregate's.
	Key bool
}

// TemplateSends are the template records a destination sent, data and
// options templates apart (ipfixTransportSessionTemplates and
// ...OptionsTemplates).
type TemplateSends struct{ Templates, OptionsTemplates uint64 }

// setCount is what was sent in sets with one id: data records for a
// template's id, template records for a template set's.
type setCount struct {
	id         uint16
	pend, sent uint64
	since      time.Time // zero: the exporter's start
}

// countSet notes n records written in a set with that id into the open
// packet; they are counted as sent when the packet is handed on.
func (e *templated) countSet(id uint16, n int) {
	if n == 0 {
		return
	}
	for i := range e.counts {
		if e.counts[i].id == id {
			e.counts[i].pend += uint64(n)
			return
		}
	}
	e.counts = append(e.counts, setCount{id: id, pend: uint64(n)})
}

// settle moves the open packet's counts to sent (ok) or drops them, and
// notes when templates went out.
func (e *templated) settle(ok bool, now time.Time) {
	for i := range e.counts {
		c := &e.counts[i]
		if ok && c.pend > 0 {
			c.sent += c.pend
			switch c.id {
			case e.templateSetID():
				e.tplSentAt = now
			case e.optionsSetID():
				e.optSentAt = now
			}
		}
		c.pend = 0
	}
}

func (e *templated) pendIn(id uint16) uint64 {
	for _, c := range e.counts {
		if c.id == id {
			return c.pend
		}
	}
	return 0
}

func (e *templated) sentIn(id uint16) uint64 {
	for _, c := range e.counts {
		if c.id == id {
			return c.sent
		}
	}
	return 0
}

func (e *templated) sinceOf(id uint16) time.Time {
	for _, c := range e.counts {
		if c.id == id {
			return c.since
		}
	}
	return time.Time{}
}

// inherit adds what old sent with each template that e defines alike
// (same id, set and fields) to e's count, which then counts from where
// old's did. A template e defines differently is a new one: it counts
// from e's start.
func (e *templated) inherit(old *templated, oldStart time.Time) {
	mine := e.templateInfo()
	for _, o := range old.templateInfo() {
		i := slices.IndexFunc(mine, func(t TemplateInfo) bool {
			return t.ID == o.ID && t.SetID == o.SetID && slices.Equal(t.Fields, o.Fields)
		})
		if i < 0 {
			continue
		}
		since := old.sinceOf(o.ID)
		if since.IsZero() {
			since = oldStart
		}
		j := slices.IndexFunc(e.counts, func(c setCount) bool { return c.id == o.ID })
		if j < 0 {
			e.counts = append(e.counts, setCount{id: o.ID})
			j = len(e.counts) - 1
		}
		e.counts[j].sent += o.Records
		e.counts[j].since = since
	}
}

// mainKey is the main cache's flow key: the fields of flow.Key.
var mainKey = map[elem]bool{eSrcAddr: true, eDstAddr: true, eInputIf: true, eSrcPort: true, eDstPort: true,
	eProto: true, eToS: true, eICMPTypeCode: true}

// aggValue are an aggregate's non-key fields: its counters and times.
var aggValue = map[elem]bool{eFlows: true, ePackets: true, eBytes: true, eFirstUptime: true, eLastUptime: true,
	eFirstMillis: true, eLastMillis: true}

func (e *templated) templateInfo() []TemplateInfo {
	var out []TemplateInfo
	for _, t := range [...]*template{e.main4, e.main6, e.agg} {
		if t == nil {
			continue
		}
		ti := TemplateInfo{ID: t.id, SetID: e.templateSetID(), Records: e.sentIn(t.id), LastSent: e.tplSentAt, Since: e.sinceOf(t.id)}
		for _, f := range t.fields {
			key := mainKey[f.e]
			if t == e.agg {
				key = !aggValue[f.e]
			}
			ti.Fields = append(ti.Fields, TemplateField{IE: f.id, Length: f.length, Enterprise: f.pen, Key: key})
		}
		out = append(out, ti)
	}
	// Every options template, in the order they are sent (templated.go).
	for _, t := range [...]*optionsTemplate{e.sampler, e.ifNames, e.appNames, e.expStats} {
		if t == nil {
			continue
		}
		ti := TemplateInfo{ID: t.id, Options: true, SetID: e.optionsSetID(), Records: e.sentIn(t.id), LastSent: e.optSentAt,
			Since: e.sinceOf(t.id)}
		for _, f := range t.scope {
			ti.Fields = append(ti.Fields, TemplateField{IE: f.id, Length: f.length, Enterprise: f.pen, Scope: true})
		}
		for _, f := range t.options {
			ti.Fields = append(ti.Fields, TemplateField{IE: f.id, Length: f.length, Enterprise: f.pen})
		}
		out = append(out, ti)
	}
	return out
}

// TemplateInfo is every template the destination defines, in the order
// it sends them; nil for v5, v7 and v8.
func (e *Exporter) TemplateInfo() []TemplateInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.enc.(*templated)
	if !ok {
		return nil
	}
	out := t.templateInfo()
	for i := range out {
		if out[i].Since.IsZero() {
			out[i].Since = e.started
		}
	}
	return out
}

// TemplateSends counts the template records in the packets the
// destination sent, counted as Stats.Packets are.
func (e *Exporter) TemplateSends() TemplateSends {
	return TemplateSends{Templates: e.stats.templates.Load(), OptionsTemplates: e.stats.optTemplates.Load()}
}
