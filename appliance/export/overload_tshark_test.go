package export_test

import (
	"slices"
	"testing"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/internal/collector"
)

type overloadRater interface{ SetOverloadRate(uint32) error }

// encodePhases encodes one record per phase, setting the overload rate
// of the phase first, each in its own packet.
func encodePhases(t *testing.T, cfg export.EncoderConfig, rates []uint32, ids []uint16) [][]byte {
	t.Helper()
	enc, c := newEncoder(t, cfg)
	recs := interopRecords(len(rates))
	for i, rate := range rates {
		if err := enc.(overloadRater).SetOverloadRate(rate); err != nil {
			t.Fatal(err)
		}
		recs[i].SamplerID = ids[i]
		if err := enc.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
		mustFlush(t, enc)
	}
	return c.pkts
}

// TestTsharkDecodesOverloadSampler: with overload protection configured
// the records carry a sampler id; while overload sampling is on, the next
// packet announces the overload sampler (its own id, its rate) and the
// records metered under it name it; when it ends, it is no longer
// announced. v5 carries the rate in its header.
func TestTsharkDecodesOverloadSampler(t *testing.T) {
	for _, base := range []export.EncoderConfig{v9Config, ipfixConfig} {
		cfg := base
		cfg.InterfaceNames = nil
		cfg.Sampler = export.Sampler{}
		cfg.Overload = []export.OverloadSampler{{ID: 64}}
		pkts := encodePhases(t, cfg, []uint32{0, 8, 16, 0}, []uint16{0, 64, 64, 0})
		res := collector.TsharkCflow(t, pkts, cflowPort, "cflow.sampler_id", "cflow.sampler_mode", "cflow.sampler_random_interval", "_ws.expert.message")
		name := "v" + cfg.Version.String()
		// Per packet: the record; a row and the record; again; the record.
		if len(res) != 4 {
			t.Fatalf("%s: %d packets decoded, want 4", name, len(res))
		}
		for i, want := range [][]string{{"0"}, {"64", "64"}, {"64", "64"}, {"0"}} {
			if got := res[i]["cflow.sampler_id"]; !slices.Equal(got, want) {
				t.Errorf("%s packet %d: sampler ids %v, want %v", name, i, got, want)
			}
		}
		for i, want := range [][]string{nil, {"8"}, {"16"}, nil} {
			if got := res[i]["cflow.sampler_random_interval"]; !slices.Equal(got, want) {
				t.Errorf("%s packet %d: sampler intervals %v, want %v", name, i, got, want)
			}
			if want != nil && !slices.Equal(res[i]["cflow.sampler_mode"], []string{"1"}) {
				t.Errorf("%s packet %d: sampler mode %v, want deterministic", name, i, res[i]["cflow.sampler_mode"])
			}
		}
		for _, p := range res {
			for _, m := range p["_ws.expert.message"] {
				t.Errorf("%s: Wireshark says %q", name, m)
			}
		}
	}

	// Over a random 1-in-100 sampler the overload sampler announces the
	// product, and v5's header carries it.
	cfg := export.EncoderConfig{Version: export.V5, Sampler: export.Sampler{ID: 1, Mode: export.SamplingRandom, Interval: 100},
		Overload: []export.OverloadSampler{{ID: 64, Base: export.Sampler{ID: 1, Mode: export.SamplingRandom, Interval: 100}}}}
	pkts := encodePhases(t, cfg, []uint32{0, 4, 0}, []uint16{0, 64, 0})
	res := collector.TsharkCflow(t, pkts, cflowPort, "cflow.samplingmode", "cflow.samplerate")
	for i, want := range []string{"100", "400", "100"} {
		if got := res[i]["cflow.samplerate"]; !slices.Equal(got, []string{want}) || !slices.Equal(res[i]["cflow.samplingmode"], []string{"2"}) {
			t.Errorf("v5 packet %d: sampling %v rate %v, want random %s", i, res[i]["cflow.samplingmode"], got, want)
		}
	}
}
