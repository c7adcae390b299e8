package daemon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ethtool ioctl commands (linux/ethtool.h) that x/sys/unix does not wrap.
const (
	ethtoolGStrings  = 0x1b
	ethtoolGStats    = 0x1d
	ethtoolGSSetInfo = 0x37
	ethSSStats       = 1
	ethGStringLen    = 32
)

// ethtoolIoctl runs SIOCETHTOOL on name with data as the command buffer.
func ethtoolIoctl(fd int, name string, data []byte) error {
	var ifr [40]byte // struct ifreq: name, then a pointer to the command
	copy(ifr[:unix.IFNAMSIZ-1], name)
	*(*uintptr)(unsafe.Pointer(&ifr[unix.IFNAMSIZ])) = uintptr(unsafe.Pointer(&data[0]))
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr[0])))
	runtime.KeepAlive(data)
	if errno != 0 {
		return errno
	}
	return nil
}

// ethtoolInfo is what the driver says about a link: its name ("Hardware
// is ...") and its XDP drop counters summed over queues (what `ethtool -S`
// calls *xdp_drops: virtio_net, veth, most NIC drivers).
type ethtoolInfo struct {
	driver   string
	xdpDrops uint64
	hasDrops bool
}

// ethtoolOf asks the driver of link name, in the caller's network
// namespace.
func ethtoolOf(name string) (ethtoolInfo, error) {
	var info ethtoolInfo
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return info, fmt.Errorf("ethtool socket: %w", err)
	}
	defer unix.Close(fd)
	if d, err := unix.IoctlGetEthtoolDrvinfo(fd, name); err == nil {
		info.driver = unix.ByteSliceToString(d.Driver[:])
	}
	// How many statistics: ETHTOOL_GSSET_INFO with the stats set.
	sset := make([]byte, 8+8+4)
	binary.NativeEndian.PutUint32(sset, ethtoolGSSetInfo)
	binary.NativeEndian.PutUint64(sset[8:], 1<<ethSSStats)
	if err := ethtoolIoctl(fd, name, sset); err != nil || binary.NativeEndian.Uint64(sset[8:]) == 0 {
		return info, nil // no driver statistics (loopback, generic links)
	}
	n := binary.NativeEndian.Uint32(sset[16:])
	if n == 0 || n > 1<<16 {
		return info, nil
	}
	strs := make([]byte, 12+int(n)*ethGStringLen)
	binary.NativeEndian.PutUint32(strs, ethtoolGStrings)
	binary.NativeEndian.PutUint32(strs[4:], ethSSStats)
	binary.NativeEndian.PutUint32(strs[8:], n)
	if err := ethtoolIoctl(fd, name, strs); err != nil {
		return info, fmt.Errorf("ethtool strings of %s: %w", name, err)
	}
	stats := make([]byte, 8+int(n)*8)
	binary.NativeEndian.PutUint32(stats, ethtoolGStats)
	binary.NativeEndian.PutUint32(stats[4:], n)
	if err := ethtoolIoctl(fd, name, stats); err != nil {
		return info, fmt.Errorf("ethtool stats of %s: %w", name, err)
	}
	names := make([]string, n)
	values := make([]uint64, n)
	for i := range int(n) {
		s := strs[12+i*ethGStringLen : 12+(i+1)*ethGStringLen]
		if j := bytes.IndexByte(s, 0); j >= 0 {
			s = s[:j]
		}
		names[i], values[i] = string(s), binary.NativeEndian.Uint64(stats[8+i*8:])
	}
	info.xdpDrops, info.hasDrops = xdpDrops(names, values)
	return info, nil
}

// xdpDrops sums a driver's *xdp_drops statistics. Drivers name them per
// queue (veth's rx_queue_0_xdp_drops, virtio_net's rx0_xdp_drops), and
// some also give the sum over the queues under a name without a queue
// number (virtio_net since Linux 6.10: rx_xdp_drops, then rx0_xdp_drops
// ...): summing both counted every drop twice. The totals are taken when
// the driver has them, else the queues' counters are summed.
func xdpDrops(names []string, values []uint64) (drops uint64, ok bool) {
	var total, queues uint64
	var hasTotal bool
	for i, name := range names {
		if !strings.HasSuffix(name, "xdp_drops") {
			continue
		}
		ok = true
		if strings.ContainsAny(name, "0123456789") {
			queues += values[i]
		} else {
			total += values[i]
			hasTotal = true
		}
	}
	if hasTotal {
		return total, ok
	}
	return queues, ok
}
