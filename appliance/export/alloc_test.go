package export_test

import (
	"github.com/flowtap/flowtap/appliance/platform"
	"runtime"
	"testing"

	"github.com/flowtap/flowtap/appliance/export"
)

type discard struct{ bytes int }

func (d *discard) WritePacket(p []byte, _ export.PacketInfo) error {
	d.bytes += len(p)
	return nil
}

func steadyEncoder(tb testing.TB, cfg export.EncoderConfig) export.Encoder {
	tb.Helper()
	cfg.BootTime = boot
	cfg.Clock = export.SystemClock{}
	enc, err := export.NewEncoder(cfg, &discard{})
	if err != nil {
		tb.Fatal(err)
	}
	return enc
}

// Encoding must not allocate per record once running, whatever the
// format, including packets that carry template refreshes.
func TestEncodeDoesNotAllocate(t *testing.T) {
	cases := []struct {
		name string
		cfg  export.EncoderConfig
		agg  bool
	}{
		{"v5", v5Config, false},
		{"v7", v7Config, false},
		{"v8", v8Config(platform.SchemePrefixPort), true},
		{"v9", v9Config, false},
		{"v9-aggregation", export.EncoderConfig{Version: export.V9, Scheme: platform.SchemePrefix}, true},
		{"ipfix", ipfixConfig, false},
	}
	r4, r6 := tcpRecord(), v6Record()
	a := v8Aggregate()
	for _, c := range cases {
		enc := steadyEncoder(t, c.cfg)
		add := func() {
			if c.agg {
				enc.AddAggregate(&a)
				return
			}
			enc.Add(&r4)
			if c.cfg.Version.Templated() {
				enc.Add(&r6) // switching data sets must not allocate either
			}
		}
		for range 1000 {
			add()
		}
		if n := testing.AllocsPerRun(10000, add); n != 0 {
			t.Errorf("%s: %v allocations per record, want 0", c.name, n)
		}
		if n := testing.AllocsPerRun(100, func() { add(); enc.Flush() }); n != 0 {
			t.Errorf("%s: %v allocations per flushed packet, want 0", c.name, n)
		}
	}
}

func benchmarkEncode(b *testing.B, cfg export.EncoderConfig) {
	enc := steadyEncoder(b, cfg)
	r := tcpRecord()
	for range 1000 {
		enc.Add(&r)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		if err := enc.Add(&r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/record")
}

func BenchmarkEncodeV5(b *testing.B)    { benchmarkEncode(b, v5Config) }
func BenchmarkEncodeV9(b *testing.B)    { benchmarkEncode(b, v9Config) }
func BenchmarkEncodeIPFIX(b *testing.B) { benchmarkEncode(b, ipfixConfig) }
