package main

import (
	"encoding/binary"
	"testing"
)

func ext4Block(label string) []byte {
	b := make([]byte, 4096)
	binary.LittleEndian.PutUint16(b[1024+0x38:], 0xEF53)
	copy(b[1024+0x78:], label)
	return b
}

func fatBlock(fat32 bool, label string) []byte {
	b := make([]byte, 4096)
	b[510], b[511] = 0x55, 0xAA
	if fat32 {
		copy(b[0x47:], label+"           "[len(label):])
		copy(b[0x52:], "FAT32   ")
	} else {
		copy(b[0x2B:], label+"           "[len(label):])
		copy(b[0x36:], "FAT16   ")
	}
	return b
}

func TestProbeBytes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		block      []byte
		fs, label  string
		recognised bool
	}{
		{"ext4 labelled", ext4Block("FLOWTAP"), "ext4", "FLOWTAP", true},
		{"ext4 unlabelled", ext4Block(""), "ext4", "", true},
		{"fat32", fatBlock(true, "FLOWTAP"), "vfat", "FLOWTAP", true},
		{"fat16", fatBlock(false, "CFG"), "vfat", "CFG", true},
		{"zeroes", make([]byte, 4096), "", "", false},
	} {
		fs, label, ok := probeBytes(tc.block)
		if fs != tc.fs || label != tc.label || ok != tc.recognised {
			t.Errorf("%s: probe = %q %q %v; want %q %q %v", tc.name, fs, label, ok, tc.fs, tc.label, tc.recognised)
		}
	}
}

func TestPickVolume(t *testing.T) {
	vols := []volume{{"/dev/vda", "ext4", "DATA"}, {"/dev/vdb1", "vfat", "flowtap"}}
	if v, ok := pickVolume(vols); !ok || v.Dev != "/dev/vdb1" {
		t.Errorf("pickVolume prefers the label: got %+v %v", v, ok)
	}
	if v, ok := pickVolume(vols[:1]); !ok || v.Dev != "/dev/vda" {
		t.Errorf("pickVolume falls back to /dev/vda: got %+v %v", v, ok)
	}
	if _, ok := pickVolume([]volume{{"/dev/sda", "ext4", "OTHER"}}); ok {
		t.Error("pickVolume took an unlabelled disk other than /dev/vda")
	}
}
