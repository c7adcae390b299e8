package build

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/flowtap/flowtap/image/kmod"
)

func TestListFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "list")
	os.WriteFile(f, []byte("# comment\n\nvirtio_net\n  ixgbe   # 10G\n#ice\n"), 0o644)
	got, err := listFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"virtio_net", "ixgbe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("listFile = %q, want %q", got, want)
	}
}

func TestLoadOrderAndSoftDeps(t *testing.T) {
	ms := &moduleSet{
		files: map[string]string{"ext4": "e", "jbd2": "j", "mbcache": "m", "crc16": "c", "crc32c_generic": "g"},
		info: map[string]kmod.Modinfo{
			"ext4": {}, "jbd2": {}, "mbcache": {}, "crc16": {},
			"crc32c_generic": {"alias": {"crypto-crc32c", "crc32c"}},
		},
		deps: map[string][]string{"ext4": {"jbd2", "mbcache", "crc16"}, "jbd2": {"crc16"}},
	}
	if got, want := ms.loadOrder("ext4"), []string{"crc16", "jbd2", "mbcache"}; !reflect.DeepEqual(got, want) {
		t.Errorf("loadOrder(ext4) = %q, want %q (each after its own dependencies)", got, want)
	}
	if got := ms.resolveSoft("crypto-crc32c"); !reflect.DeepEqual(got, []string{"crc32c_generic"}) {
		t.Errorf("resolveSoft(crypto-crc32c) = %q", got)
	}
	if got := ms.resolveSoft("crc16"); !reflect.DeepEqual(got, []string{"crc16"}) {
		t.Errorf("resolveSoft(crc16) = %q", got)
	}
	if got := ms.resolveSoft("crypto-nothing"); got != nil {
		t.Errorf("resolveSoft(crypto-nothing) = %q", got)
	}
}

func TestKernelRelease(t *testing.T) {
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "image"), 0o755)
	o := Defaults(repo)
	os.WriteFile(o.kernelVersionFile(), []byte("# pinned\n6.12.117+deb12-amd64\n"), 0o644)
	if r, err := o.KernelRelease(); err != nil || r != "6.12.117+deb12-amd64" {
		t.Errorf("KernelRelease = %q, %v", r, err)
	}
	os.WriteFile(o.kernelVersionFile(), []byte("6.1.0-50-amd64\n6.12.117+deb12-amd64\n"), 0o644)
	if _, err := o.KernelRelease(); err == nil {
		t.Error("two kernel releases: no error")
	}
}
