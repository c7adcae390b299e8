package datapath

import (
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestTableLayout checks the offsets table.go takes from bpf2go's Go
// mirrors against the compiled meter's BTF: the C structs are packed and
// the mirrors are not, so the two could drift apart without this.
func TestTableLayout(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	members := func(name string) (map[string]int, int) {
		var s *btf.Struct
		if err := spec.Types.TypeByName(name, &s); err != nil {
			t.Fatalf("struct %s in BTF: %v", name, err)
		}
		m := map[string]int{}
		for _, f := range s.Members {
			m[f.Name] = int(f.Offset.Bytes())
		}
		return m, int(s.Size)
	}
	check := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s: table.go has %d, the object %d", what, got, want)
		}
	}
	val, valSize := members("flow_val")
	check("flow_val.packets", offPackets, val["packets"])
	check("flow_val.bytes", offBytes, val["bytes"])
	check("flow_val.first_t", offFirst, val["first_t"])
	check("flow_val.last_t", offLast, val["last_t"])
	check("flow_val.tcp", offTCP, val["tcp"])
	check("flow_val.attrs", offAttrs, val["attrs"])
	check("flow_val.smac", offSMAC, val["smac"])
	check("flow_val.dmac", offDMAC, val["dmac"])
	check("sizeof(flow_val)", offKey, valSize)
	for _, fam := range []struct {
		slot, key                                  string
		size                                       int
		saddr, daddr, sport, dport, ifindex, proto int
	}{
		{"slot4", "flow_key4", slot4Size, key4Saddr, key4Daddr, key4Sport, key4Dport, key4Ifindex, key4Proto},
		{"slot6", "flow_key6", slot6Size, key6Saddr, key6Daddr, key6Sport, key6Dport, key6Ifindex, key6Proto},
	} {
		slot, size := members(fam.slot)
		check("sizeof("+fam.slot+")", fam.size, size)
		check(fam.slot+".val", 0, slot["val"])
		check(fam.slot+".key", offKey, slot["key"])
		key, _ := members(fam.key)
		check(fam.key+".saddr", fam.saddr, key["saddr"])
		check(fam.key+".daddr", fam.daddr, key["daddr"])
		check(fam.key+".sport", fam.sport, key["sport"])
		check(fam.key+".dport", fam.dport, key["dport"])
		check(fam.key+".ifindex", fam.ifindex, key["ifindex"])
		check(fam.key+".proto", fam.proto, key["proto"])
	}
	// The IPv4 entry is one cache line (issue 14), a table line. An IPv6
	// entry is a head line and a tail that is a half of a slot two
	// entries share: the two halves do not overlap, and neither covers a
	// slot's state byte (a reader holding the tag of a slot freed and
	// reused as a tail must still find the old entry's draining state).
	check("IPv4 slot", slot4Size, 64)
	check("flows map value", lineBytes, int(spec.Maps[flowsMapName].ValueSize))
	check("line", lineBytes, 64)
	check("IPv6 tail", tailBytes, slot6Size-lineBytes)
	check("right half", tailOffR, lineBytes-tailBytes)
	if state := offAttrs + 3; tailBytes > state || tailOffR <= state {
		t.Errorf("tail halves [0,%d) and [%d,%d) overlap each other or the state byte at %d", tailBytes, tailOffR, lineBytes, state)
	}
	hdr, hdrSize := members("bucket_hdr")
	check("sizeof(bucket_hdr)", lineBytes, hdrSize)
	check("bucket_hdr.flags", offHdrFlags, hdr["flags"])
	check("buckets map value", lineBytes, int(spec.Maps[hdrsMapName].ValueSize))
}

// TestTableMemory checks the kernel memory per configured flow (issue
// 14: at most 128 bytes, both families in one pool) for cache sizes an
// operator configures, and that the pool holds the whole cache in IPv4
// entries and in IPv6 entries (two per three slots, at most 20 of a
// bucket's 31).
func TestTableMemory(t *testing.T) {
	for _, entries := range []int{16, 256, 4096, 100_000, 128 << 10, 512 << 10, 1 << 20} {
		d := &Datapath{opts: Options{Entries: entries}}
		perFlow := float64(d.TableBytes()) / float64(entries)
		slots := int(tableBuckets(entries) * bucketSlots)
		t.Logf("%7d entries: %d bytes, %.1f B/flow, %d slots", entries, d.TableBytes(), perFlow, slots)
		if perFlow > 128 && entries >= 1024 {
			t.Errorf("%d entries: %.1f bytes per configured flow, want <= 128", entries, perFlow)
		}
		if slots < entries || int(tableBuckets(entries))*20 < entries {
			t.Errorf("%d entries: %d slots hold too few flows", entries, slots)
		}
	}
}
