package cfgfile

import (
	"fmt"
	"os"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// Salvage reads a configuration as a router reads its startup-config at
// boot: every line it refuses is skipped (an IOS block whose opening line
// is refused is skipped with its body) and every other line applies. The
// result always loads; skipped is each refused line, in line order, as
// *LineError when a line is to blame. Parse, which applies nothing when
// anything is wrong, is for a running box (SIGHUP, copy), where the
// configuration in force is better than part of a new one.
func Salvage(file string, src []byte) (c config.Config, skipped config.Errors) {
	return SalvageWith(file, src, nil)
}

// SalvageWith is Salvage resolving host names with r.
func SalvageWith(file string, src []byte, r config.Resolver) (c config.Config, skipped config.Errors) {
	if junos.Detect(src) {
		c, skipped = junos.SalvageWith(file, string(src), r)
	} else {
		iosSrc, junosSrc, found := splitJunOS(src)
		c, skipped = ios.SalvageWith(file, string(iosSrc), r)
		if found {
			var more config.Errors
			c, more = junos.SalvageOntoWith(c, file, string(junosSrc), r)
			skipped = append(skipped, more...)
		}
	}
	grammar.SortByLine(skipped)
	return c, skipped
}

// LoadSalvage is Salvage of a file. A file that cannot be read is an
// error; what it holds never is.
func LoadSalvage(path string) (config.Config, config.Errors, error) {
	return LoadSalvageWith(path, nil)
}

// LoadSalvageWith is LoadSalvage resolving host names with r.
func LoadSalvageWith(path string, r config.Resolver) (config.Config, config.Errors, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return config.Config{}, nil, fmt.Errorf("config: %w", err)
	}
	c, skipped := SalvageWith(path, src, r)
	return c, skipped, nil
}
