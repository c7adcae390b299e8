package datapath

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/cilium/ebpf/asm"
)

// TestPushWritesWords: a batched packet's record is written with word
// stores, and the key's addresses read from the packet with word loads
// (datapath/README.md, "Metering in batches": the push and the key were
// about 100 BPF instructions a packet where 35 do, 5-10 ns of the 10K
// row). clang made a memcpy from the packet's byte pointer one byte load
// (and for the record one byte store) a byte, and left the key's copy
// into the record a loop of ten instructions a word, one store at a
// moving address. Since session 16 the key is built in place in the
// record (key4_words): each word made in registers and stored once, none
// copied from a key on the stack. In flowtap_meter: an IPv4 key's five
// words stored at the record's key offsets through one base register,
// none of them a value just loaded from the stack, no one-byte store into
// a record's MAC, and an IPv4 key's addresses loaded as 32-bit loads at
// 12 and 16 from the IP header.
func TestPushWritesWords(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	insns := progBody(t, spec, "flowtap_meter")
	var rec meterMeterBatch
	mac := int16(unsafe.Offsetof(rec.R[0].Mac))
	key := int16(unsafe.Offsetof(rec.R[0].Key))
	head := int16(unsafe.Offsetof(rec.R))
	word := func(ins asm.Instruction) bool {
		op := ins.OpCode
		return op.Class() == asm.StXClass && op.Mode() == asm.MemMode && op.Size() == asm.Word && ins.Dst != asm.R10
	}
	// Whether the value ins stores was loaded from the stack by the
	// instruction that last set its register before it (within 8).
	fromStack := func(i int) bool {
		src := insns[i].Src
		for j := i - 1; j >= max(0, i-8); j-- {
			p := insns[j]
			if p.Dst != src || p.OpCode.Class() == asm.StXClass || p.OpCode.Class() == asm.StClass ||
				p.OpCode.Class() == asm.JumpClass || p.OpCode.Class() == asm.Jump32Class {
				continue
			}
			return p.OpCode.Class() == asm.LdXClass && p.Src == asm.R10
		}
		return false
	}
	var keysInPlace, keyCopies, macBytes, addrWords int
	for i, ins := range insns {
		// The record's key from the record's address, or from the
		// buffer's plus n records (the buffer's head before them).
		// Not the direct path's writes of a new entry's key into its
		// table slot (meter.c, "*key_word(s, s2, i) = k[i]"), whose
		// offsets can match a record's: since the branch hints moved
		// the blocks, an IPv6 entry's tail copy (from the stack key, as
		// it must be) lies where the test took it for a record's.
		if word(ins) && (ins.Offset == key || ins.Offset == key+head) && !slotKeyWrite(insns, i) {
			key := ins.Offset
			// The other four words within the next 40 instructions
			// (the words' masks and fields between the stores).
			seen, copied := 1, fromStack(i)
			for j := i + 1; j < min(len(insns), i+41); j++ {
				n := insns[j]
				if word(n) && n.Dst == ins.Dst && n.Offset > key && n.Offset < key+20 && (n.Offset-key)%4 == 0 {
					seen++
					copied = copied || fromStack(j)
				}
			}
			if seen == 5 {
				if copied {
					keyCopies++
				} else {
					keysInPlace++
				}
			}
		}
		op := ins.OpCode
		if op.Class() == asm.StXClass && op.Mode() == asm.MemMode && op.Size() == asm.Byte &&
			ins.Dst != asm.R10 && ins.Offset >= mac && ins.Offset < mac+12 {
			macBytes++
		}
		if op.Class() == asm.LdXClass && op.Mode() == asm.MemMode && op.Size() == asm.Word &&
			ins.Offset == 12 && ins.Src != asm.R10 {
			for _, n := range insns[i+1 : min(len(insns), i+9)] {
				if n.OpCode == op && n.Src == ins.Src && n.Offset == 16 {
					addrWords++
					break
				}
			}
		}
	}
	if keysInPlace == 0 {
		t.Errorf("flowtap_meter stores no key as five words built in registers at a record's key (offset %d); %d copied from the stack", key, keyCopies)
	}
	if keyCopies != 0 {
		t.Errorf("flowtap_meter copies %d keys word by word from the stack into a record, want none: built in place", keyCopies)
	}
	if macBytes != 0 {
		t.Errorf("flowtap_meter makes %d one-byte stores at a record's MAC (offsets %d-%d), want none: three word stores", macBytes, mac, mac+11)
	}
	if addrWords == 0 {
		t.Error("flowtap_meter loads no IPv4 address pair as two words at 12 and 16: byte loads a key")
	}
}

// TestMeterLooksUpBufferOnce: flowtap_meter looks its CPU's buffer up
// once a packet (batch_buffer), and the push, the verdict's store and the
// decision to tail-call the flush take that pointer and the count the
// push held; before session 16 the push looked it up and batch_after did
// again (and batching() looked flow_clock up a second time: one lookup of
// each of 7 inlined array lookups is about 12 x86 instructions). The
// program's instructions name the batch map once.
func TestMeterLooksUpBufferOnce(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	refs := 0
	for _, ins := range progBody(t, spec, "flowtap_meter") {
		if ins.IsLoadFromMap() && ins.Reference() == "batch" {
			refs++
		}
	}
	if refs != 1 {
		t.Errorf("flowtap_meter loads the batch map's address %d times, want 1: one lookup of the buffer a packet", refs)
	}
}

// slotKeyWrite: whether insns[i] is the table's write of a key word into
// a slot (meter.c's "*key_word(s, s2, i) = k[i]"), by the source line
// nearest before it.
func slotKeyWrite(insns asm.Instructions, i int) bool {
	for ; i >= 0; i-- {
		if src := insns[i].Source(); src != nil {
			return strings.Contains(src.String(), "*key_word(s, s2, i) = k[i]")
		}
	}
	return false
}
