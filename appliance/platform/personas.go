package platform

import "time"

// Section numbers below are those of docs/vendor-behaviour.md (facts marked SRC or RECALL).

func allCatalystMasks() []Mask {
	return []Mask{MaskSource, MaskDestination, MaskDestinationSource,
		MaskInterfaceDestinationSource, MaskFull, MaskInterfaceFull}
}

// fixedTable is a hardware table: no command changes its size.
func fixedTable(entries int64) Limit { return Limit{Default: entries, Min: entries, Max: entries} }

func ios() Persona {
	return Persona{
		Name:        "ios",
		Description: "Cisco IOS router, traditional NetFlow main cache",
		Dialect:     DialectIOS,
		Table: Table{
			// Default 4096: SRC (2.2, the header "278544 bytes" is 4096
			// entries of 68 B). Range 1024-524288: RECALL (2.1, 7.4).
			Entries: Limit{Command: "ip flow-cache entries", Default: 4096, Min: 1024, Max: 524288},
		},
		// The 7-tuple key: RECALL ("standard", 2.1).
		Masks:       []Mask{MaskSevenTuple},
		DefaultMask: MaskSevenTuple,
		// IOS offers v1, v5, v9 (RECALL, 2.3); appliance/export has no v1
		// and IPFIX is flowtap's (docs/architecture.md). v5 as the default is the brief's
		// choice (ours): a real IOS box exports v1 until told otherwise.
		Export:        []ExportVersion{V5, V9, IPFIX},
		DefaultExport: V5,
		ExportCommand: "ip flow-export version",
		Sampling: []SamplingSpec{{
			Mode: SamplingRandom,
			// 1-65535: SRC (2.7, 12.0S feature guide).
			Rate: Limit{Command: "mode random one-out-of", Min: 1, Max: 65535},
		}},
		Aging: AgingSpec{
			// Defaults 15 s / 30 min, the cache engine's own: SRC (2.1, cache
			// header and IOS-clone docs). Cisco's own ranges 10-600 s / 1-60 min: RECALL, SRC
			// for the clones.
			Inactive: Limit{Command: "ip flow-cache timeout inactive", Default: int64(DefaultInactive / time.Second), Min: 10, Max: 600, Unit: time.Second},
			Active:   Limit{Command: "ip flow-cache timeout active", Default: int64(DefaultActive / time.Minute), Min: 1, Max: 60, Unit: time.Minute},
		},
		// Emergency expiry: SRC (2.1, Inside Cisco IOS App. A); the
		// "few" and the accelerated timeout are ours (the engine's).
		Emergency: Emergency{Mode: EmergencyFewFree},
	}
}

// catalyst holds what the PFC personas share.
func catalyst(name, desc string) Persona {
	return Persona{
		Name:        name,
		Description: desc,
		Dialect:     DialectIOS,
		// All six masks on every PFC: SRC for PFC2/PFC3 (1.1, 12.1E and
		// 12.2SX); PFC4 keeps them by extrapolation (ours).
		Masks:         allCatalystMasks(),
		MaskCommand:   "mls flow ip",
		ExportCommand: "mls nde sender version",
		Sampling: []SamplingSpec{
			// Rates 64-8192: SRC (1.5). Masks: "full-interface (PFC2 and
			// PFC3)": SRC (1.1); PFC2 adds destination-source-interface.
			{Mode: SamplingTimeBased, Rate: Limit{Command: "mls sampling time-based", Allowed: pfcRates()},
				Masks: []Mask{MaskInterfaceFull}},
			// Interval 8000-16000 ms: the 12.2SX window, SRC (1.5); that it
			// is the range of the optional argument is RECALL (ours).
			{Mode: SamplingPacketBased, Rate: Limit{Command: "mls sampling packet-based", Allowed: pfcRates()},
				Interval: Limit{Command: "mls sampling packet-based RATE", Min: 8000, Max: 16000, Unit: time.Millisecond},
				Masks:    []Mask{MaskInterfaceFull}},
		},
		// Aggressive aging at 90 %, checked every 30 s: SRC for the Sup720
		// (1.2); applied to PFC2 and PFC4 too (ours, 6 treats all PFCs so).
		Emergency: Emergency{Mode: EmergencyAggressive, Percent: 90, Every: 30 * time.Second},
	}
}

// sup720Aging is the 12.2SX `mls aging` (1.3).
func sup720Aging() AgingSpec {
	return AgingSpec{
		// normal 300 s, 32-4092: SRC.
		Inactive: Limit{Command: "mls aging normal", Default: 300, Min: 32, Max: 4092, Unit: time.Second},
		// long 64-1920: SRC; default 1920: RECALL.
		Active: Limit{Command: "mls aging long", Default: 1920, Min: 64, Max: 1920, Unit: time.Second},
		// fast time and threshold 1-128: SRC; off by default: SRC;
		// time 32 / threshold 100 when enabled: RECALL.
		FastTime:      Limit{Command: "mls aging fast time", Default: 32, Min: 1, Max: 128, Unit: time.Second},
		FastThreshold: Limit{Command: "mls aging fast threshold", Default: 100, Min: 1, Max: 128},
	}
}

func pfc2() Persona {
	p := catalyst("pfc2", "Catalyst 6500 Supervisor 2, PFC2 (12.1E)")
	p.Table = Table{
		// 128K hashed, 32K recommended: SRC (1.2, Cox; 12.1E p.33-10).
		Entries:     fixedTable(131072),
		Recommended: 32768,
	}
	// Destination is the default of the old MLS-SE, CatOS and PFC1: SRC
	// (1.1). PFC2's own default is not in the reference: ours.
	p.DefaultMask = MaskDestination
	// v7 in all releases, v5 from 12.1(13)E: SRC (1.4). v7 as the
	// default: ours.
	p.Export, p.DefaultExport = []ExportVersion{V5, V7}, V7
	// "dest-source-interface flow mask (PFC2)": SRC (1.1).
	for i := range p.Sampling {
		p.Sampling[i].Masks = []Mask{MaskInterfaceDestinationSource, MaskInterfaceFull}
	}
	p.Aging = AgingSpec{
		// 256 s, 32-4092 in 8-s steps rounded to the nearest: SRC (1.3).
		Inactive: Limit{Command: "mls aging normal", Default: 256, Min: 32, Max: 4092, Unit: time.Second, RoundTo: 8},
		// Fast aging values are the Sup1/Sup2 hardware's (CatOS): time
		// 32/64/96/128 s, thresholds 2^n-1: SRC (1.3). Threshold 0 (off)
		// is left out, "fast off" is FastTime 0. Defaults 32 s / 127: ours.
		FastTime:      Limit{Command: "mls aging fast time", Default: 32, Allowed: []int64{32, 64, 96, 128}, Unit: time.Second},
		FastThreshold: Limit{Command: "mls aging fast threshold", Default: 127, Allowed: []int64{1, 3, 7, 15, 31, 63, 127}},
		// No `mls aging long` on PFC2 in the reference: no active timeout.
		// "divided by two ... source-to-destination ... by eight ...
		// full-flow": SRC (1.3). The interface variants follow their base
		// mask and source-only follows destination-only: ours.
		MaskDivisor: map[Mask]int64{
			MaskDestinationSource: 2, MaskInterfaceDestinationSource: 2,
			MaskFull: 8, MaskInterfaceFull: 8,
		},
	}
	return p
}

func pfc3(name string) Persona {
	p := catalyst(name, "")
	// Totals 128K (PFC3A/B) and 256K (PFC3BXL): SRC (1.2, the EARL JP doc
	// prints them as 128,000 / 256,000; taken as binary K, ours).
	// Recommended 64K and 230K (235,520): RECALL (1.2, 7.1).
	// ICAM 128: SRC (1.2).
	switch name {
	case "pfc3a":
		p.Description = "Catalyst 6500 Supervisor 720, PFC3A (12.2SX)"
		p.Table = Table{Entries: fixedTable(131072), Recommended: 65536, ICAM: 128}
	case "pfc3b":
		p.Description = "Catalyst 6500 Supervisor 720, PFC3B (12.2SX)"
		p.Table = Table{Entries: fixedTable(131072), Recommended: 65536, ICAM: 128}
	default:
		p.Description = "Catalyst 6500 Supervisor 720, PFC3BXL (12.2SX)"
		p.Table = Table{Entries: fixedTable(262144), Recommended: 235520, ICAM: 128}
	}
	// The 12.2SX default mask is believed null (1.1, unconfirmed), and null
	// exports nothing; we default to the most specific, which sampled
	// NetFlow also needs: ours.
	p.DefaultMask = MaskInterfaceFull
	// v5 and v7: SRC for Sup720 PFC3B/BXL (1.4), extended to PFC3A: ours.
	// v9 for hardware flows from 12.2(33)SXH: RECALL; offered on B/BXL.
	// v7 as the default: ours.
	p.Export, p.DefaultExport = []ExportVersion{V5, V7}, V7
	if name != "pfc3a" {
		p.Export = append(p.Export, V9)
	}
	p.Aging = sup720Aging()
	return p
}

func pfc4(xl bool) Persona {
	p := catalyst("pfc4", "Catalyst 6500 Supervisor 2T, PFC4 (15.xSY)")
	// 512K shared by ingress and egress, 515,032 effective; XL 512K each
	// way, 506,184 effective each: SRC (1.2, Sup6T guide table 53-1).
	p.Table = Table{Entries: fixedTable(524288), Recommended: 515032, Shared: true}
	if xl {
		p.Name, p.Description = "pfc4xl", "Catalyst 6500 Supervisor 2T, PFC4XL (15.xSY)"
		p.Table = Table{Entries: fixedTable(524288), Recommended: 506184, Egress: 524288}
	}
	p.DefaultMask = MaskInterfaceFull // as PFC3: ours
	// 15.4SY dropped v7 and v8, v5 only partly (via FNF), FNF defaults to
	// v9: SRC (1.4, 2.8).
	p.Export, p.DefaultExport = []ExportVersion{V5, V9}, V9
	// The Sup720's aging and sampling commands, by extrapolation: ours.
	p.Aging = sup720Aging()
	return p
}

func cflowd() Persona {
	return Persona{
		Name:        "cflowd",
		Description: "Juniper cflowd / J-Flow (forwarding-options sampling)",
		Dialect:     DialectJunOS,
		// The reference gives no table size for cflowd: 65536, fixed, ours.
		Table: Table{Entries: fixedTable(65536)},
		// J-Flow keys on the same 7-tuple as IOS: ours.
		Masks:       []Mask{MaskSevenTuple},
		DefaultMask: MaskSevenTuple,
		// `version format` 5 | 8, version9, version-ipfix: SRC (4.1).
		// v5 as the default: ours.
		Export:        []ExportVersion{V5, V8, V9, IPFIX},
		DefaultExport: V5,
		ExportCommand: "set forwarding-options sampling family inet output flow-server HOST version",
		Sampling: []SamplingSpec{{
			Mode: SamplingJuniper,
			// rate 1..16000000 and max-packets-per-second 0..65535
			// default 1000: SRC (4.1). run-length 0..20 default 0: RECALL.
			Rate:      Limit{Command: "set forwarding-options sampling input rate", Min: 1, Max: 16000000},
			RunLength: Limit{Command: "set forwarding-options sampling input run-length", Min: 0, Max: 20},
			MaxPPS:    Limit{Command: "set forwarding-options sampling input max-packets-per-second", Default: 1000, Min: 0, Max: 65535},
		}},
		Aging: AgingSpec{
			// 60 s (15..1800) and 1800 s (60..1800): RECALL (4.1, 7.5).
			Inactive: Limit{Command: "set forwarding-options sampling family inet output flow-inactive-timeout",
				Default: 60, Min: 15, Max: 1800, Unit: time.Second},
			// "exported after a time period that is a multiple of 60
			// seconds and greater than or equal to the configured active
			// timeout": SRC (4.1), hence the round-up.
			Active: Limit{Command: "set forwarding-options sampling family inet output flow-active-timeout",
				Default: 1800, Min: 60, Max: 1800, Unit: time.Second, RoundUpTo: 60},
		},
		// Nothing in the reference on a full cflowd table: new flows fail
		// and are counted, ours.
		Emergency: Emergency{Mode: EmergencyOff},
		// template-refresh-rate and option-refresh-rate default to 4800
		// packets and 60 seconds each: SRC (Junos 9.5 and 12.3
		// template-refresh-rate; Junos flow-monitoring "Configuring ...
		// Discard Accounting with a Template" for option-refresh-rate).
		Resend: Resend{TemplatePackets: 4800, TemplateEvery: 60 * time.Second, OptionPackets: 4800, OptionEvery: 60 * time.Second},
	}
}
