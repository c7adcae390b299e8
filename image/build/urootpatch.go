package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// urootPatch is one edit to u-root's source before the image's build:
// Old must occur exactly once in File, and is replaced by New.
type urootPatch struct {
	File, Old, New string
}

// urootPatches: u-root's init mounts every cgroup v1 controller it
// knows. The image's kernel (Debian's 6.12) has the memory and cpuset
// controllers only in cgroup v2 (CONFIG_MEMCG_V1 and CONFIG_CPUSETS_V1
// are off), so those two mounts failed at every boot and the kernel put
// "cgroup: Unknown subsys name 'memory'" and "... 'cpuset'" on the
// console, as errors, before anything of flowtap's: an operator saw
// errors where nothing was wrong. Nothing on the image uses cgroups; the
// two mounts (and their empty directories) are left out.
var urootPatches = []urootPatch{
	{File: "pkg/libinit/root_linux.go",
		Old: "\t\tDir{Name: \"/sys/fs/cgroup/memory\", Mode: 0o555},\n", New: ""},
	{File: "pkg/libinit/root_linux.go",
		Old: "\t\tDir{Name: \"/sys/fs/cgroup/cpuset\", Mode: 0o555},\n", New: ""},
	{File: "pkg/libinit/root_linux.go",
		Old: "\t\tMount{Source: \"cgroup\", Target: \"/sys/fs/cgroup/memory\", FSType: \"cgroup\", Opts: \"memory\"},\n", New: ""},
	{File: "pkg/libinit/root_linux.go",
		Old: "\t\tMount{Source: \"cgroup\", Target: \"/sys/fs/cgroup/cpuset\", FSType: \"cgroup\", Opts: \"cpuset\"},\n", New: ""},
}

// patchedURoot returns a copy of u-root's source (src, the module
// cache's read-only tree) under work with urootPatches applied, made
// once per u-root version and set of patches.
func patchedURoot(ctx context.Context, o Options, src string) (string, error) {
	dst := filepath.Join(o.Work, "u-root-"+URootVersion+"-patched")
	stamp := filepath.Join(dst, ".flowtap-patches")
	want := patchesDigest(urootPatches)
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return dst, nil
	}
	if err := os.RemoveAll(dst); err != nil {
		return "", fmt.Errorf("u-root copy: %w", err)
	}
	if err := os.MkdirAll(o.Work, 0o755); err != nil {
		return "", fmt.Errorf("u-root copy: %w", err)
	}
	if _, err := command(ctx, o.Log, o.Work, nil, "cp", "-R", src, dst); err != nil {
		return "", fmt.Errorf("u-root copy: %w", err)
	}
	if _, err := command(ctx, o.Log, o.Work, nil, "chmod", "-R", "u+w", dst); err != nil {
		return "", fmt.Errorf("u-root copy: %w", err)
	}
	if err := applyPatches(dst, urootPatches); err != nil {
		return "", fmt.Errorf("u-root %s: %w", URootVersion, err)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		return "", fmt.Errorf("u-root copy: %w", err)
	}
	return dst, nil
}

// applyPatches edits the files under dir. A patch whose text is not
// there exactly once fails the build: a newer u-root must be looked at,
// not built with the edit silently missing.
func applyPatches(dir string, patches []urootPatch) error {
	for _, p := range patches {
		path := filepath.Join(dir, p.File)
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("patch: %w", err)
		}
		if n := strings.Count(string(b), p.Old); n != 1 {
			return fmt.Errorf("patch %s: %q occurs %d times, want once", p.File, p.Old, n)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), p.Old, p.New, 1)), 0o644); err != nil {
			return fmt.Errorf("patch: %w", err)
		}
	}
	return nil
}

func patchesDigest(patches []urootPatch) string {
	h := sha256.New()
	for _, p := range patches {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", p.File, p.Old, p.New)
	}
	return URootVersion + " " + hex.EncodeToString(h.Sum(nil))
}
