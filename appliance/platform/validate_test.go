package platform

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestValidateNormalises(t *testing.T) {
	sec := time.Second
	tests := []struct {
		persona string
		in      Setting
		check   func(Setting) bool
		what    string
	}{
		{"pfc2", Setting{Inactive: 65 * sec}, func(s Setting) bool { return s.Inactive == 64*sec }, "65 s rounds to 64"},
		{"pfc2", Setting{Inactive: 127 * sec}, func(s Setting) bool { return s.Inactive == 128*sec }, "127 s rounds to 128"},
		{"pfc2", Setting{Inactive: 4092 * sec}, func(s Setting) bool { return s.Inactive == 4088*sec }, "4092 s stays in range: 4088"},
		{"pfc2", Setting{Inactive: 33 * sec}, func(s Setting) bool { return s.Inactive == 32*sec }, "33 s rounds to 32"},
		{"pfc3b", Setting{Inactive: 65 * sec}, func(s Setting) bool { return s.Inactive == 65*sec }, "12.2SX does not round"},
		{"cflowd", Setting{Active: 61 * sec}, func(s Setting) bool { return s.Active == 120*sec }, "cflowd active rounds up to 120"},
		{"cflowd", Setting{Active: 1800 * sec}, func(s Setting) bool { return s.Active == 1800*sec }, "1800 stays"},
		{"pfc3b", Setting{FastTime: 10 * sec}, func(s Setting) bool { return s.FastTime == 10*sec && s.FastThreshold == 100 }, "fast threshold defaults to 100"},
		{"pfc3b", Setting{FastTime: 10 * sec, FastThreshold: 5}, func(s Setting) bool { return s.FastThreshold == 5 }, "fast threshold kept"},
		{"pfc3b", Setting{FastThreshold: 5}, func(s Setting) bool { return s.FastThreshold == 0 }, "a threshold without fast aging is dropped"},
		{"ios", Setting{Active: time.Hour, Inactive: 600 * sec, CacheEntries: 524288},
			func(s Setting) bool {
				return s.Active == time.Hour && s.Inactive == 600*sec && s.CacheEntries == 524288
			}, "range ends accepted"},
		{"ios", Setting{Sampling: Sampling{Mode: SamplingRandom, Rate: 65535}},
			func(s Setting) bool { return s.Sampling.Rate == 65535 }, "random 1 in 65535"},
		{"pfc3bxl", Setting{Sampling: Sampling{Mode: SamplingPacketBased, Rate: 8192, Interval: 16 * sec}},
			func(s Setting) bool { return s.Sampling.Interval == 16*sec }, "packet-based with interval"},
		{"pfc2", Setting{Mask: MaskInterfaceDestinationSource, Sampling: Sampling{Mode: SamplingTimeBased, Rate: 64}},
			func(s Setting) bool { return s.Mask == MaskInterfaceDestinationSource }, "PFC2 samples with interface-destination-source"},
		{"cflowd", Setting{Sampling: Sampling{Mode: SamplingJuniper, Rate: 16000000, RunLength: 20, MaxPacketsPerSecond: 0}},
			func(s Setting) bool { return s.Sampling.RunLength == 20 }, "juniper limits"},
		{"pfc4xl", Setting{Export: V5, Mask: MaskSource}, func(s Setting) bool { return s.Export == V5 && s.Mask == MaskSource }, "pfc4 v5"},
	}
	for _, tc := range tests {
		p := mustLookup(t, tc.persona)
		got, err := p.Validate(tc.in)
		if err != nil || !tc.check(got) {
			t.Errorf("%s: %s: Validate(%+v) = %+v, %v", tc.persona, tc.what, tc.in, got, err)
		}
	}
}

func TestValidateRefuses(t *testing.T) {
	sec := time.Second
	tests := []struct {
		persona string
		in      Setting
		want    string   // Error()
		lines   []string // Lines(), when checked
	}{
		{"ios", Setting{Inactive: 5 * sec},
			`ip flow-cache timeout inactive 5: % Invalid input detected at '^' marker. ("5": expected <10-600> seconds)`,
			[]string{"ip flow-cache timeout inactive 5", "                               ^", "% Invalid input detected at '^' marker."}},
		{"ios", Setting{Active: 61 * time.Minute},
			`ip flow-cache timeout active 61: % Invalid input detected at '^' marker. ("61": expected <1-60> minutes)`, nil},
		{"ios", Setting{Active: 90 * sec},
			`ip flow-cache timeout active 1m30s: % Invalid input detected at '^' marker. ("1m30s": expected <1-60> minutes)`, nil},
		{"ios", Setting{CacheEntries: 1023},
			`ip flow-cache entries 1023: % Invalid input detected at '^' marker. ("1023": expected <1024-524288>)`, nil},
		{"ios", Setting{Mask: MaskFull},
			`flow mask full: % Flow mask full is not supported on ios (supported: 7-tuple)`,
			[]string{"% Flow mask full is not supported on ios (supported: 7-tuple)"}},
		{"ios", Setting{Export: V7},
			`ip flow-export version 7: % Invalid input detected at '^' marker. ("7": expected one of 5, 9, ipfix)`, nil},
		{"ios", Setting{Sampling: Sampling{Mode: SamplingRandom}},
			`mode random one-out-of 0: % Invalid input detected at '^' marker. ("0": expected <1-65535>)`, nil},
		{"ios", Setting{Sampling: Sampling{Mode: SamplingTimeBased, Rate: 64}},
			`sampling time-based: % Time-based sampling is not supported on ios (supported: random)`, nil},
		{"ios", Setting{FastTime: sec}, `fast aging time 1s: % Fast aging is not supported on ios`, nil},
		{"pfc2", Setting{CacheEntries: 4096}, `flow table size 4096: % The pfc2 flow table is fixed at 131072 entries`, nil},
		{"pfc2", Setting{Active: time.Minute}, `active timeout 1m0s: % Active (long) aging is not supported on pfc2`, nil},
		{"pfc2", Setting{FastTime: 33 * sec},
			`mls aging fast time 33: % Invalid input detected at '^' marker. ("33": expected one of 32, 64, 96, 128 seconds)`, nil},
		{"pfc2", Setting{FastTime: 32 * sec, FastThreshold: 100},
			`mls aging fast threshold 100: % Invalid input detected at '^' marker. ("100": expected one of 1, 3, 7, 15, 31, 63, 127)`, nil},
		{"pfc2", Setting{Mask: MaskFull, Sampling: Sampling{Mode: SamplingPacketBased, Rate: 64}},
			`mls sampling packet-based 64: % Sampled NetFlow requires the interface-destination-source or interface-full flow mask, not full`, nil},
		{"pfc3a", Setting{Export: V9},
			`mls nde sender version 9: % Invalid input detected at '^' marker. ("9": expected one of 5, 7)`, nil},
		{"pfc3b", Setting{Inactive: 4093 * sec},
			`mls aging normal 4093: % Invalid input detected at '^' marker. ("4093": expected <32-4092> seconds)`, nil},
		{"pfc3b", Setting{Active: 63 * sec},
			`mls aging long 63: % Invalid input detected at '^' marker. ("63": expected <64-1920> seconds)`, nil},
		{"pfc3b", Setting{FastTime: 129 * sec},
			`mls aging fast time 129: % Invalid input detected at '^' marker. ("129": expected <1-128> seconds)`, nil},
		{"pfc3b", Setting{Sampling: Sampling{Mode: SamplingPacketBased, Rate: 100}},
			`mls sampling packet-based 100: % Invalid input detected at '^' marker. ("100": expected one of 64, 128, 256, 512, 1024, 2048, 4096, 8192)`, nil},
		{"pfc3b", Setting{Sampling: Sampling{Mode: SamplingPacketBased, Rate: 64, Interval: 5 * sec}},
			`mls sampling packet-based 64 5000: % Invalid input detected at '^' marker. ("5000": expected <8000-16000> milliseconds)`,
			[]string{"mls sampling packet-based 64 5000", "                             ^", "% Invalid input detected at '^' marker."}},
		{"pfc3b", Setting{Mask: MaskFull, Sampling: Sampling{Mode: SamplingTimeBased, Rate: 64}},
			`mls sampling time-based 64: % Sampled NetFlow requires the interface-full flow mask, not full`, nil},
		{"pfc4", Setting{Export: V7},
			`mls nde sender version 7: % Invalid input detected at '^' marker. ("7": expected one of 5, 9)`, nil},
		{"cflowd", Setting{Inactive: 14 * sec},
			`set forwarding-options sampling family inet output flow-inactive-timeout 14: error: value 14 is not within range (15..1800)`,
			[]string{"error: value 14 is not within range (15..1800)"}},
		{"cflowd", Setting{Export: V7},
			`set forwarding-options sampling family inet output flow-server HOST version 7: error: value 7 is not one of 5, 8, 9, ipfix`, nil},
		{"cflowd", Setting{Sampling: Sampling{Mode: SamplingJuniper, Rate: 10, RunLength: 21}},
			`set forwarding-options sampling input run-length 21: error: value 21 is not within range (0..20)`, nil},
		{"cflowd", Setting{Sampling: Sampling{Mode: SamplingJuniper, Rate: 10, MaxPacketsPerSecond: 65536}},
			`set forwarding-options sampling input max-packets-per-second 65536: error: value 65536 is not within range (0..65535)`, nil},
		{"cflowd", Setting{Mask: MaskFull},
			`flow mask full: error: flow mask full is not supported on cflowd (supported: 7-tuple)`, nil},
	}
	for _, tc := range tests {
		p := mustLookup(t, tc.persona)
		_, err := p.Validate(tc.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: Validate(%+v) = %v, want an *Error", tc.persona, tc.in, err)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%s: Validate(%+v)\n got %s\nwant %s", tc.persona, tc.in, err, tc.want)
		}
		if tc.lines != nil && !slices.Equal(e.Lines(), tc.lines) {
			t.Errorf("%s: Lines() = %q, want %q", tc.persona, e.Lines(), tc.lines)
		}
	}
}
