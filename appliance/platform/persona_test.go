package platform

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

func mustLookup(t *testing.T, name string) Persona {
	t.Helper()
	p, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPersonaDefaults(t *testing.T) {
	tests := []struct {
		name        string
		entries     int
		recommended int
		icam        int
		mask        Mask
		nMasks      int
		export      ExportVersion
		exports     []ExportVersion
		inactive    time.Duration
		active      time.Duration
		emergency   EmergencyMode
		sampling    []SamplingMode
	}{
		{"ios", 4096, 0, 0, MaskSevenTuple, 1, V5, []ExportVersion{V5, V9, IPFIX},
			15 * time.Second, 30 * time.Minute, EmergencyFewFree, []SamplingMode{SamplingRandom}},
		{"pfc2", 131072, 32768, 0, MaskDestination, 6, V7, []ExportVersion{V5, V7},
			256 * time.Second, 0, EmergencyAggressive, []SamplingMode{SamplingTimeBased, SamplingPacketBased}},
		{"pfc3a", 131072, 65536, 128, MaskInterfaceFull, 6, V7, []ExportVersion{V5, V7},
			300 * time.Second, 1920 * time.Second, EmergencyAggressive, []SamplingMode{SamplingTimeBased, SamplingPacketBased}},
		{"pfc3b", 131072, 65536, 128, MaskInterfaceFull, 6, V7, []ExportVersion{V5, V7, V9},
			300 * time.Second, 1920 * time.Second, EmergencyAggressive, []SamplingMode{SamplingTimeBased, SamplingPacketBased}},
		{"pfc3bxl", 262144, 235520, 128, MaskInterfaceFull, 6, V7, []ExportVersion{V5, V7, V9},
			300 * time.Second, 1920 * time.Second, EmergencyAggressive, []SamplingMode{SamplingTimeBased, SamplingPacketBased}},
		{"pfc4", 524288, 515032, 0, MaskInterfaceFull, 6, V9, []ExportVersion{V5, V9},
			300 * time.Second, 1920 * time.Second, EmergencyAggressive, []SamplingMode{SamplingTimeBased, SamplingPacketBased}},
		{"pfc4xl", 524288, 506184, 0, MaskInterfaceFull, 6, V9, []ExportVersion{V5, V9},
			300 * time.Second, 1920 * time.Second, EmergencyAggressive, []SamplingMode{SamplingTimeBased, SamplingPacketBased}},
		{"cflowd", 65536, 0, 0, MaskSevenTuple, 1, V5, []ExportVersion{V5, V8, V9, IPFIX},
			60 * time.Second, 1800 * time.Second, EmergencyOff, []SamplingMode{SamplingJuniper}},
	}
	if got := Names(); len(got) != len(tests) {
		t.Fatalf("Names() = %v, want %d personas", got, len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if Names()[i] != tc.name {
				t.Fatalf("Names()[%d] = %q", i, Names()[i])
			}
			p := mustLookup(t, tc.name)
			d := p.Defaults()
			if p.Name != tc.name || d.CacheEntries != tc.entries || p.Table.Recommended != tc.recommended ||
				p.Table.ICAM != tc.icam {
				t.Errorf("table %s %d/%d icam %d; want %d/%d icam %d", p.Name, d.CacheEntries, p.Table.Recommended,
					p.Table.ICAM, tc.entries, tc.recommended, tc.icam)
			}
			if d.Mask != tc.mask || len(p.Masks) != tc.nMasks || d.Export != tc.export || !slices.Equal(p.Export, tc.exports) {
				t.Errorf("mask %v of %d, export %v of %v; want %v of %d, %v of %v",
					d.Mask, len(p.Masks), d.Export, p.Export, tc.mask, tc.nMasks, tc.export, tc.exports)
			}
			if d.Inactive != tc.inactive || d.Active != tc.active || d.FastTime != 0 {
				t.Errorf("aging %v/%v fast %v; want %v/%v off", d.Inactive, d.Active, d.FastTime, tc.inactive, tc.active)
			}
			if p.Emergency.Mode != tc.emergency {
				t.Errorf("emergency %v, want %v", p.Emergency.Mode, tc.emergency)
			}
			var modes []SamplingMode
			for _, s := range p.Sampling {
				modes = append(modes, s.Mode)
			}
			if !slices.Equal(modes, tc.sampling) {
				t.Errorf("sampling %v, want %v", modes, tc.sampling)
			}
			// The defaults are a valid setting, and the zero setting means them.
			for _, s := range []Setting{d, {}} {
				got, err := p.Validate(s)
				if err != nil || got != d {
					t.Errorf("Validate(%+v) = %+v, %v; want the defaults", s, got, err)
				}
			}
		})
	}
	if _, err := Lookup("pfc1"); err == nil {
		t.Error("Lookup(pfc1) succeeded")
	}
}

func TestPFC4XLHasSeparateEgressTable(t *testing.T) {
	if p := mustLookup(t, "pfc4"); !p.Table.Shared || p.Table.Egress != 0 {
		t.Errorf("pfc4 table %+v: want shared, no egress table", p.Table)
	}
	if p := mustLookup(t, "pfc4xl"); p.Table.Shared || p.Table.Egress != 524288 {
		t.Errorf("pfc4xl table %+v: want a separate 512K egress table", p.Table)
	}
}

func TestLookupReturnsFreshCopies(t *testing.T) {
	a := mustLookup(t, "pfc2")
	a.Masks[0] = MaskSevenTuple
	a.Aging.MaskDivisor[MaskFull] = 1
	b := mustLookup(t, "pfc2")
	if b.Masks[0] != MaskSource || b.Aging.MaskDivisor[MaskFull] != 8 {
		t.Error("a change to one persona leaked into the next Lookup")
	}
}

func TestCacheAging(t *testing.T) {
	tests := []struct {
		persona string
		s       Setting
		want    Aging
	}{
		{"ios", Setting{}, Aging{Inactive: 15 * time.Second, Active: 30 * time.Minute}},
		{"ios", Setting{Inactive: 10 * time.Second, Active: time.Minute}, Aging{Inactive: 10 * time.Second, Active: time.Minute}},
		// PFC2: the aging time as it is for destination (and source), /2
		// for destination-source, /8 for full.
		{"pfc2", Setting{Mask: MaskDestination}, Aging{Inactive: 256 * time.Second}},
		{"pfc2", Setting{Mask: MaskSource}, Aging{Inactive: 256 * time.Second}},
		{"pfc2", Setting{Mask: MaskDestinationSource}, Aging{Inactive: 128 * time.Second}},
		{"pfc2", Setting{Mask: MaskInterfaceDestinationSource}, Aging{Inactive: 128 * time.Second}},
		{"pfc2", Setting{Mask: MaskFull}, Aging{Inactive: 32 * time.Second}},
		{"pfc2", Setting{Mask: MaskInterfaceFull, Inactive: 64 * time.Second}, Aging{Inactive: 8 * time.Second}},
		{"pfc2", Setting{FastTime: 64 * time.Second}, Aging{Inactive: 256 * time.Second, FastTime: 64 * time.Second, FastThreshold: 127}},
		{"pfc3b", Setting{Mask: MaskFull}, Aging{Inactive: 300 * time.Second, Active: 1920 * time.Second}},
		{"pfc3b", Setting{FastTime: 32 * time.Second}, Aging{Inactive: 300 * time.Second, Active: 1920 * time.Second,
			FastTime: 32 * time.Second, FastThreshold: 100}},
		{"cflowd", Setting{}, Aging{Inactive: 60 * time.Second, Active: 1800 * time.Second}},
	}
	for _, tc := range tests {
		p := mustLookup(t, tc.persona)
		s, err := p.Validate(tc.s)
		if err != nil {
			t.Errorf("%s: Validate(%+v): %v", tc.persona, tc.s, err)
			continue
		}
		if got := p.CacheAging(s); got != tc.want {
			t.Errorf("%s: CacheAging(%+v) = %+v, want %+v", tc.persona, tc.s, got, tc.want)
		}
	}
}

func TestMaskApply(t *testing.T) {
	k := flow.Key{
		SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("10.0.0.2"),
		SrcPort: 1234, DstPort: 80, Proto: 6, ToS: 0x10, InputIf: 3,
	}
	any4 := netip.IPv4Unspecified()
	tests := []struct {
		mask Mask
		want flow.Key
	}{
		{MaskSource, flow.Key{SrcAddr: k.SrcAddr, DstAddr: any4}},
		{MaskDestination, flow.Key{SrcAddr: any4, DstAddr: k.DstAddr}},
		{MaskDestinationSource, flow.Key{SrcAddr: k.SrcAddr, DstAddr: k.DstAddr}},
		{MaskInterfaceDestinationSource, flow.Key{SrcAddr: k.SrcAddr, DstAddr: k.DstAddr, InputIf: 3}},
		{MaskFull, flow.Key{SrcAddr: k.SrcAddr, DstAddr: k.DstAddr, SrcPort: 1234, DstPort: 80, Proto: 6}},
		{MaskInterfaceFull, flow.Key{SrcAddr: k.SrcAddr, DstAddr: k.DstAddr, SrcPort: 1234, DstPort: 80, Proto: 6, InputIf: 3}},
		{MaskSevenTuple, k},
	}
	for _, tc := range tests {
		if got := tc.mask.Apply(k); got != tc.want {
			t.Errorf("%v.Apply = %+v, want %+v", tc.mask, got, tc.want)
		}
		if m, err := ParseMask(tc.mask.String()); err != nil || m != tc.mask {
			t.Errorf("ParseMask(%q) = %v, %v", tc.mask.String(), m, err)
		}
	}
	v6 := flow.Key{SrcAddr: netip.MustParseAddr("2001:db8::1"), DstAddr: netip.MustParseAddr("2001:db8::2")}
	if got := MaskSource.Apply(v6); got.DstAddr != netip.IPv6Unspecified() {
		t.Errorf("IPv6 destination masked to %v, want ::", got.DstAddr)
	}
	if _, err := ParseMask("null"); err == nil {
		t.Error("ParseMask accepted null")
	}
}

func TestExportVersionKeywords(t *testing.T) {
	for _, v := range []ExportVersion{V5, V7, V8, V9, IPFIX} {
		if got, err := ParseExportVersion(v.String()); err != nil || got != v {
			t.Errorf("ParseExportVersion(%q) = %v, %v", v.String(), got, err)
		}
	}
	if IPFIX.String() != "ipfix" {
		t.Errorf("IPFIX prints as %q", IPFIX.String())
	}
	if _, err := ParseExportVersion("1"); err == nil {
		t.Error("ParseExportVersion accepted 1")
	}
}

func TestTimeBasedWindow(t *testing.T) {
	for _, rate := range pfcRates() {
		sample, interval, ok := TimeBasedWindow(uint32(rate))
		// Every row samples one flow window in rate: interval/sample = rate.
		if !ok || int64(interval/sample) != rate {
			t.Errorf("rate %d: %v of %v, %v", rate, sample, interval, ok)
		}
	}
	if _, _, ok := TimeBasedWindow(100); ok {
		t.Error("rate 100 has a window")
	}
}

// TestLimitIn: a limit re-expressed in a coarser unit keeps the whole
// units inside its range.
func TestLimitIn(t *testing.T) {
	cflowd, err := Lookup("cflowd")
	if err != nil {
		t.Fatal(err)
	}
	if got := cflowd.Aging.Active.In(time.Minute); got.Min != 1 || got.Max != 30 || got.Default != 30 || got.Unit != time.Minute {
		t.Errorf("cflowd active in minutes = %+v, want 1..30 default 30", got)
	}
	odd := Limit{Command: "x", Default: 90, Min: 90, Max: 150, Unit: time.Second}
	if got := odd.In(time.Minute); got.Min != 2 || got.Max != 2 {
		t.Errorf("90..150 s in minutes = %d..%d, want 2..2", got.Min, got.Max)
	}
	if ios, _ := Lookup("ios"); ios.Aging.Active.In(time.Minute).Max != 60 {
		t.Errorf("the router's active range changed in its own unit: %+v", ios.Aging.Active.In(time.Minute))
	}
	if a := Aggregation(); a.Active.DefaultDuration() != 30*time.Minute || a.Inactive.DefaultDuration() != 15*time.Second || a.Entries.Default != 4096 {
		t.Errorf("aggregation defaults %+v", a)
	}
}
