package daemon

import "testing"

// TestXDPDropsCountsEachDropOnce: a driver that gives the sum over its
// queues beside each queue's counter (virtio_net on Linux 6.10 and later,
// the appliance image's NICs) has each drop counted once, as one that
// gives only the queues' (veth) does. On the image, show interfaces eth1
// said 46970 XDP drops after 22615 frames had reached the meter.
func TestXDPDropsCountsEachDropOnce(t *testing.T) {
	for _, c := range []struct {
		name   string
		names  []string
		values []uint64
		want   uint64
		ok     bool
	}{
		// virtio_net 6.12's names: the sums over the queues first
		// (rx_*, tx_*), then each queue's (rx0_*, rx1_*); two queues.
		{"virtio_net", []string{"rx_drops", "rx_xdp_packets", "rx_xdp_tx", "rx_xdp_redirects", "rx_xdp_drops", "rx_kicks",
			"tx_xdp_tx", "tx_xdp_tx_drops", "tx_kicks",
			"rx0_drops", "rx0_xdp_packets", "rx0_xdp_tx", "rx0_xdp_redirects", "rx0_xdp_drops", "rx0_kicks",
			"rx1_drops", "rx1_xdp_packets", "rx1_xdp_tx", "rx1_xdp_redirects", "rx1_xdp_drops", "rx1_kicks"},
			[]uint64{23485, 23485, 0, 0, 23485, 40,
				0, 0, 3,
				23000, 23000, 0, 0, 23000, 30,
				485, 485, 0, 0, 485, 10},
			23485, true},
		{"veth", []string{"peer_ifindex", "rx_queue_0_bytes", "rx_queue_0_packets", "rx_queue_0_xdp_drops", "rx_queue_1_xdp_drops", "tx_queue_0_xdp_xmit"},
			[]uint64{7, 1000, 10, 9, 4, 0}, 13, true},
		{"no XDP statistics", []string{"tx_timeout", "rx_packets"}, []uint64{1, 2}, 0, false},
	} {
		got, ok := xdpDrops(c.names, c.values)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: xdpDrops = %d, %v; want %d, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
