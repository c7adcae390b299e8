package show

import (
	"bytes"
	"math"
	"testing"
)

func TestWriteJSONKeysAndExactNumbers(t *testing.T) {
	var b bytes.Buffer
	v := struct {
		RxPackets  uint64
		BGPNextHop bool
		IPv4       uint64
		SrcIPv6    string
		MTU        uint32
	}{RxPackets: math.MaxUint64, BGPNextHop: true, IPv4: 10, SrcIPv6: "::1", MTU: 1500}
	if err := WriteJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	want := `{
  "bgp_next_hop": true,
  "ipv4": 10,
  "mtu": 1500,
  "rx_packets": 18446744073709551615,
  "src_ipv6": "::1"
}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
