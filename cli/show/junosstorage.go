package show

import (
	"fmt"
	"io"
	"strconv"
)

// Filesystem is one mounted file system, for JunOS's `show system
// storage`: its sizes in bytes.
type Filesystem struct {
	Name, MountedOn   string
	Size, Used, Avail uint64
}

// SystemStorage renders `show system storage`: the mounted file systems
// as Junos's df lists them (layout [RECALL]: FreeBSD's df -h columns,
// a name too long for its column on a line of its own).
func SystemStorage(w io.Writer, fss []Filesystem) {
	fmt.Fprintf(w, "%-20s%8s%11s%11s%10s  %s\n", "Filesystem", "Size", "Used", "Avail", "Capacity", "Mounted on")
	for _, f := range fss {
		name := f.Name
		if len(name) > 19 {
			fmt.Fprintln(w, name)
			name = ""
		}
		// df's capacity: the used share of what a user may use,
		// rounded up.
		pct := uint64(0)
		if t := f.Used + f.Avail; t > 0 {
			pct = (f.Used*100 + t - 1) / t
		}
		fmt.Fprintf(w, "%-20s%8s%11s%11s%9d%%  %s\n", name, storageSize(f.Size), storageSize(f.Used), storageSize(f.Avail), pct, f.MountedOn)
	}
}

// storageSize is a size as df -h prints it: three digits at most, one
// decimal below 10 once scaled (885M, 1.3G, 1.0K, 0B).
func storageSize(b uint64) string {
	const units = "BKMGTPE"
	v, i := float64(b), 0
	for v >= 999.5 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i > 0 && v < 9.95 {
		return strconv.FormatFloat(v, 'f', 1, 64) + units[i:i+1]
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + units[i:i+1]
}
