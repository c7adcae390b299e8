package datapath

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// TestMeterPushLean walks flowtap_meter's batched IPv4 hit (the 10K row's
// packet: walkMeterHit, the daemon's object and the bench object) with
// the buffer's first record filled with 0xff (a slot is scratch until
// counted) and checks the push of session 18 (datapath/README.md, "Kept:
// the push by words, the key hashed from its registers"):
//
//   - the record the walk leaves is the packet's, field by field (its
//     key, the key's hash of the walk's seed as home_test.go writes it out,
//     the seed, the interface, the time, the IP length, the VLANs, the
//     MACs, family to tcp_flags, the owner and nw), so the word copies and
//     the hash from registers put every byte where the flush reads it;
//   - from the buffer's count to the push's count (the record's fields,
//     its key, the hash) at most 12 loads from the stack and 1 store to
//     it, where session 17's object took 19 and 4 (the key's words and the
//     record's pointer, count and fields spilled across the hash);
//   - the select stage (select_stage, a call only while cfg.selects is
//     set) out of the path's way: the jump from its test to the metered
//     counters skips at most 16 instructions, where the stage inlined
//     there made it 454;
//   - the whole hit at most 325 BPF instructions (session 17: 349).
func TestMeterPushLean(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		spec, err := load()
		if err != nil {
			t.Fatal(err)
		}
		const seed uint64 = 0x0123456789abcdef
		recs := int(spec.Maps["batch"].ValueSize)
		w := walkMeterHitClock(t, spec, func(w *bpfWalk, e int) {
			// This tick's reading, valid, as walkMeterHit's.
			walkClockValid(w, e)
			w.setVar(t, spec, ".bss", "cfg.seed", seed)
			b := w.regions[w.region("val:batch", recs)]
			for i := 8; i < 8+96; i++ {
				b[i] = 0xff
			}
		})
		var mb meterMeterBatch
		if err := binary.Read(bytes.NewReader(w.regions[w.byName["val:batch"]]), binary.LittleEndian, &mb); err != nil {
			t.Fatal(err)
		}
		r := mb.R[0]
		// walkMeterHitClock's packet: 10.0.0.1:1024 -> 10.1.0.1:2055 UDP,
		// TTL 64, 46 bytes of IP, MACs 02:00:00:00:00:02 <- 02:00:00:00:00:01,
		// on ifindex 2, CPU 0 (owner 1), the mask all ones.
		key := make([]byte, 20)
		copy(key, []byte{10, 0, 0, 1, 10, 1, 0, 1})
		binary.LittleEndian.PutUint16(key[8:], 1024)
		binary.LittleEndian.PutUint16(key[10:], 2055)
		binary.LittleEndian.PutUint32(key[12:], 2)
		key[16], key[17], key[18], key[19] = 17, 0, 0, 1
		var wantKey [5]uint32
		for i := range wantKey {
			wantKey[i] = binary.LittleEndian.Uint32(key[4*i:])
		}
		if mb.N != 1 {
			t.Fatalf("%s: %d records buffered, want 1", name, mb.N)
		}
		if [5]uint32(r.Key[:5]) != wantKey {
			t.Errorf("%s: the record's key %x, want %x", name, r.Key[:5], wantKey)
		}
		if want := keyHash(key, seed, hashLanes); r.H != want || r.Seed != uint32(seed&0xffffffff) {
			t.Errorf("%s: the record's hash %#x seed %#x, want %#x %#x", name, r.H, r.Seed, want, uint32(seed&0xffffffff))
		}
		wantMac := [12]uint8{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}
		if r.Ifindex != 2 || r.NowT != walkJiffies*4000000>>20 || r.IpLen != 46 || r.Vlan != [2]uint16{} || r.Mac != wantMac {
			t.Errorf("%s: the record's ifindex %d now_t %d ip_len %d vlan %v mac %x, want 2 %d 46 [0 0] %x",
				name, r.Ifindex, r.NowT, r.IpLen, r.Vlan, r.Mac, walkJiffies*4000000>>20, wantMac)
		}
		if r.Family != 4 || r.Tos != 0 || r.Ttl != 64 || r.TcpFlags != 0 || r.Owner != 1 || r.Nw != 5 {
			t.Errorf("%s: the record's family %d tos %d ttl %d tcp_flags %d owner %d nw %d, want 4 0 64 0 1 5",
				name, r.Family, r.Tos, r.Ttl, r.TcpFlags, r.Owner, r.Nw)
		}

		from, to := -1, -1
		for k, i := range w.path {
			src := w.sourceAt(i)
			if from < 0 && strings.Contains(src, "__u32 n = b->n;") {
				from = k
			}
			if strings.Contains(src, "b->n = n;") {
				to = k
			}
		}
		if from < 0 || to < from {
			t.Fatalf("%s: the buffer's count (path step %d) or the push's (%d) not on the path", name, from, to)
		}
		var loads, stores int
		for _, i := range w.path[from : to+1] {
			ins := w.insns[i]
			switch c := ins.OpCode.Class(); {
			case c == asm.LdXClass && ins.Src == asm.R10:
				loads++
			case (c == asm.StXClass || c == asm.StClass) && ins.Dst == asm.R10:
				stores++
			}
		}
		for k := 1; k < len(w.path); k++ {
			a, b := w.path[k-1], w.path[k]
			if strings.Contains(w.sourceAt(a), "if (unlikely(cfg.selects))") && b-a > 17 {
				t.Errorf("%s: the hit jumps from the select test (instruction %d) to %d (%s): over %d instructions, want at most 16",
					name, a, b, w.sourceAt(b), b-a-1)
			}
		}
		n, _, _, _ := w.layoutFigures()
		t.Logf("%s: a batched hit runs %d BPF instructions; the push %d, with %d stack loads and %d stores",
			name, n, to-from+1, loads, stores)
		if loads > 12 || stores > 1 {
			t.Errorf("%s: the push loads the stack %d times and stores to it %d times, want at most 12 and 1", name, loads, stores)
		}
		if n > 325 {
			t.Errorf("%s: a batched hit runs %d BPF instructions, want at most 325", name, n)
		}
	}
}
