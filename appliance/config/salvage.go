package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// maxSalvagePasses bounds how often Salvage drops lines and tries again:
// each pass drops at least one line, and a model check can only blame
// lines that the pass before kept.
const maxSalvagePasses = 64

// Salvage reads a configuration as a router reads its startup-config at
// boot: every line it refuses is skipped (an IOS block whose opening line
// is refused is skipped with its body) and every other line applies. The
// result always loads; skipped is each refused line, in line order, as
// *LineError when a line is to blame. Parse, which applies nothing when
// anything is wrong, is for a running box (SIGHUP, copy), where the
// configuration in force is better than part of a new one.
func Salvage(file string, src []byte) (c Config, skipped Errors) {
	if DetectJunOS(src) {
		c, skipped = salvageJunOS(file, string(src))
	} else {
		c, skipped = salvageIOS(file, string(src))
	}
	sortByLine(skipped)
	return c, skipped
}

// LoadSalvage is Salvage of a file. A file that cannot be read is an
// error; what it holds never is.
func LoadSalvage(path string) (Config, Errors, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Config{}, nil, fmt.Errorf("config: %w", err)
	}
	c, skipped := Salvage(path, src)
	return c, skipped, nil
}

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

func salvageIOS(file, src string) (Config, Errors) {
	text := strings.Split(src, "\n")
	var skipped Errors
	for pass := 0; pass < maxSalvagePasses; pass++ {
		joined := strings.Join(text, "\n")
		c, err := ParseIOS(file, []byte(joined))
		if err == nil {
			return c, skipped
		}
		lines, other := blamed(err)
		progress := false
		for n, e := range lines {
			if n > len(text) || strings.TrimSpace(text[n-1]) == "" {
				continue
			}
			skipped = append(skipped, e)
			dropIOSBlock(text, n-1)
			progress = true
		}
		if !progress {
			return defaultConfig(file), append(skipped, other...)
		}
	}
	return defaultConfig(file), append(skipped, fmt.Errorf("%s: too many refused lines", file))
}

// dropIOSBlock blanks line i and, when it opens a block, the lines
// indented under it: a refused `interface` takes its body with it, as
// the parser skips it.
func dropIOSBlock(text []string, i int) {
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
	own := indent(text[i])
	text[i] = ""
	for j := i + 1; j < len(text); j++ {
		t := strings.TrimSpace(text[j])
		if t == "" {
			continue
		}
		if indent(text[j]) <= own || t[0] == '!' {
			return
		}
		text[j] = ""
	}
}

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

// defaultConfig is the configuration of an empty startup-config.
func defaultConfig(file string) Config {
	c, err := ParseIOS(file, nil)
	if err != nil {
		return Config{}
	}
	return c
}
