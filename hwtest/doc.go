// Package hwtest boots the appliance image (out/vmlinuz and
// out/initramfs.cpio.gz, built first when missing or stale) under QEMU
// with TCG and virtio NICs, and checks it as an operator would see it:
// boot to the console prompt, XDP attached natively on the monitored
// ports, and frames fed into eth1 exported to a host nfcapd with the same
// per-5-tuple packets and bytes as nfpcapd meters on the same frames.
// The tests run as root in go test ./... and need qemu-system-x86_64,
// mke2fs and nfdump's tools. Every test logs its QEMU command line and
// the console with the time since QEMU started.
package hwtest
