package collector

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// IE names an IPFIX information element: IANA's (PEN 0) or an
// enterprise's, such as RFC 5103's reverse elements (PEN 29305).
type IE struct {
	PEN uint32
	ID  uint16
}

// IPFIXRecord is one data record: each element's value as sent.
type IPFIXRecord map[IE][]byte

// Uint reads an unsigned element (0 when absent).
func (r IPFIXRecord) Uint(pen uint32, id uint16) uint64 {
	var v uint64
	for _, b := range r[IE{pen, id}] {
		v = v<<8 | uint64(b)
	}
	return v
}

type ipfixField struct {
	ie     IE
	length uint16
}

// DecodeIPFIX decodes the data records of IPFIX messages (RFC 7011) from
// one exporter, in order, with the templates the messages carry. It is
// written from the RFC, independently of flowtap's encoder, so that a
// test can check one against the other. Options records are left out;
// variable-length fields are read but not kept.
func DecodeIPFIX(msgs [][]byte) ([]IPFIXRecord, error) {
	be := binary.BigEndian
	templates := map[uint16][]ipfixField{}
	options := map[uint16][]ipfixField{}
	var out []IPFIXRecord
	for n, m := range msgs {
		if len(m) < 16 || be.Uint16(m) != 10 || int(be.Uint16(m[2:])) != len(m) {
			return nil, fmt.Errorf("message %d: not an IPFIX message of its length", n)
		}
		for off := 16; off < len(m); {
			if off+4 > len(m) {
				return nil, fmt.Errorf("message %d: truncated set header", n)
			}
			id, l := be.Uint16(m[off:]), int(be.Uint16(m[off+2:]))
			if l < 4 || off+l > len(m) {
				return nil, fmt.Errorf("message %d: set length %d at %d", n, l, off)
			}
			set := m[off+4 : off+l]
			off += l
			switch {
			case id == 2 || id == 3:
				ts, err := templateSet(id, set)
				if err != nil {
					return nil, fmt.Errorf("message %d: %w", n, err)
				}
				for _, t := range ts {
					if id == 2 {
						templates[t.ID] = t.fields
					} else {
						options[t.ID] = t.fields
					}
				}
			case id >= 256:
				fields, isData := templates[id]
				if !isData {
					if fields = options[id]; fields == nil {
						return nil, fmt.Errorf("message %d: set %d without a template", n, id)
					}
				}
				for {
					rec, rest, ok := decodeRecord(fields, set)
					if !ok {
						break
					}
					if isData {
						out = append(out, rec)
					}
					set = rest
				}
			}
		}
	}
	return out, nil
}

func decodeRecord(fields []ipfixField, b []byte) (IPFIXRecord, []byte, bool) {
	rec := IPFIXRecord{}
	p := 0
	for _, f := range fields {
		l := int(f.length)
		if f.length == 0xffff {
			if p >= len(b) {
				return nil, nil, false
			}
			l, p = int(b[p]), p+1
			if l == 255 {
				if p+2 > len(b) {
					return nil, nil, false
				}
				l, p = int(binary.BigEndian.Uint16(b[p:])), p+2
			}
		}
		if p+l > len(b) {
			return nil, nil, false // the rest is padding
		}
		rec[f.ie] = b[p : p+l]
		p += l
	}
	return rec, b[p:], p > 0
}

// IPFIXTemplate is a template or options template as a message carries
// it.
type IPFIXTemplate struct {
	ID, SetID uint16
	Scope     int // scope fields, first in Fields (options templates)
	Fields    []IPFIXTemplateField
	fields    []ipfixField
}

// IPFIXTemplateField is one field specifier.
type IPFIXTemplateField struct {
	IE     IE
	Length uint16
}

// templateSet decodes the template records of a template (2) or options
// template (3) set.
func templateSet(id uint16, set []byte) ([]IPFIXTemplate, error) {
	be := binary.BigEndian
	var out []IPFIXTemplate
	for len(set) >= 4 {
		t := IPFIXTemplate{ID: be.Uint16(set), SetID: id}
		count := int(be.Uint16(set[2:]))
		p := 4
		if id == 3 {
			if len(set) < 6 {
				return nil, fmt.Errorf("truncated options template %d", t.ID)
			}
			t.Scope = int(be.Uint16(set[4:]))
			p = 6
		}
		for range count {
			if p+4 > len(set) {
				return nil, fmt.Errorf("truncated template %d", t.ID)
			}
			f := ipfixField{ie: IE{ID: be.Uint16(set[p:]) & 0x7fff}, length: be.Uint16(set[p+2:])}
			if be.Uint16(set[p:])&0x8000 != 0 {
				if p+8 > len(set) {
					return nil, fmt.Errorf("truncated template %d", t.ID)
				}
				f.ie.PEN = be.Uint32(set[p+4:])
				p += 4
			}
			p += 4
			t.fields = append(t.fields, f)
			t.Fields = append(t.Fields, IPFIXTemplateField{IE: f.ie, Length: f.length})
		}
		out = append(out, t)
		set = set[p:]
	}
	return out, nil
}

// IPFIXTemplates are the templates the IPFIX messages define, the last
// definition of each id, in id order.
func IPFIXTemplates(msgs [][]byte) ([]IPFIXTemplate, error) {
	be := binary.BigEndian
	byID := map[uint16]IPFIXTemplate{}
	for n, m := range msgs {
		if len(m) < 16 || be.Uint16(m) != 10 || int(be.Uint16(m[2:])) != len(m) {
			return nil, fmt.Errorf("message %d: not an IPFIX message of its length", n)
		}
		for off := 16; off+4 <= len(m); {
			id, l := be.Uint16(m[off:]), int(be.Uint16(m[off+2:]))
			if l < 4 || off+l > len(m) {
				return nil, fmt.Errorf("message %d: set length %d at %d", n, l, off)
			}
			if id == 2 || id == 3 {
				ts, err := templateSet(id, m[off+4:off+l])
				if err != nil {
					return nil, fmt.Errorf("message %d: %w", n, err)
				}
				for _, t := range ts {
					byID[t.ID] = t
				}
			}
			off += l
		}
	}
	out := make([]IPFIXTemplate, 0, len(byID))
	for _, t := range byID {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b IPFIXTemplate) int { return int(a.ID) - int(b.ID) })
	return out, nil
}
