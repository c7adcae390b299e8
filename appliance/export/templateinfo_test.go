package export_test

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/internal/collector"
)

// TestTemplateInfoIsTheWire: what an exporter says of its templates (for
// IPFIX-MIB) is what it sent, field for field, as an RFC 7011 decoder
// written apart from the encoder reads the packets; and it counts the
// records sent with each template and the template records sent.
func TestTemplateInfoIsTheWire(t *testing.T) {
	c, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	e, err := export.NewExporter(export.DestinationConfig{Collector: addr, Encoder: export.EncoderConfig{
		Version: export.IPFIX, BootTime: boot,
		Sampler: export.Sampler{ID: 1, Mode: export.SamplingDeterministic, Interval: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	r4, r6 := tcpRecord(), v6Record()
	for range 3 {
		e.Export(&r4)
	}
	e.Export(&r6)
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return e.Stats().Records == 4 })
	var msgs [][]byte
	buf := make([]byte, 65536)
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		msgs = append(msgs, append([]byte(nil), buf[:n]...))
	}
	wire, err := collector.IPFIXTemplates(msgs)
	if err != nil {
		t.Fatal(err)
	}
	info := e.TemplateInfo()
	if len(info) != len(wire) || len(info) != 3 {
		t.Fatalf("TemplateInfo has %d templates, the wire %d; want 3 (IPv4, IPv6, sampler options)", len(info), len(wire))
	}
	var tpl, opt uint64
	for i, w := range wire {
		ti := info[i]
		if ti.ID != w.ID || ti.SetID != w.SetID || len(ti.Fields) != len(w.Fields) {
			t.Errorf("template %d: info id %d set %d %d fields; wire id %d set %d %d fields", i, ti.ID, ti.SetID, len(ti.Fields), w.ID, w.SetID, len(w.Fields))
			continue
		}
		for j, f := range w.Fields {
			g := ti.Fields[j]
			if g.IE != f.IE.ID || g.Enterprise != f.IE.PEN || g.Length != f.Length || g.Scope != (j < w.Scope) {
				t.Errorf("template %d field %d: info %+v, wire %+v (scope fields %d)", w.ID, j+1, g, f, w.Scope)
			}
		}
		if ti.LastSent.IsZero() {
			t.Errorf("template %d: no LastSent after it went out", w.ID)
		}
		if w.SetID == 2 {
			tpl++
		} else {
			opt++
		}
	}
	for id, want := range map[uint16]uint64{256: 3, 257: 1, 258: 1} {
		for _, ti := range info {
			if ti.ID == id && ti.Records != want {
				t.Errorf("template %d: %d records, want %d", id, ti.Records, want)
			}
		}
	}
	// The IPv4 template's key: addresses, ports, protocol, ToS, input
	// interface; not the counters.
	for _, f := range info[0].Fields {
		if key := f.IE == 8 || f.IE == 12 || f.IE == 7 || f.IE == 11 || f.IE == 4 || f.IE == 5 || f.IE == 10 || f.IE == 32; key != f.Key {
			t.Errorf("IE %d: flow key %v", f.IE, f.Key)
		}
	}
	if s := e.TemplateSends(); s.Templates != tpl || s.OptionsTemplates != opt {
		t.Errorf("TemplateSends %+v; the wire carried %d templates and %d options templates", s, tpl, opt)
	}
}

// TestInheritKeepsTemplateRecords: an exporter that replaces another to
// the same collector (a configuration change reopened it) counts on the
// data records of every template it defines as the old one did, from the
// old one's start; a template whose fields changed is a new one, counted
// from the new exporter's start.
func TestInheritKeepsTemplateRecords(t *testing.T) {
	_, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	open := func(cfg export.EncoderConfig) *export.Exporter {
		t.Helper()
		cfg.Version, cfg.BootTime = export.IPFIX, boot
		e, err := export.NewExporter(export.DestinationConfig{Collector: addr, Encoder: cfg})
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, e)
		return e
	}
	records := func(e *export.Exporter) map[uint16]export.TemplateInfo {
		out := map[uint16]export.TemplateInfo{}
		for _, ti := range e.TemplateInfo() {
			out[ti.ID] = ti
		}
		return out
	}
	old := open(export.EncoderConfig{Sampler: export.Sampler{ID: 1, Mode: export.SamplingDeterministic, Interval: 10}})
	r4, r6 := tcpRecord(), v6Record()
	for range 3 {
		old.Export(&r4)
	}
	old.Export(&r6)
	old.Flush()
	waitFor(t, func() bool { return old.Stats().Records == 4 })
	old.Close()

	// The sampler's rate changed: the same templates, counting on.
	time.Sleep(10 * time.Millisecond) // the new exporter starts later
	same := open(export.EncoderConfig{Sampler: export.Sampler{ID: 1, Mode: export.SamplingDeterministic, Interval: 20}})
	same.Inherit(old)
	same.Export(&r4)
	same.Flush()
	waitFor(t, func() bool { return same.Stats().Records == 5 })
	got := records(same)
	if got[256].Records != 4 || got[257].Records != 1 || !got[256].Since.Equal(old.Started()) || !got[257].Since.Equal(old.Started()) {
		t.Errorf("after the reopen: template 256 %d records since %v, 257 %d since %v; want 4 and 1 since the old start %v",
			got[256].Records, got[256].Since, got[257].Records, got[257].Since, old.Started())
	}
	same.Close()

	// The TTL fields join the templates: new templates, counted afresh.
	changed := open(export.EncoderConfig{Capture: export.CaptureTTL, Sampler: export.Sampler{ID: 1, Mode: export.SamplingDeterministic, Interval: 20}})
	changed.Inherit(same)
	got = records(changed)
	if got[256].Records != 0 || !got[256].Since.Equal(changed.Started()) {
		t.Errorf("template 256 with other fields: %d records since %v; want 0 since the new start %v", got[256].Records, got[256].Since, changed.Started())
	}
	if changed.Stats().Records != 5 {
		t.Errorf("the session's records went back: %d, want 5", changed.Stats().Records)
	}
}
