package kmod

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestName(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"kernel/drivers/net/virtio_net.ko.xz", "virtio_net"},
		{"kernel/crypto/crc32c-intel.ko.zst", "crc32c_intel"},
		{"kernel/fs/nls/nls_iso8859-1.ko", "nls_iso8859_1"},
		{"mlx5_core.ko.gz", "mlx5_core"},
	} {
		if got := Name(tc.path); got != tc.want {
			t.Errorf("Name(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestParseModinfo(t *testing.T) {
	data := []byte("alias=fs-ext4\x00softdep=pre: crypto-crc32c post: foo\x00depends=jbd2,crc16,mbcache\x00name=ext4\x00\x00junk\x00")
	mi := ParseModinfo(data)
	hard, pre := mi.Depends()
	if want := []string{"jbd2", "crc16", "mbcache"}; !reflect.DeepEqual(hard, want) {
		t.Errorf("hard deps %q, want %q", hard, want)
	}
	if want := []string{"crypto-crc32c"}; !reflect.DeepEqual(pre, want) {
		t.Errorf("soft pre deps %q, want %q", pre, want)
	}
	if mi["name"][0] != "ext4" || mi["alias"][0] != "fs-ext4" {
		t.Errorf("modinfo %v", mi)
	}
	if _, pre := ParseModinfo([]byte("depends=\x00")).Depends(); pre != nil {
		t.Errorf("empty depends gave soft deps %q", pre)
	}
}

// index is a small module tree: ext4 needs jbd2 and mbcache (jbd2 first
// listed, so loaded last), virtio_net needs net_failover needs failover.
func index() *Index {
	return NewIndex(map[string][]string{
		"kernel/fs/ext4/ext4.ko.xz":             {"kernel/fs/jbd2/jbd2.ko.xz", "kernel/fs/mbcache.ko.xz"},
		"kernel/fs/jbd2/jbd2.ko.xz":             nil,
		"kernel/fs/mbcache.ko.xz":               nil,
		"kernel/drivers/net/virtio_net.ko.xz":   {"kernel/drivers/net/net_failover.ko.xz", "kernel/net/core/failover.ko.xz"},
		"kernel/drivers/net/net_failover.ko.xz": {"kernel/net/core/failover.ko.xz"},
		"kernel/net/core/failover.ko.xz":        nil,
	}, []Alias{
		{Pattern: "virtio:d00000001v*", Module: "virtio_net"},
		{Pattern: "fs-ext4", Module: "ext4"},
	}, []string{"kernel/drivers/virtio/virtio_pci.ko"})
}

func TestResolve(t *testing.T) {
	ix := index()
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"ext4", []string{"ext4"}, true},
		{"net-failover", []string{"net_failover"}, true},
		{"virtio:d00000001v00001AF4", []string{"virtio_net"}, true},
		{"fs-ext4", []string{"ext4"}, true},
		{"virtio_pci", nil, true},
		{"virtio:d00000002v00001AF4", nil, false},
	} {
		got, ok := ix.Resolve(tc.in)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLoadOrder(t *testing.T) {
	got, err := index().LoadOrder("virtio_net")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kernel/net/core/failover.ko.xz", "kernel/drivers/net/net_failover.ko.xz", "kernel/drivers/net/virtio_net.ko.xz"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadOrder(virtio_net) = %q, want %q", got, want)
	}
	if _, err := index().LoadOrder("ixgbe"); err == nil {
		t.Error("LoadOrder of a module not in the index: no error")
	}
}

func TestWriteReadIndex(t *testing.T) {
	dir := t.TempDir()
	ix := index()
	for file, write := range map[string]func(*bytes.Buffer) error{
		DepFile:   func(b *bytes.Buffer) error { return ix.WriteDep(b) },
		AliasFile: func(b *bytes.Buffer) error { return ix.WriteAlias(b) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, BuiltinFile), []byte("kernel/drivers/virtio/virtio_pci.ko\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Deps, ix.Deps) || !reflect.DeepEqual(back.Aliases, ix.Aliases) || !reflect.DeepEqual(back.Builtin, ix.Builtin) {
		t.Errorf("index changed on the way through files:\n got %+v\nwant %+v", back, ix)
	}
}

func TestReadIndexRejectsBadLines(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, DepFile), []byte("kernel/a.ko\n"), 0o644)
	if _, err := ReadIndex(dir); err == nil {
		t.Error("modules.dep line without a colon: no error")
	}
	os.WriteFile(filepath.Join(dir, DepFile), []byte("kernel/a.ko:\n"), 0o644)
	os.WriteFile(filepath.Join(dir, AliasFile), []byte("alias onlypattern\n"), 0o644)
	if _, err := ReadIndex(dir); err == nil {
		t.Error("modules.alias line with two words: no error")
	}
}
