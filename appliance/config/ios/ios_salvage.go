package ios

import (
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// Salvage applies every line of src it can: a refused line is dropped
// with the block it opens and the rest parsed again, until the rest
// parses. skipped is each dropped line's error (cfgfile.Salvage sorts them).
func Salvage(file, src string) (config.Config, config.Errors) {
	return SalvageWith(file, src, nil)
}

// SalvageWith is Salvage resolving host names with r.
func SalvageWith(file, src string, r config.Resolver) (config.Config, config.Errors) {
	text := strings.Split(src, "\n")
	var skipped config.Errors
	for pass := 0; pass < grammar.MaxSalvagePasses; pass++ {
		joined := strings.Join(text, "\n")
		c, err := ParseWith(file, []byte(joined), r)
		if err == nil {
			return c, skipped
		}
		lines, other := grammar.Blamed(err)
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
			return grammar.DefaultConfig(), append(skipped, other...)
		}
	}
	return grammar.DefaultConfig(), append(skipped, fmt.Errorf("%s: too many refused lines", file))
}

// dropIOSBlock blanks line i and, when it opens a block, the lines
// indented under it: a refused `interface` takes its body with it, as
// the parser skips it.
func dropIOSBlock(text []string, i int) {
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
	own := indent(text[i])
	if delim := bannerOpen(text[i]); delim != "" {
		// A banner's text lines go with it, up to its delimiter.
		text[i] = ""
		for j := i + 1; j < len(text); j++ {
			end := strings.Contains(text[j], delim)
			text[j] = ""
			if end {
				return
			}
		}
		return
	}
	text[i] = ""
	for j := i + 1; j < len(text); j++ {
		t := strings.TrimSpace(text[j])
		if t == "" {
			continue
		}
		// IOS-XE indents `!` inside blocks (vrf definition): only a
		// line back at the block's own indentation ends it.
		if indent(text[j]) <= own {
			return
		}
		text[j] = ""
	}
}
