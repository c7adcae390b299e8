package config

import (
	"errors"
	"fmt"
)

func salvageJunOS(file, src string) (Config, Errors) {
	base := Config{Platform: JunOSDefaultPlatform}
	lines, err := junosLines(src)
	if err != nil {
		var le *LineError
		if errors.As(err, &le) {
			le.File = file
		}
		return defaultConfig(file), Errors{err}
	}
	drop := map[int]bool{}
	var skipped Errors
	for pass := 0; pass < maxSalvagePasses; pass++ {
		s := NewJunOSSession(base, file)
		s.batch = true
		var errs Errors
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
			if es, ok := err.(Errors); ok {
				errs = es
			} else {
				errs = Errors{err}
			}
		}
		blame, other := blamed(errs)
		progress := false
		for n, e := range blame {
			if !drop[n] {
				drop[n], progress = true, true
				skipped = append(skipped, e)
			}
		}
		if !progress {
			return defaultConfig(file), append(skipped, other...)
		}
	}
	return defaultConfig(file), append(skipped, fmt.Errorf("%s: too many refused lines", file))
}
