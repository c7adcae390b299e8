package datapath

import (
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
// moving address. In flowtap_meter: an IPv4 key's five words stored at
// the record's key offsets through one base register, no one-byte store
// into a record's MAC, and an IPv4 key's addresses loaded as two 32-bit
// loads at 12 and 16 from the IP header.
func TestPushWritesWords(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	ps := spec.Programs["flowtap_meter"]
	if ps == nil {
		t.Fatal("no program flowtap_meter")
	}
	var insns asm.Instructions
	for i, ins := range ps.Instructions {
		if sym := ins.Symbol(); i > 0 && sym != "" {
			break
		}
		insns = append(insns, ins)
	}
	var rec meterMeterBatch
	mac := int16(unsafe.Offsetof(rec.R[0].Mac))
	key := int16(unsafe.Offsetof(rec.R[0].Key))
	word := func(ins asm.Instruction) bool {
		op := ins.OpCode
		return op.Class() == asm.StXClass && op.Mode() == asm.MemMode && op.Size() == asm.Word && ins.Dst != asm.R10
	}
	var keyCopies, macBytes, addrWords int
	for i, ins := range insns {
		if word(ins) && ins.Offset == key {
			// The other four words within the next 12 instructions.
			seen := 1
			for _, n := range insns[i+1 : min(len(insns), i+13)] {
				if word(n) && n.Dst == ins.Dst && n.Offset > key && n.Offset < key+20 && (n.Offset-key)%4 == 0 {
					seen++
				}
			}
			if seen == 5 {
				keyCopies++
			}
		}
		op := ins.OpCode
		if op.Class() == asm.StXClass && op.Mode() == asm.MemMode && op.Size() == asm.Byte &&
			ins.Dst != asm.R10 && ins.Offset >= mac && ins.Offset < mac+12 {
			macBytes++
		}
		if op.Class() == asm.LdXClass && op.Mode() == asm.MemMode && op.Size() == asm.Word &&
			ins.Offset == 12 && i+1 < len(insns) {
			n := insns[i+1]
			if n.OpCode == op && n.Src == ins.Src && n.Offset == 16 {
				addrWords++
			}
		}
	}
	if keyCopies == 0 {
		t.Errorf("flowtap_meter stores no key as five words at a record's key (offset %d): a loop copies it", key)
	}
	if macBytes != 0 {
		t.Errorf("flowtap_meter makes %d one-byte stores at a record's MAC (offsets %d-%d), want none: three word stores", macBytes, mac, mac+11)
	}
	if addrWords == 0 {
		t.Error("flowtap_meter loads no IPv4 address pair as two words at 12 and 16: byte loads a key")
	}
}
