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
#   vda   the persistent disk $DISK (default out/disk.img, an ext4 file
#         system labelled FLOWTAP made on first use): the startup-config,
#         so `write memory` survives `reload` and the next make qemu.
#         DISK=none boots without one.
#
# A host nfcapd collects on 127.0.0.1:$COLLECTOR_PORT (2055, where the
# built-in config exports) into out/flows; a line on the terminal says when
# records begin to arrive, stop and resume (not a total every few seconds:
# the console is the CLI's, and a host line cannot redraw the prompt), and
# out/collector.log has the total every 15 s. Console: the flowtap CLI on ttyS0;
# Ctrl-C and Ctrl-Z are the CLI's keys (QEMU's signal=off), Ctrl-A X ends
# QEMU, and with it the collector and the traffic source. If the traffic
# source dies, QEMU is stopped and the error is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
OUT=${IMAGE_OUT:-out}
PCAP=${PCAP:-testdata/pcaps/ndpi-gnutella.pcap}
REPLAY_RATE=${REPLAY_RATE:-200}
SSH_PORT=${SSH_PORT:-2222}
SNMP_PORT=${SNMP_PORT:-1161}
DISK=${DISK:-$OUT/disk.img}
COLLECTOR_PORT=${COLLECTOR_PORT:-2055}

die() { echo "make qemu: $*" >&2; exit 1; }

# Inputs first: nothing starts unless all of it is there.
[ -f "$PCAP" ] || die "no capture $PCAP to replay into eth1 (PCAP=FILE picks another; testdata/pcaps has the repository's)"
# QEMU's user network forwards these host ports to the guest; with one
# taken (another make qemu, a test's VM), QEMU ends at once with "Could not
# set up host forwarding rule", after everything else has started.
busy() { ss -H -"$1"ln "sport = :$2" 2>/dev/null | grep -q .; }
if busy t "$SSH_PORT"; then
	die "127.0.0.1:$SSH_PORT/tcp (SSH to the appliance) is in use by another program (another make qemu?): SSH_PORT=N picks another, then ssh -p N admin@127.0.0.1"
fi
if busy u "$SNMP_PORT"; then
	die "127.0.0.1:$SNMP_PORT/udp (SNMP to the appliance) is in use by another program (another make qemu?): SNMP_PORT=N picks another, then snmpwalk -v2c -c public 127.0.0.1:N"
fi
for f in "$OUT/vmlinuz" "$OUT/initramfs.cpio.gz"; do
	[ -f "$f" ] || die "no image: $f is missing (make image builds it)"
done
need() { command -v "$1" >/dev/null || die "$1 not found: install Debian's $2 (apt-get install $2)"; }
need qemu-system-x86_64 qemu-system-x86
need nfcapd nfdump
need nfdump nfdump
if [ "$DISK" != none ]; then
	need mke2fs e2fsprogs
fi

mkdir -p "$OUT/flows" "$OUT/bin"
$GO build -o "$OUT/bin/" ./hwtest/cmd/replay ./hwtest/cmd/qemucmd

disk_args=()
if [ "$DISK" != none ]; then
	if [ ! -f "$DISK" ]; then
		mke2fs -q -F -t ext4 -L FLOWTAP "$DISK" 64M || die "cannot make the persistent disk $DISK"
		echo "make qemu: made the persistent disk $DISK (ext4, label FLOWTAP): the first boot installs the default startup-config on it"
	fi
	disk_args=(-disk "$DISK")
fi

pids=()
failed="$OUT/replay.failed"
rm -f "$failed" "$OUT/collector.log"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	stty sane 2>/dev/null || true
	# The guest's firmware turns the terminal's line wrap off (ESC [?7l) and
	# stty cannot turn it back on: without this, every later line longer
	# than the terminal is cut at its right edge.
	if [ -t 1 ]; then printf '\033[?7h'; fi
	if [ -n "${qemu:-}" ]; then
		echo "make qemu: stopped QEMU, nfcapd, replay and the summary; flows are in $OUT/flows (nfdump -R $OUT/flows -o line)"
	fi
	if [ -f "$failed" ]; then
		echo "make qemu: FAILED: the traffic source died; $OUT/replay.log says:" >&2
		tail -n 5 "$OUT/replay.log" >&2
		exit 1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nfcapd -w "$OUT/flows" -b 127.0.0.1 -p "$COLLECTOR_PORT" -t 10 >"$OUT/nfcapd.log" 2>&1 &
collector=$!
pids+=($collector)
# nfcapd exits at once when it cannot bind (another collector, another make
# qemu): say so rather than boot an appliance whose exports go nowhere.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	kill -0 "$collector" 2>/dev/null || break
	sleep 0.1
done
if ! kill -0 "$collector" 2>/dev/null; then
	die "the host collector (nfcapd on 127.0.0.1:$COLLECTOR_PORT) did not start: $(grep -v '^Add flow source' "$OUT/nfcapd.log" | head -n 2 | tr '\n' ' ')(is another collector or make qemu using the port? COLLECTOR_PORT=N picks another; then ip flow-export destination 10.0.2.2 N on the appliance)"
fi

rm -f "$OUT/eth1.sock" "$OUT/eth2.sock"
"$OUT/bin/replay" -socket "$OUT/eth1.sock" -pcap "$PCAP" -rate "$REPLAY_RATE" >"$OUT/replay.log" 2>&1 &
replay=$!
pids+=($replay)

# summary logs what the collector holds every 15 s and prints a line when
# that changes state: records begin to arrive (out/flows may hold earlier
# runs' records: what counts is growth), stop arriving, resume.
total() {
	nfdump -R "$OUT/flows" -q -N -o 'fmt:%pkt %byt' 2>/dev/null |
		awk '$1 ~ /^[0-9]+$/ {p += $1; b += $2; n++} END {printf "%d flow records, %d packets, %d bytes", n, p, b}'
}
summary() {
	local state=waiting s n prev
	s=$(total)
	prev=${s%% *}
	while sleep 15; do
		s=$(total)
		printf '[host %s] collector 127.0.0.1:%s (%s): %s\n' "$(date +%T)" "$COLLECTOR_PORT" "$OUT/flows" "$s" >>"$OUT/collector.log"
		n=${s%% *}
		if [ "$state" = waiting ] && [ "$n" -gt "$prev" ]; then
			state=arriving
			say "flow records arrive at the collector: $s"
		elif [ "$state" = arriving ] && [ "$n" -eq "$prev" ]; then
			state=stopped
			say "no new flow records for 15 s: $s"
		elif [ "$state" = stopped ] && [ "$n" -gt "$prev" ]; then
			state=arriving
			say "flow records arrive again: $s"
		fi
		prev=$n
	done
}
say() { printf '\r\n[host %s] %s (%s/collector.log has the total every 15 s)\r\n' "$(date +%T)" "$*" "$OUT"; }
summary &
pids+=($!)

mapfile -t QEMU < <("$OUT/bin/qemucmd" -out "$OUT" -eth1 "$OUT/eth1.sock" -eth2 "$OUT/eth2.sock" \
	-ssh "$SSH_PORT" -snmp "$SNMP_PORT" -interactive -reboot "${disk_args[@]}")
[ "${#QEMU[@]}" -gt 0 ] || die "qemucmd printed no QEMU command line"
echo "make qemu: ${QEMU[*]}"
cat <<EOF
make qemu: replaying $PCAP into eth1 at $REPLAY_RATE frames/s; flows are exported to 127.0.0.1:$COLLECTOR_PORT ($OUT/flows, totals in $OUT/collector.log)
make qemu: the console is the appliance's CLI (Ctrl-C and Ctrl-Z are its keys). EXIT: Ctrl-A X
make qemu: SSH: ssh -p $SSH_PORT admin@127.0.0.1 (password flowtap; change it: username admin privilege 15 secret NEW)
make qemu: SNMP: snmpwalk -v2c -c public 127.0.0.1:$SNMP_PORT
EOF
if [ "$DISK" = none ]; then
	echo "make qemu: no persistent disk (DISK=none): write memory warns, and changes are lost at reload"
else
	echo "make qemu: persistent disk $DISK: write memory survives reload and the next make qemu"
fi

# QEMU reads the terminal (an explicit redirection: a background job of a
# script would read /dev/null), and is stopped if the traffic source dies.
"${QEMU[@]}" <&0 &
qemu=$!
pids+=($qemu)
(
	while kill -0 "$replay" 2>/dev/null; do sleep 1; done
	if kill -0 "$qemu" 2>/dev/null; then
		touch "$failed"
		printf '\r\nmake qemu: the traffic source (replay of %s into eth1) died: stopping QEMU\r\n' "$PCAP"
		kill "$qemu"
	fi
) &
pids+=($!)
wait "$qemu" || true
