package export_test

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/export"
)

// TestIfIndexPast16Bits: a port numbered past 65535 (the kernel numbers
// links up for as long as it runs: a box left up while links came and
// went) in v5 and v7's 16-bit interface fields is 0, no interface, as an
// AS past 65535 is AS_TRANS; its low 16 bits named another port (65537 as
// the loopback, 1). 65535 itself fits; v9 carries them whole. nfdump
// reads them.
func TestIfIndexPast16Bits(t *testing.T) {
	recs := interopRecords(3)
	recs[0].InputIf, recs[0].OutputIf = 65537, 3
	recs[1].InputIf, recs[1].OutputIf = 4, 70000
	recs[2].InputIf, recs[2].OutputIf = 65535, 131074
	for _, c := range []struct {
		cfg  export.EncoderConfig
		want [3][2]uint32
	}{
		{export.EncoderConfig{Version: export.V5}, [3][2]uint32{{0, 3}, {4, 0}, {65535, 0}}},
		{export.EncoderConfig{Version: export.V7, RouterSC: v7Config.RouterSC}, [3][2]uint32{{0, 3}, {4, 0}, {65535, 0}}},
		{export.EncoderConfig{Version: export.V9}, [3][2]uint32{{65537, 3}, {4, 70000}, {65535, 131074}}},
	} {
		t.Run("v"+c.cfg.Version.String(), func(t *testing.T) {
			got := map[string][2]uint32{}
			for _, f := range collectWithNfcapd(t, encodeAll(t, c.cfg, recs, nil)) {
				got[nfdumpSrc(f)] = [2]uint32{f.InputIf, f.OutputIf}
			}
			for i, r := range recs {
				if g := got[r.SrcAddr.String()]; g != c.want[i] {
					t.Errorf("flow in %d out %d: nfdump reads in %d out %d, want %v", r.InputIf, r.OutputIf, g[0], g[1], c.want[i])
				}
			}
		})
	}
}
