package snmp

// NfInterfaceDirectionTypes.
const (
	dirNone    = 0
	dirIngress = 1
	dirEgress  = 2
	dirBoth    = 3
)

func direction(ingress, egress bool) int32 {
	d := int32(dirNone)
	if ingress {
		d |= dirIngress
	}
	if egress {
		d |= dirEgress
	}
	return d
}

// interfaceTable is cnfCIInterfaceTable: cnfCINetflowEnable is `ip flow
// ingress|egress`. flowtap meters multicast like any other packet and has
// no separate `ip multicast netflow`, so cnfCIMcastNetflowEnable is
// always interfaceDirNone.
func (m *netflowMIB) interfaceTable() Table {
	col := Column{ID: 1, Name: "cnfCINetflowEnable"}
	if s := m.set; s != nil {
		col.Write = &Write{
			Kind: KindInteger,
			Test: func(index OID, v Value) error {
				if v.Int < dirNone || v.Int > dirBoth {
					return Errorf(WrongValue, "cnfCINetflowEnable: %d is not an NfInterfaceDirectionTypes", v.Int)
				}
				if _, ok := m.interfaceFlow(index); !ok {
					return Errorf(NoCreation, "cnfCINetflowEnable: no interface with ifIndex %s", index)
				}
				return nil
			},
			Commit: func(index OID, v Value) (func() error, error) {
				old, ok := m.interfaceFlow(index)
				if !ok {
					return nil, Errorf(CommitFailed, "cnfCINetflowEnable: interface %s went away", index)
				}
				if err := s.SetInterfaceFlow(old.IfIndex, v.Int&dirIngress != 0, v.Int&dirEgress != 0); err != nil {
					return nil, writeError("cnfCINetflowEnable", err)
				}
				return func() error {
					return writeError("cnfCINetflowEnable", s.SetInterfaceFlow(old.IfIndex, old.Ingress, old.Egress))
				}, nil
			},
		}
	}
	return Table{
		Entry: oidNetflow.Append(1, 1, 1), Name: "cnfCIInterfaceTable",
		Columns: []Column{col, {ID: 2, Name: "cnfCIMcastNetflowEnable"}},
		Rows: func() ([]Row, error) {
			c, err := m.p.CacheStats()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(c.Interfaces))
			for _, i := range c.Interfaces {
				rows = append(rows, Row{Index: OID{i.IfIndex}, Values: []Value{
					Integer(direction(i.Ingress, i.Egress)), Integer(dirNone),
				}})
			}
			return rows, nil
		},
	}
}

func (m *netflowMIB) interfaceFlow(index OID) (InterfaceFlow, bool) {
	if len(index) != 1 {
		return InterfaceFlow{}, false
	}
	c, err := m.p.CacheStats()
	if err != nil {
		return InterfaceFlow{}, false
	}
	for _, i := range c.Interfaces {
		if i.IfIndex == index[0] {
			return i, true
		}
	}
	return InterfaceFlow{}, false
}

// bridgedTable is cnfCIBridgedFlowStatsCtrlTable, indexed by VLAN: the
// Catalyst's `ip flow layer2-switched` per VLAN. flowtap meters a tap,
// not switched VLANs, so the table is there with no rows.
func (m *netflowMIB) bridgedTable() Table {
	return Table{
		Entry: oidNetflow.Append(1, 3, 1), Name: "cnfCIBridgedFlowStatsCtrlTable",
		Columns: []Column{{ID: 2, Name: "cnfCIBridgedFlowStatsCrtEnable"}, {ID: 3, Name: "cnfCIBridgedFlowStatsExpEnable"}},
		Rows:    func() ([]Row, error) { return nil, nil },
	}
}

func (m *netflowMIB) cacheScalars() []Scalar {
	// Multicast RPF failures: flowtap has no RPF check (it routes
	// nothing), so there is nothing to account: false.
	return []Scalar{{OID: oidNetflow.Append(1, 4), Name: "cnfCIMcastNetflowRPFFailedEnable", Get: constant(TruthValue(false))}}
}

// NfTemplateTypes.
const (
	templateData    = 1
	templateOptions = 2
)

func (m *netflowMIB) templateScalars() []Scalar {
	// cnfTemplateOptionsFlag is IOS's bit set of the option templates'
	// sub-technologies (sampler, interface names...); no Cisco document
	// defines the bits, so flowtap reports none.
	return []Scalar{{OID: oidNetflow.Append(6, 1), Name: "cnfTemplateOptionsFlag", Get: constant(Unsigned32(0))}}
}

// templateTable is cnfTemplateTable: the device's templates (the table is
// indexed by template type alone), those the main cache's v9 and IPFIX
// destinations define, each once: two destinations sending the same
// template share it, one of another version adds its own. They are
// defined once, when the destination is configured, so added equals
// active.
func (m *netflowMIB) templateTable() Table {
	return Table{
		Entry: oidNetflow.Append(6, 2, 1), Name: "cnfTemplateTable",
		Columns: []Column{{ID: 2, Name: "cnfTemplateAdded"}, {ID: 3, Name: "cnfTemplateActive"}, {ID: 4, Name: "cnfTemplateAgerPolls"}},
		Rows: func() ([]Row, error) {
			e, err := m.p.ExportStats()
			if err != nil {
				return nil, err
			}
			return []Row{
				{Index: OID{templateData}, Values: []Value{Unsigned32(e.Templates), Unsigned32(e.Templates), Unsigned32(e.TemplatePolls)}},
				{Index: OID{templateOptions}, Values: []Value{Unsigned32(e.OptionsTemplates), Unsigned32(e.OptionsTemplates), Unsigned32(e.TemplatePolls)}},
			}, nil
		},
	}
}
