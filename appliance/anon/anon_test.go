package anon

import (
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// refKey is the key of the sample trace shipped with the Crypto-PAn
// reference distribution (sample_trace_raw.dat / sample_trace_sanitized.dat).
var refKey = []byte{
	21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
	216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2,
}

// TestCryptoPAnReference: pairs of that sample trace, raw -> sanitized.
func TestCryptoPAnReference(t *testing.T) {
	c, err := NewCryptoPAn(refKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range [][2]string{
		{"128.11.68.132", "135.242.180.132"},
		{"129.118.74.4", "134.136.186.123"},
		{"130.132.252.244", "133.68.164.234"},
		{"141.223.7.43", "141.167.8.160"},
		{"141.233.145.108", "141.129.237.235"},
		{"192.102.249.13", "252.138.62.131"},
		{"195.205.63.100", "255.186.223.5"},
		{"207.33.151.131", "241.1.233.131"},
		{"24.5.0.80", "100.9.15.210"},
		{"4.3.88.225", "124.60.155.63"},
		{"64.34.154.117", "0.221.154.117"},
		{"10.185.25.118", "117.161.29.118"},
	} {
		got := c.Anonymize(netip.MustParseAddr(v[0]))
		if got.String() != v[1] {
			t.Errorf("%s -> %s, reference says %s", v[0], got, v[1])
		}
	}
	// IPv6 has no reference trace; these are the outputs of Yawning
	// Angel's Go implementation (github.com/Yawning/cryptopan) with the
	// same key, which pads IPv6 with the full 128-bit pad as we do.
	for _, v := range [][2]string{
		{"::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"},
		{"2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"},
	} {
		got := c.Anonymize(netip.MustParseAddr(v[0]))
		if got.String() != v[1] {
			t.Errorf("%s -> %s, want %s", v[0], got, v[1])
		}
	}
}

func commonPrefix(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	n := 0
	for i := range x {
		d := x[i] ^ y[i]
		if d != 0 {
			return n + bits.LeadingZeros8(d)
		}
		n += 8
	}
	return n
}

// TestCryptoPAnPreservesPrefixes: for random keys and every prefix
// length, two addresses sharing exactly /N map to outputs sharing
// exactly /N, and the map is one-to-one on the pairs drawn.
func TestCryptoPAnPreservesPrefixes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 4; k++ {
		key := make([]byte, KeySize)
		for i := range key {
			key[i] = byte(rng.UintN(256))
		}
		c, err := NewCryptoPAn(key)
		if err != nil {
			t.Fatal(err)
		}
		for _, width := range []int{32, 128} {
			for n := 0; n <= width; n++ {
				for r := 0; r < 3; r++ {
					var a [16]byte
					for i := range a {
						a[i] = byte(rng.UintN(256))
					}
					b := a
					if n < width {
						b[n/8] ^= 0x80 >> (n % 8) // first difference at bit n
						for i := n + 1; i < width; i++ {
							if rng.UintN(2) == 1 {
								b[i/8] ^= 0x80 >> (i % 8)
							}
						}
					}
					var x, y netip.Addr
					if width == 32 {
						x, y = netip.AddrFrom4([4]byte(a[:4])), netip.AddrFrom4([4]byte(b[:4]))
					} else {
						x, y = netip.AddrFrom16(a), netip.AddrFrom16(b)
					}
					want := commonPrefix(x, y)
					if width == 32 {
						want -= 96
					}
					if want != n {
						t.Fatalf("test setup: %s %s share %d, want %d", x, y, want, n)
					}
					ax, ay := c.Anonymize(x), c.Anonymize(y)
					got := commonPrefix(ax, ay)
					if width == 32 {
						got -= 96
					}
					if got != n {
						t.Fatalf("key %d: %s,%s share /%d but %s,%s share /%d", k, x, y, n, ax, ay, got)
					}
				}
			}
		}
	}
}

func TestSchemeTruncates(t *testing.T) {
	s := Scheme{Prefix4: 21, Prefix6: 48}
	for in, want := range map[string]string{
		"192.0.2.255":          "192.0.0.0",
		"198.51.100.77":        "198.51.96.0",
		"2001:db8:1234:5678::": "2001:db8:1234::",
		"0.0.0.0":              "0.0.0.0",
	} {
		if got := s.Addr(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("/21,/48 of %s = %s, want %s", in, got, want)
		}
	}
	if got := (Scheme{}).Addr(netip.MustParseAddr("192.0.2.255")).String(); got != "192.0.2.255" {
		t.Errorf("zero scheme changed the address: %s", got)
	}
	c, _ := NewCryptoPAn(refKey)
	s = Scheme{Prefix4: 21, PAn: c}
	// 128.11.68.132 -> 135.242.180.132, then /21.
	if got := s.Addr(netip.MustParseAddr("128.11.68.132")).String(); got != "135.242.176.0" {
		t.Errorf("Crypto-PAn then /21 = %s", got)
	}
	if got, want := s.String(), "prefix-preserving (Crypto-PAn), IPv4 truncated to /21"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNewCryptoPAnKeyLength(t *testing.T) {
	if _, err := NewCryptoPAn(make([]byte, 16)); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}
