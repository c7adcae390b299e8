package config

import (
	"fmt"
	"strings"
)

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
