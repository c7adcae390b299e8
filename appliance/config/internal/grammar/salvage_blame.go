package grammar

import (
	"errors"

	"github.com/flowtap/flowtap/appliance/config"
)

// MaxSalvagePasses bounds how often Salvage drops lines and tries again:
// each pass drops at least one line, and a model check can only blame
// lines that the pass before kept.
const MaxSalvagePasses = 64

// Blamed splits errs into the lines they blame and the errors no line is
// to blame for.
func Blamed(errs error) (lines map[int]error, other config.Errors) {
	lines = map[int]error{}
	var es config.Errors
	if !errors.As(errs, &es) {
		es = config.Errors{errs}
	}
	for _, e := range es {
		var le *config.LineError
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

// DefaultConfig is the configuration of an empty startup-config: the
// model's defaults, whichever dialect the file is in.
func DefaultConfig() config.Config {
	c, err := config.Normalize(config.Config{})
	if err != nil {
		return config.Config{}
	}
	return c
}
