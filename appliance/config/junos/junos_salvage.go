package junos

import (
	"errors"
	"fmt"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// Salvage applies every line of src it can: a refused line is dropped
// and the rest applied again, until the candidate commits. skipped is
// each dropped line's error (cfgfile.Salvage sorts them).
func Salvage(file, src string) (config.Config, config.Errors) {
	return SalvageWith(file, src, nil)
}

// SalvageWith is Salvage resolving host names with r.
func SalvageWith(file, src string, r config.Resolver) (config.Config, config.Errors) {
	return salvageOnto(config.Config{Platform: DefaultPlatform}, grammar.DefaultConfig(), file, src, r)
}

// SalvageOnto is Salvage applying src onto base (the IOS part of a saved
// file, for its `flowtap junos` lines); when nothing commits, base stays.
func SalvageOnto(base config.Config, file, src string) (config.Config, config.Errors) {
	return salvageOnto(base, base, file, src, nil)
}

// SalvageOntoWith is SalvageOnto resolving host names with r.
func SalvageOntoWith(base config.Config, file, src string, r config.Resolver) (config.Config, config.Errors) {
	return salvageOnto(base, base, file, src, r)
}

func salvageOnto(base, failed config.Config, file, src string, r config.Resolver) (config.Config, config.Errors) {
	lines, err := junosLines(src)
	if err != nil {
		var le *config.LineError
		if errors.As(err, &le) {
			le.File = file
		}
		return failed, config.Errors{err}
	}
	drop := map[int]bool{}
	var skipped config.Errors
	for pass := 0; pass < grammar.MaxSalvagePasses; pass++ {
		s := NewSession(base, file)
		s.batch, s.res = true, r
		var errs config.Errors
		for _, l := range lines {
			if drop[l.n] {
				continue
			}
			if e := s.exec(l.n, l.text); e != nil {
				errs = append(errs, e)
			}
		}
		if len(errs) == 0 {
			c, err := s.Commit()
			if err == nil {
				return c, skipped
			}
			if es, ok := err.(config.Errors); ok {
				errs = es
			} else {
				errs = config.Errors{err}
			}
		}
		blame, other := grammar.Blamed(errs)
		progress := false
		for n, e := range blame {
			if !drop[n] {
				drop[n], progress = true, true
				skipped = append(skipped, e)
			}
		}
		if !progress {
			return failed, append(skipped, other...)
		}
	}
	return failed, append(skipped, fmt.Errorf("%s: too many refused lines", file))
}
