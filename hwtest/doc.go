// Package hwtest boots the appliance image (out/vmlinuz and
// out/initramfs.cpio.gz, built first when missing or stale) under QEMU
// with TCG and virtio NICs, and checks it as an operator would see it:
// boot to the console prompt; XDP attached natively on the monitored
// ports, and in generic mode where configured; frames fed into the ports
// exported to a host nfcapd with the same per-5-tuple packets and bytes
// as nfpcapd meters on the same frames; SNMP and SSH from the host
// through QEMU's forwarded ports; a saved change surviving `reload`; and
// the flow cache surviving a killed daemon.
//
// TestBootToPrompt boots a VM of its own (no persistent disk); the other
// tests share one appliance VM (see appliance_test.go), booted once and
// again after the reload, one VM at a time. The tests run as root in go
// test ./... and need qemu-system-x86_64, mke2fs, debugfs and mkfs.vfat, nfdump's
// tools and net-snmp's snmpwalk. Every test logs its QEMU command line
// and the console with the time since QEMU started.
package hwtest
