package snmp

import (
	"net/netip"

	"github.com/flowtap/flowtap/appliance/flowcache"
)

// The cnfTopFlowsMatch* objects are the `match` lines under
// `ip flow-top-talkers`. Each Set rewrites the whole match through
// Setter.SetTopFlowsMatch, so it is the same change as the CLI line, and
// its undo puts the old match back. Criteria flowtap's top talkers cannot
// match on (sampler, class, direction) read as "disabled" and accept only
// that value.

// matchWrite builds a match object's Write: check validates v alone,
// apply changes a copy of the current match (or refuses it, e.g. a mask
// with no address).
func (m *netflowMIB) matchWrite(object string, kind Kind, check func(Value) error, apply func(*flowcache.Match, Value) error) *Write {
	s := m.set
	if s == nil {
		return nil
	}
	current := func() (flowcache.Match, error) {
		t, err := m.p.TopFlows()
		return t.Match, err
	}
	return &Write{
		Kind: kind,
		// Only the value alone is tested: the objects of one criterion
		// (type, address, mask) come in one Set, and each applies to the
		// match the ones before it left, so whether they fit together is
		// known at commit, where a misfit undoes the whole Set.
		Test: func(_ OID, v Value) error { return check(v) },
		Commit: func(_ OID, v Value) (func() error, error) {
			old, err := current()
			if err != nil {
				return nil, writeError(object, err)
			}
			next := old
			if err := apply(&next, v); err != nil {
				return nil, err
			}
			if err := s.SetTopFlowsMatch(next); err != nil {
				return nil, writeError(object, err)
			}
			return func() error { return writeError(object, s.SetTopFlowsMatch(old)) }, nil
		},
	}
}

// onlyValue accepts the one value that disables an unsupported criterion.
func onlyValue(object string, want int64) func(Value) error {
	return func(v Value) error {
		if v.Int != want {
			return Errorf(WrongValue, "%s: flowtap's top talkers cannot match on this; only %d (disabled) is accepted", object, want)
		}
		return nil
	}
}

func onlyEmpty(object string) func(Value) error {
	return func(v Value) error {
		if len(v.Bytes) != 0 {
			return Errorf(WrongValue, "%s: flowtap's top talkers cannot match on this; only an empty string is accepted", object)
		}
		return nil
	}
}

func noChange(*flowcache.Match, Value) error { return nil }

// prefixObjects are the type, address and mask objects of one side.
func (m *netflowMIB) prefixObjects(base uint32, side string, get func(*flowcache.Match) *netip.Prefix) []Scalar {
	tf := oidNetflow.Append(7)
	read := func(f func(netip.Prefix) Value) func() (Value, error) {
		return func() (Value, error) {
			t, err := m.p.TopFlows()
			if err != nil {
				return Value{}, err
			}
			return f(*get(&t.Match)), nil
		}
	}
	nameType, nameAddr, nameMask := "cnfTopFlowsMatch"+side+"AddressType", "cnfTopFlowsMatch"+side+"Address", "cnfTopFlowsMatch"+side+"AddressMask"
	wType := m.matchWrite(nameType, KindInteger,
		func(v Value) error {
			if v.Int != inetUnknown && v.Int != inetIPv4 && v.Int != inetIPv6 {
				return Errorf(WrongValue, "%s: %d; want unknown(0), ipv4(1) or ipv6(2)", nameType, v.Int)
			}
			return nil
		},
		func(mt *flowcache.Match, v Value) error {
			p := get(mt)
			switch {
			case v.Int == inetUnknown:
				*p = netip.Prefix{} // unknown clears the address and mask
			case p.IsValid() && (p.Addr().Is4() != (v.Int == inetIPv4)):
				return Errorf(InconsistentValue, "%s: the address is %s", nameType, p.Addr())
			}
			return nil
		})
	wAddr := m.matchWrite(nameAddr, KindOctetString,
		func(v Value) error {
			if len(v.Bytes) != 4 && len(v.Bytes) != 16 {
				return Errorf(WrongLength, "%s: %d octets; want 4 or 16", nameAddr, len(v.Bytes))
			}
			return nil
		},
		func(mt *flowcache.Match, v Value) error {
			a, _ := netip.AddrFromSlice(v.Bytes)
			p := get(mt)
			bits := a.BitLen()
			if p.IsValid() && p.Addr().BitLen() == bits {
				bits = p.Bits()
			}
			*p = netip.PrefixFrom(a, bits).Masked()
			return nil
		})
	wMask := m.matchWrite(nameMask, KindGauge32, func(Value) error { return nil },
		func(mt *flowcache.Match, v Value) error {
			p := get(mt)
			if !p.IsValid() {
				return Errorf(InconsistentValue, "%s: set %s first", nameMask, nameAddr)
			}
			if v.Uint > uint64(p.Addr().BitLen()) {
				return Errorf(WrongValue, "%s: %d bits, the address has %d", nameMask, v.Uint, p.Addr().BitLen())
			}
			*p = netip.PrefixFrom(p.Addr(), int(v.Uint)).Masked()
			return nil
		})
	return []Scalar{
		{OID: tf.Append(base), Name: nameType, Write: wType, Get: read(func(p netip.Prefix) Value {
			typ, _ := inetAddress(p.Addr())
			return Integer(typ)
		})},
		{OID: tf.Append(base + 1), Name: nameAddr, Write: wAddr, Get: read(func(p netip.Prefix) Value {
			_, b := inetAddress(p.Addr())
			return OctetString(b)
		})},
		{OID: tf.Append(base + 2), Name: nameMask, Write: wMask, Get: read(func(p netip.Prefix) Value {
			if !p.IsValid() {
				return Unsigned32(0)
			}
			return Unsigned32(uint32(p.Bits()))
		})},
	}
}

func (m *netflowMIB) portObjects(base uint32, side string, get func(*flowcache.Match) *flowcache.PortMatch) []Scalar {
	tf := oidNetflow.Append(7)
	obj := func(id uint32, name string, hi bool) Scalar {
		w := m.matchWrite(name, KindInteger,
			func(v Value) error {
				if v.Int < -1 || v.Int > 65535 {
					return Errorf(WrongValue, "%s: %d not in -1..65535", name, v.Int)
				}
				return nil
			},
			func(mt *flowcache.Match, v Value) error {
				p := get(mt)
				if v.Int == -1 {
					*p = flowcache.PortMatch{} // either end at -1 disables the criterion
					return nil
				}
				if !p.Set {
					*p = flowcache.PortMatch{Set: true, Min: 0, Max: 65535}
				}
				if hi {
					p.Max = uint16(v.Int)
				} else {
					p.Min = uint16(v.Int)
				}
				if p.Min > p.Max {
					return Errorf(InconsistentValue, "%s: low port %d above high port %d", name, p.Min, p.Max)
				}
				return nil
			})
		return Scalar{OID: tf.Append(id), Name: name, Write: w, Get: func() (Value, error) {
			t, err := m.p.TopFlows()
			if err != nil {
				return Value{}, err
			}
			p := get(&t.Match)
			switch {
			case !p.Set:
				return Integer(-1), nil
			case hi:
				return Integer(int32(p.Max)), nil
			}
			return Integer(int32(p.Min)), nil
		}}
	}
	return []Scalar{
		obj(base, "cnfTopFlowsMatch"+side+"PortLo", false),
		obj(base+1, "cnfTopFlowsMatch"+side+"PortHi", true),
	}
}

func (m *netflowMIB) countObjects(base uint32, what string, get func(*flowcache.Match) *flowcache.CountMatch) []Scalar {
	tf := oidNetflow.Append(7)
	obj := func(id uint32, name string, max bool) Scalar {
		w := m.matchWrite(name, KindGauge32, func(Value) error { return nil },
			func(mt *flowcache.Match, v Value) error {
				c := get(mt)
				if max {
					c.Max = v.Uint
				} else {
					c.Min = v.Uint
				}
				if c.Max != 0 && c.Min > c.Max {
					return Errorf(InconsistentValue, "%s: minimum %d above maximum %d", name, c.Min, c.Max)
				}
				return nil
			})
		return Scalar{OID: tf.Append(id), Name: name, Write: w, Get: func() (Value, error) {
			t, err := m.p.TopFlows()
			if err != nil {
				return Value{}, err
			}
			c := get(&t.Match)
			if max {
				return Unsigned32(Clamp32(c.Max)), nil
			}
			return Unsigned32(Clamp32(c.Min)), nil
		}}
	}
	return []Scalar{obj(base, "cnfTopFlowsMatchMin"+what, false), obj(base+1, "cnfTopFlowsMatchMax"+what, true)}
}

// matchScalars are cnfTopFlowsMatch* (9..34), cnfTopFlowsGenerate (35)
// and cnfTopFlowsNextGenActionEffect (37).
func (m *netflowMIB) matchScalars() []Scalar {
	tf := oidNetflow.Append(7)
	var out []Scalar
	out = append(out, m.prefixObjects(9, "Src", func(mt *flowcache.Match) *netip.Prefix { return &mt.Src })...)
	out = append(out, m.prefixObjects(12, "Dst", func(mt *flowcache.Match) *netip.Prefix { return &mt.Dst })...)
	unsupported := func(id uint32, name string, v Value) Scalar {
		s := Scalar{OID: tf.Append(id), Name: name, Get: constant(v)}
		if v.Kind == KindOctetString {
			s.Write = m.matchWrite(name, KindOctetString, onlyEmpty(name), noChange)
		} else {
			s.Write = m.matchWrite(name, v.Kind, onlyValue(name, int64(v.Int)+int64(v.Uint)), noChange)
		}
		return s
	}
	out = append(out, m.prefixObjects(15, "Nh", func(mt *flowcache.Match) *netip.Prefix { return &mt.NextHop })...)
	out = append(out, m.portObjects(18, "Src", func(mt *flowcache.Match) *flowcache.PortMatch { return &mt.SrcPort })...)
	out = append(out, m.portObjects(20, "Dst", func(mt *flowcache.Match) *flowcache.PortMatch { return &mt.DstPort })...)
	out = append(out,
		m.asObject(22, "cnfTopFlowsMatchSrcAS", func(mt *flowcache.Match) *uint32 { return &mt.SrcAS }),
		m.asObject(23, "cnfTopFlowsMatchDstAS", func(mt *flowcache.Match) *uint32 { return &mt.DstAS }),
		m.ifObject(24, "cnfTopFlowsMatchInputIf", func(mt *flowcache.Match) *uint32 { return &mt.InputIf }),
		m.ifObject(25, "cnfTopFlowsMatchOutputIf", func(mt *flowcache.Match) *uint32 { return &mt.OutputIf }),
		m.tosObject(26))
	out = append(out, Scalar{OID: tf.Append(27), Name: "cnfTopFlowsMatchProtocol",
		Write: m.matchWrite("cnfTopFlowsMatchProtocol", KindInteger,
			func(v Value) error {
				if v.Int < -1 || v.Int > 255 {
					return Errorf(WrongValue, "cnfTopFlowsMatchProtocol: %d not in -1..255", v.Int)
				}
				return nil
			},
			func(mt *flowcache.Match, v Value) error {
				mt.ProtocolSet, mt.Protocol = v.Int >= 0, uint8(max(v.Int, 0))
				return nil
			}),
		Get: func() (Value, error) {
			t, err := m.p.TopFlows()
			if err != nil || !t.Match.ProtocolSet {
				return Integer(-1), err
			}
			return Integer(int32(t.Match.Protocol)), nil
		}})
	out = append(out,
		unsupported(28, "cnfTopFlowsMatchSampler", OctetString([]byte{})),
		unsupported(29, "cnfTopFlowsMatchClass", OctetString([]byte{})))
	out = append(out, m.countObjects(30, "Packets", func(mt *flowcache.Match) *flowcache.CountMatch { return &mt.Packets })...)
	out = append(out, m.countObjects(32, "Bytes", func(mt *flowcache.Match) *flowcache.CountMatch { return &mt.Bytes })...)
	out = append(out, unsupported(34, "cnfTopFlowsMatchDirection", Integer(0)))

	// The report is rebuilt on the first read after cache-timeout, so
	// cnfTopFlowsGenerate has nothing to start: it reads false, takes
	// true or false, and cnfTopFlowsNextGenActionEffect says whether the
	// next read will rebuild (generate) or serve the cached report (noOp).
	gen := &Write{Kind: KindInteger,
		Test: func(_ OID, v Value) error {
			if v.Int != 1 && v.Int != 2 {
				return Errorf(WrongValue, "cnfTopFlowsGenerate: %d is not a TruthValue", v.Int)
			}
			return nil
		},
		Commit: func(OID, Value) (func() error, error) { return nil, nil },
	}
	if m.set == nil {
		gen = nil
	}
	out = append(out,
		Scalar{OID: tf.Append(35), Name: "cnfTopFlowsGenerate", Get: constant(TruthValue(false)), Write: gen},
		Scalar{OID: tf.Append(37), Name: "cnfTopFlowsNextGenActionEffect", Get: func() (Value, error) {
			t, err := m.p.TopFlows()
			if err != nil {
				return Value{}, err
			}
			if !t.Generated.IsZero() && m.now().Sub(t.Generated) < t.CacheTimeout {
				return Integer(1), nil // noOp
			}
			return Integer(2), nil // generate
		}})
	return out
}

// asObject is cnfTopFlowsMatchSrcAS or DstAS: -1 is no criterion.
func (m *netflowMIB) asObject(id uint32, name string, get func(*flowcache.Match) *uint32) Scalar {
	w := m.matchWrite(name, KindInteger,
		func(v Value) error {
			if v.Int < -1 || v.Int == 0 {
				return Errorf(WrongValue, "%s: %d; want an AS number or -1 (disabled)", name, v.Int)
			}
			return nil
		},
		func(mt *flowcache.Match, v Value) error {
			*get(mt) = uint32(max(v.Int, 0))
			return nil
		})
	return Scalar{OID: oidNetflow.Append(7, id), Name: name, Write: w, Get: func() (Value, error) {
		t, err := m.p.TopFlows()
		if err != nil {
			return Value{}, err
		}
		as := *get(&t.Match)
		if as == 0 {
			return Integer(-1), nil
		}
		// An AS past Integer32 (4-byte AS above 2^31) reads as the
		// criterion's bits; the MIB has no wider type.
		return Integer(int32(as)), nil
	}}
}

// ifObject is cnfTopFlowsMatchInputIf or OutputIf: an ifIndex, 0 for no
// criterion. An interface the CLI named that does not exist reads 0 too
// (it matches no flow; the MIB has no value for that).
func (m *netflowMIB) ifObject(id uint32, name string, get func(*flowcache.Match) *uint32) Scalar {
	w := m.matchWrite(name, KindInteger,
		func(v Value) error {
			if v.Int < 0 {
				return Errorf(WrongValue, "%s: %d; want an ifIndex or 0 (disabled)", name, v.Int)
			}
			return nil
		},
		func(mt *flowcache.Match, v Value) error {
			*get(mt) = uint32(v.Int)
			return nil
		})
	return Scalar{OID: oidNetflow.Append(7, id), Name: name, Write: w, Get: func() (Value, error) {
		t, err := m.p.TopFlows()
		if err != nil {
			return Value{}, err
		}
		i := *get(&t.Match)
		if i > 1<<31-1 {
			i = 0
		}
		return Integer(int32(i)), nil
	}}
}

// tosObject is cnfTopFlowsMatchTOSByte: the byte a `match tos N` wants,
// -1 for no criterion. `match tos dscp|precedence` compare only the top
// bits: they read as the byte with the other bits zero.
func (m *netflowMIB) tosObject(id uint32) Scalar {
	const name = "cnfTopFlowsMatchTOSByte"
	w := m.matchWrite(name, KindInteger,
		func(v Value) error {
			if v.Int < -1 || v.Int > 255 {
				return Errorf(WrongValue, "%s: %d not in -1..255", name, v.Int)
			}
			return nil
		},
		func(mt *flowcache.Match, v Value) error {
			mt.ToS = flowcache.ToSMatch{}
			if v.Int >= 0 {
				mt.ToS = flowcache.ToSMatch{Mask: 0xff, Value: uint8(v.Int)}
			}
			return nil
		})
	return Scalar{OID: oidNetflow.Append(7, id), Name: name, Write: w, Get: func() (Value, error) {
		t, err := m.p.TopFlows()
		if err != nil {
			return Value{}, err
		}
		if t.Match.ToS.Mask == 0 {
			return Integer(-1), nil
		}
		return Integer(int32(t.Match.ToS.Value)), nil
	}}
}
