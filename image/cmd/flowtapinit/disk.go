package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/image/kmod"
)

// DiskLabel marks the persistent disk that holds startup-config.
const DiskLabel = "FLOWTAP"

// volume is a block device with a file system we can mount.
type volume struct {
	Dev, FSType, Label string
}

// findConfig mounts the persistent disk on the state directory and returns
// the startup-config to run, and whether it is volatile (no disk: the
// built-in default in RAM, which write memory cannot keep). A disk without
// a startup-config gets the built-in default as its startup-config, so
// that write memory saves onto the disk from the first boot on.
//
// why, when volatile, says why there is no disk to save on when there is
// one (it does not mount, it cannot be written): flowtapd's `write
// memory` says that rather than "no persistent disk", which would send
// the operator looking for a disk that is there.
func findConfig(log *logger, loader *kmod.Loader, s settings) (cfg string, volatile bool, why string, err error) {
	if err := os.MkdirAll(s.StateDir, 0o755); err != nil {
		return s.DefaultConfig, true, "", err
	}
	// Drivers probe disks synchronously when loaded: no need to wait.
	v, ok := pickVolume(scanVolumes())
	if !ok {
		log.Warnf("config: no persistent disk (a file system labelled %s, or /dev/vda): "+
			"using the built-in default config %s; write memory cannot save, changes are lost at reload", DiskLabel, s.DefaultConfig)
		return s.DefaultConfig, true, "", nil
	}
	if err := mountVolume(loader, v, s.StateDir); err != nil {
		why := fmt.Sprintf("persistent disk %s (%s %q) does not mount (%v)", v.Dev, v.FSType, v.Label, lastLine(err))
		log.Warnf("config: %s: using the built-in default config %s; write memory cannot save, changes are lost at reload",
			why, s.DefaultConfig)
		return s.DefaultConfig, true, why, err
	}
	cfg = filepath.Join(s.StateDir, "startup-config")
	if _, err := os.Stat(cfg); err != nil {
		if err := copyFile(s.DefaultConfig, cfg); err != nil {
			why := fmt.Sprintf("persistent disk %s (%s %q) cannot be written (%v)", v.Dev, v.FSType, v.Label, err)
			log.Warnf("config: %s on %s has no startup-config and the default cannot be written there (%v): "+
				"using the built-in default config %s", v.Dev, s.StateDir, err, s.DefaultConfig)
			return s.DefaultConfig, true, why, nil
		}
		log.Printf("config: %s (%s %q) on %s had no startup-config: installed the built-in default %s as %s",
			v.Dev, v.FSType, v.Label, s.StateDir, s.DefaultConfig, cfg)
		return cfg, false, "", nil
	}
	log.Printf("config: startup-config from %s (%s %q) mounted on %s", v.Dev, v.FSType, v.Label, s.StateDir)
	return cfg, false, "", nil
}

// copyFile writes src's content to dst, synced (a power cut after boot
// must not leave an empty startup-config).
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// scanVolumes probes every disk and partition.
func scanVolumes() []volume {
	var vols []volume
	names, _ := filepath.Glob("/sys/class/block/*")
	for _, n := range names {
		name := filepath.Base(n)
		if strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "ram") || strings.HasPrefix(name, "sr") {
			continue
		}
		if fs, label, ok := probe("/dev/" + name); ok {
			vols = append(vols, volume{Dev: "/dev/" + name, FSType: fs, Label: label})
		}
	}
	sort.Slice(vols, func(i, j int) bool { return vols[i].Dev < vols[j].Dev })
	return vols
}

// pickVolume prefers the FLOWTAP label, then a file system on /dev/vda.
func pickVolume(vols []volume) (volume, bool) {
	for _, v := range vols {
		if strings.EqualFold(v.Label, DiskLabel) {
			return v, true
		}
	}
	for _, v := range vols {
		if v.Dev == "/dev/vda" {
			return v, true
		}
	}
	return volume{}, false
}

// probe reads a device's first blocks and recognises ext2/3/4 and FAT.
func probe(dev string) (fsType, label string, ok bool) {
	f, err := os.Open(dev)
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	buf := make([]byte, 4096)
	if n, _ := f.ReadAt(buf, 0); n < 2048 {
		return "", "", false
	}
	return probeBytes(buf)
}

// probeBytes recognises a file system from its first 4 KiB.
func probeBytes(b []byte) (fsType, label string, ok bool) {
	const sb = 1024 // ext superblock
	if binary.LittleEndian.Uint16(b[sb+0x38:]) == 0xEF53 {
		return "ext4", cString(b[sb+0x78 : sb+0x88]), true
	}
	if b[510] == 0x55 && b[511] == 0xAA {
		switch {
		case bytes.HasPrefix(b[0x52:], []byte("FAT32")):
			return "vfat", strings.TrimSpace(string(b[0x47:0x52])), true
		case bytes.HasPrefix(b[0x36:], []byte("FAT1")):
			return "vfat", strings.TrimSpace(string(b[0x2B:0x36])), true
		}
	}
	return "", "", false
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// lastLine is the last of an error's lines: a failed mount's (the module
// loads before it are in the console's earlier lines).
func lastLine(err error) string {
	l := strings.Split(strings.TrimSpace(err.Error()), "\n")
	return l[len(l)-1]
}

// mountData is the file system's mount options. vfat keeps no modes:
// every file shows the mount's, 0755 by default, which no chmod changes,
// so the saved config and the SSH host key would be readable by any
// local user and flowtapd would warn of it at every start. Its masks
// give the modes flowtapd wants for them instead: files 0600,
// directories 0700.
func mountData(fstype string) string {
	if fstype == "vfat" {
		return "fmask=0177,dmask=0077"
	}
	return ""
}

// mountVolume loads the file system's modules and mounts it.
func mountVolume(loader *kmod.Loader, v volume, dir string) error {
	var errs []error
	if loader != nil {
		mods := []string{"ext4"}
		if v.FSType == "vfat" {
			mods = []string{"vfat", "nls_cp437", "nls_ascii", "nls_utf8"}
		}
		for _, m := range mods {
			if _, err := loader.Load(m); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := unix.Mount(v.Dev, dir, v.FSType, unix.MS_NOATIME|unix.MS_NODEV|unix.MS_NOSUID, mountData(v.FSType)); err != nil {
		errs = append(errs, fmt.Errorf("mount %s (%s) on %s: %w", v.Dev, v.FSType, dir, err))
		return errors.Join(errs...)
	}
	return nil
}
