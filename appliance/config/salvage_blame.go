package config

import (
	"errors"
)

// maxSalvagePasses bounds how often Salvage drops lines and tries again:
// each pass drops at least one line, and a model check can only blame
// lines that the pass before kept.
const maxSalvagePasses = 64

// blamed splits errs into the lines they blame and the errors no line is
// to blame for.
func blamed(errs error) (lines map[int]error, other Errors) {
	lines = map[int]error{}
	var es Errors
	if !errors.As(errs, &es) {
		es = Errors{errs}
	}
	for _, e := range es {
		var le *LineError
		if errors.As(e, &le) && le.Line > 0 {
			if _, dup := lines[le.Line]; !dup {
				lines[le.Line] = e
			}
			continue
		}
		other = append(other, e)
	}
	return lines, other
}

// defaultConfig is the configuration of an empty startup-config.
func defaultConfig(file string) Config {
	c, err := ParseIOS(file, nil)
	if err != nil {
		return Config{}
	}
	return c
}
