package kmod

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
)

// Modinfo is a module's .modinfo section: each key with its values in
// the order the module lists them (alias, depends, softdep, name, ...).
type Modinfo map[string][]string

// ReadModinfo reads the .modinfo section of an uncompressed module.
func ReadModinfo(r io.ReaderAt) (Modinfo, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("read module ELF: %w", err)
	}
	defer f.Close()
	s := f.Section(".modinfo")
	if s == nil {
		return nil, fmt.Errorf("module has no .modinfo section")
	}
	data, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("read .modinfo: %w", err)
	}
	return ParseModinfo(data), nil
}

// ParseModinfo splits a .modinfo section: NUL-separated key=value strings.
func ParseModinfo(data []byte) Modinfo {
	mi := Modinfo{}
	for _, kv := range bytes.Split(data, []byte{0}) {
		k, v, ok := bytes.Cut(kv, []byte{'='})
		if !ok || len(k) == 0 {
			continue
		}
		mi[string(k)] = append(mi[string(k)], string(v))
	}
	return mi
}

// Depends lists the modules this one needs loaded first: "depends=" and
// the "pre:" half of "softdep=" (names or aliases), in that order.
func (mi Modinfo) Depends() (hard, softPre []string) {
	for _, d := range mi["depends"] {
		hard = append(hard, splitList(d, ",")...)
	}
	for _, sd := range mi["softdep"] {
		softPre = append(softPre, softdepPre(sd)...)
	}
	return hard, softPre
}

// softdepPre takes "pre: a b post: c" and returns [a b].
func softdepPre(s string) []string {
	var pre []string
	in := false
	for _, w := range splitList(s, " ") {
		switch w {
		case "pre:":
			in = true
		case "post:":
			in = false
		default:
			if in {
				pre = append(pre, w)
			}
		}
	}
	return pre
}

func splitList(s, sep string) []string {
	var out []string
	for _, f := range bytes.Split([]byte(s), []byte(sep)) {
		if f := string(bytes.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}
