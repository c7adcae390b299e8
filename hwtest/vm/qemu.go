// Package vm boots the appliance image under QEMU (TCG, virtio NICs) for
// tests and for make qemu: the QEMU command line in one place, a console
// recorder with timestamps, and helpers tied to a test's lifetime.
package vm

import (
	"fmt"
	"strings"
)

// Guest MAC addresses: eth0 management, eth1 and eth2 monitored.
const (
	MgmtMAC = "52:54:00:f1:00:00"
	Eth1MAC = "52:54:00:f1:00:01"
	Eth2MAC = "52:54:00:f1:00:02"
)

// Config is one VM.
type Config struct {
	Kernel, Initramfs string
	MemoryMiB         int // default 1024
	CPUs              int // default 1

	// Mgmt is flowtap.mgmt= for eth0 (default the QEMU user-net address,
	// static, so that boots do not wait for DHCP).
	Mgmt string
	// ExtraCmdline is appended to the kernel command line.
	ExtraCmdline []string
	// Verbose keeps kernel messages on the console (slower under TCG).
	Verbose bool

	// SSHPort and SNMPPort forward host 127.0.0.1 ports to the guest's
	// 22/tcp and 161/udp on eth0 (user network); 0 means none.
	SSHPort, SNMPPort int
	// Eth1Socket and Eth2Socket are unix socket paths where QEMU listens
	// for the host end of the monitored ports (a stream netdev: each frame
	// a 4-byte big-endian length and the Ethernet frame).
	Eth1Socket, Eth2Socket string
	// Disk is a raw image attached as virtio-blk (/dev/vda); "" for none.
	Disk string
	// Reboot lets a guest reboot (`reload`) restart the VM, as make qemu
	// wants; otherwise QEMU exits (-no-reboot), which tests wait for.
	Reboot bool
	// Interactive puts the console and QEMU's monitor on the terminal
	// (Ctrl-A X or Ctrl-C ends QEMU); otherwise the serial console is
	// QEMU's stdin/stdout and there is no monitor.
	Interactive bool
}

// LinkSpeedMbps is the speed the monitored virtio NICs report.
const LinkSpeedMbps = 1000

// DefaultMgmt is eth0's address on QEMU's user network, and its gateway:
// the host, where forwarded ports and exports to 10.0.2.2 arrive.
const DefaultMgmt = "static:10.0.2.15/24,10.0.2.2"

// Cmdline is the kernel command line.
func (c Config) Cmdline() string {
	mgmt := c.Mgmt
	if mgmt == "" {
		mgmt = DefaultMgmt
	}
	args := []string{"console=ttyS0,115200", "panic=-1", "flowtap.mgmt=" + mgmt}
	if !c.Verbose {
		args = append(args, "quiet")
	}
	return strings.Join(append(args, c.ExtraCmdline...), " ")
}

// Args is the QEMU command line, program name first.
func (c Config) Args() []string {
	mem, cpus := c.MemoryMiB, c.CPUs
	if mem == 0 {
		mem = 1024
	}
	if cpus == 0 {
		cpus = 1
	}
	a := []string{"qemu-system-x86_64",
		"-machine", "pc", "-accel", "tcg", "-cpu", "max",
		"-m", fmt.Sprint(mem), "-smp", fmt.Sprint(cpus),
		"-kernel", c.Kernel, "-initrd", c.Initramfs, "-append", c.Cmdline(),
		"-nodefaults", "-vga", "none",
	}
	if !c.Reboot {
		a = append(a, "-no-reboot")
	}
	if c.Interactive {
		// Serial console and monitor multiplexed on the terminal (Ctrl-A C
		// switches, Ctrl-A X quits); signal=off: Ctrl-C and Ctrl-Z are keys
		// for the appliance's CLI, not signals that end or stop QEMU.
		a = append(a, "-nographic", "-chardev", "stdio,id=con,mux=on,signal=off",
			"-serial", "chardev:con", "-mon", "chardev=con,mode=readline")
	} else {
		a = append(a, "-display", "none", "-monitor", "none", "-serial", "stdio")
	}
	user := "user,id=mgmt"
	if c.SSHPort != 0 {
		user += fmt.Sprintf(",hostfwd=tcp:127.0.0.1:%d-:22", c.SSHPort)
	}
	if c.SNMPPort != 0 {
		user += fmt.Sprintf(",hostfwd=udp:127.0.0.1:%d-:161", c.SNMPPort)
	}
	// Fixed PCI slots: the kernel names the NICs eth0, eth1, eth2 in slot order.
	a = append(a, "-netdev", user, "-device", "virtio-net-pci,netdev=mgmt,addr=0x3,mac="+MgmtMAC)
	for i, p := range []struct{ sock, mac string }{{c.Eth1Socket, Eth1MAC}, {c.Eth2Socket, Eth2MAC}} {
		id := fmt.Sprintf("mon%d", i+1)
		netdev := fmt.Sprintf("stream,id=%s,server=on,addr.type=unix,addr.path=%s", id, p.sock)
		if p.sock == "" {
			netdev = "user,id=" + id + ",restrict=on" // an unplugged port: no host end
		}
		// A link speed, as a NIC reports one: show interfaces' BW and
		// ifSpeed have something to say.
		a = append(a, "-netdev", netdev, "-device", fmt.Sprintf("virtio-net-pci,netdev=%s,addr=0x%x,mac=%s,speed=%d,duplex=full", id, 4+i, p.mac, LinkSpeedMbps))
	}
	if c.Disk != "" {
		a = append(a, "-drive", "file="+c.Disk+",if=virtio,format=raw")
	}
	return a
}

// ShellQuote renders a command line so that it can be pasted into a shell.
func ShellQuote(args []string) string {
	q := make([]string, len(args))
	for i, s := range args {
		if s != "" && strings.IndexFunc(s, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@%", r))
		}) < 0 {
			q[i] = s
			continue
		}
		q[i] = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
