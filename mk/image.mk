# The appliance image (issue 5). Included from the Makefile:
#
#   make image   build out/vmlinuz and out/initramfs.cpio.gz when the
#                sources changed (Debian kernel package pinned in
#                image/kernel.version, u-root initramfs)
#   make qemu    boot out/ under TCG with a host collector (nfcapd on
#                127.0.0.1:2055, out/flows) and a capture replayed into
#                eth1, on the persistent disk out/disk.img; see
#                image/qemu.sh. Ctrl-A X ends everything (Ctrl-C and
#                Ctrl-Z are the appliance CLI's keys).
#
# Variables: PCAP (capture replayed into eth1), REPLAY_RATE (frames/s),
# SSH_PORT (2222), SNMP_PORT (1161), COLLECTOR_PORT (2055), IMAGE_OUT (out),
# DISK (out/disk.img; none for no disk).
GO ?= go
IMAGE_OUT ?= out

.PHONY: image image-deps qemu

image-deps:
	./image/deps.sh

image: image-deps
	$(GO) run ./image/cmd/mkimage -out $(IMAGE_OUT) -if-stale

qemu: image
	GO=$(GO) IMAGE_OUT=$(IMAGE_OUT) ./image/qemu.sh
