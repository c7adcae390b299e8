#!/usr/bin/env bash
# make qemu: boots out/ (vmlinuz, initramfs.cpio.gz) under QEMU with TCG,
# with everything around it a demo needs, and ends all of it on exit.
#
#   eth0  management: QEMU user network; host 127.0.0.1:$SSH_PORT -> guest
#         22/tcp, 127.0.0.1:$SNMP_PORT -> 161/udp; the guest reaches the
#         host at 10.0.2.2 (exports to 10.0.2.2:2055 land on 127.0.0.1:2055)
#   eth1  monitored: host end is the unix socket out/eth1.sock (QEMU
#         listens; stream framing: 4-byte big-endian length, then the
#         frame). The demo feeds $PCAP into it, looped, at $REPLAY_RATE/s.
#   eth2  monitored: host end out/eth2.sock, left for you
#         (go run ./hwtest/cmd/replay -socket out/eth2.sock -pcap FILE).
#
# A host nfcapd collects on 127.0.0.1:2055 into out/flows; every 15 s a
# summary of what arrived is printed. Console: the flowtap CLI on ttyS0.
# Ctrl-C (or Ctrl-A X) ends QEMU, the collector and the traffic source.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
OUT=${IMAGE_OUT:-out}
PCAP=${PCAP:-testdata/pcaps/ndpi-gnutella.pcap}
REPLAY_RATE=${REPLAY_RATE:-200}
SSH_PORT=${SSH_PORT:-2222}
SNMP_PORT=${SNMP_PORT:-1161}
COLLECTOR_PORT=2055

mkdir -p "$OUT/flows" "$OUT/bin"
$GO build -o "$OUT/bin/" ./hwtest/cmd/replay ./hwtest/cmd/qemucmd

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	stty sane 2>/dev/null || true
	echo "make qemu: stopped QEMU, nfcapd, replay and the summary; flows are in $OUT/flows (nfdump -R $OUT/flows)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nfcapd -w "$OUT/flows" -b 127.0.0.1 -p "$COLLECTOR_PORT" -t 10 >"$OUT/nfcapd.log" 2>&1 &
pids+=($!)

rm -f "$OUT/eth1.sock" "$OUT/eth2.sock"
"$OUT/bin/replay" -socket "$OUT/eth1.sock" -pcap "$PCAP" -rate "$REPLAY_RATE" >"$OUT/replay.log" 2>&1 &
pids+=($!)

summary() {
	while sleep 15; do
		s=$(nfdump -R "$OUT/flows" -q -N -o 'fmt:%pkt %byt' 2>/dev/null |
			awk '$1 ~ /^[0-9]+$/ {p += $1; b += $2; n++} END {printf "%d flow records, %d packets, %d bytes", n, p, b}')
		printf '\r\n[host %s] collector 127.0.0.1:%s (%s): %s\r\n' "$(date +%T)" "$COLLECTOR_PORT" "$OUT/flows" "$s"
	done
}
summary &
pids+=($!)

mapfile -t QEMU < <("$OUT/bin/qemucmd" -out "$OUT" -eth1 "$OUT/eth1.sock" -eth2 "$OUT/eth2.sock" \
	-ssh "$SSH_PORT" -snmp "$SNMP_PORT" -interactive)
echo "make qemu: ${QEMU[*]}"
echo "make qemu: replaying $PCAP into eth1 at $REPLAY_RATE frames/s; Ctrl-C or Ctrl-A X ends everything"
"${QEMU[@]}"
