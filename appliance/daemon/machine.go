package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// machine is what `show version` says about the box under flowtapd: the
// kernel, how long the machine has been up (IOS's uptime is the box's,
// not the process's), its memory and, where the firmware tells (DMI), its
// model and serial number.
type machine struct {
	Kernel       string
	SystemUptime time.Duration
	MemoryKB     uint64
	Model        string
	Serial       string
}

// dmiDir is where the kernel shows the firmware's SMBIOS identity.
const dmiDir = "/sys/class/dmi/id"

func readMachine() machine {
	var m machine
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		m.SystemUptime = time.Duration(si.Uptime) * time.Second
		m.MemoryKB = uint64(si.Totalram) * uint64(si.Unit) / 1024
	}
	m.Model, m.Serial = readDMI(dmiDir)
	return m
}

// readDMI returns the model (vendor and product) and serial number from a
// DMI directory, "" for what it does not tell.
func readDMI(dir string) (model, serial string) {
	vendor, product := dmi(dir, "sys_vendor"), dmi(dir, "product_name")
	if product != "" && !strings.HasPrefix(product, vendor) {
		product = strings.TrimSpace(vendor + " " + product)
	}
	return product, dmi(dir, "product_serial")
}

// dmi reads one DMI field; firmware fills unset ones with placeholders.
func dmi(dir, name string) string {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(string(data))
	switch strings.ToLower(v) {
	case "", "none", "not specified", "to be filled by o.e.m.", "default string", "0", "system serial number":
		return ""
	}
	return v
}
