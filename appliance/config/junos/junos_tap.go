package junos

import (
	"slices"
	"strconv"

	"github.com/flowtap/flowtap/appliance/config"
)

// tap reads the JunOS form of `flowtap tap`:
//
//	set flowtap tap NAME fibre-a PORT
//	set flowtap tap NAME fibre-b PORT
//	set flowtap tap NAME ifindex N
//	delete flowtap tap [NAME [fibre-a | fibre-b | ifindex]]
func (j *jcmd) tap() {
	if j.deleting() {
		j.cfg.Taps = nil
		return
	}
	name := j.c.Name("<name>", config.CheckIfName)
	if j.c.Err != nil {
		return
	}
	i := slices.IndexFunc(j.cfg.Taps, func(t config.Tap) bool { return t.Name == name })
	if j.deleting() {
		if i >= 0 {
			j.cfg.Taps = slices.Delete(j.cfg.Taps, i, i+1)
		}
		return
	}
	if i < 0 {
		if j.del {
			j.c.Skip()
			return
		}
		j.cfg.Taps = append(j.cfg.Taps, config.Tap{Name: name})
		i = len(j.cfg.Taps) - 1
	}
	t := &j.cfg.Taps[i]
	path := "taps[" + name + "]"
	j.touch(path)
	if !j.c.More() {
		j.c.Offer(tapOptions...)
		return
	}
	k := j.c.Keyword(tapOptions...)
	if j.del {
		j.c.Skip()
		switch k {
		case "fibre-a":
			t.FibreA = ""
		case "fibre-b":
			t.FibreB = ""
		case "ifindex":
			t.IfIndex = 0
		}
		return
	}
	switch k {
	case "fibre-a", "fibre-b":
		port := j.c.Name("<interface-name>", config.CheckIfName)
		j.c.End()
		if j.c.Err != nil {
			return
		}
		if k == "fibre-a" {
			t.FibreA = port
		} else {
			t.FibreB = port
		}
		j.touch(path + "." + k)
	case "ifindex":
		t.IfIndex = uint32(j.c.Uint(1, 65535))
		j.c.End()
		j.touch(path + ".ifindex")
	}
}

// tapStatements is the taps as JunOS statements.
func tapStatements(c config.Config, add func(leaf string, path ...string)) {
	for _, t := range c.Taps {
		p := []string{"flowtap", "tap " + junosQuote(t.Name)}
		n := 0
		if t.IfIndex != 0 {
			add("ifindex "+strconv.FormatUint(uint64(t.IfIndex), 10), p...)
			n++
		}
		if t.FibreA != "" {
			add("fibre-a "+junosQuote(t.FibreA), p...)
			n++
		}
		if t.FibreB != "" {
			add("fibre-b "+junosQuote(t.FibreB), p...)
			n++
		}
		if n == 0 {
			add("tap "+junosQuote(t.Name), "flowtap")
		}
	}
}
