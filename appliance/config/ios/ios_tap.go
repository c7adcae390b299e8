package ios

import (
	"slices"

	"github.com/flowtap/flowtap/appliance/config"
)

// tapCmd is `[no] flowtap tap NAME`, which opens the tap's sub-mode.
func (x *cmd) tapCmd() {
	name := x.c.Name("WORD", config.CheckIfName)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.Taps, func(t config.Tap) bool { return t.Name == name })
	x.touch("taps[" + name + "]")
	if x.neg {
		if i >= 0 {
			x.cfg.Taps = slices.Delete(x.cfg.Taps, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.Taps = append(x.cfg.Taps, config.Tap{Name: name})
	}
	x.open(modeTap, name)
}

// tapMode reads ` fibre a|b PORT` and ` ifindex N`.
func (x *cmd) tapMode() {
	k, ok := x.subMode("fibre", "ifindex")
	if !ok {
		return
	}
	i := slices.IndexFunc(x.cfg.Taps, func(t config.Tap) bool { return t.Name == x.mode.key })
	if i < 0 {
		x.gone("flowtap tap")
		return
	}
	t := &x.cfg.Taps[i]
	path := "taps[" + t.Name + "]"
	switch k {
	case "fibre":
		side := x.c.Keyword("a", "b")
		f := &t.FibreA
		if side == "b" {
			f = &t.FibreB
		}
		if x.neg {
			x.c.Skip()
			*f = ""
			return
		}
		port := x.c.Name("WORD", config.CheckIfName)
		at := x.c.Last()
		x.c.End()
		if ti, was, ok := x.cfg.FibreOf(port); x.c.Err == nil && ok && (ti != i || was != side) {
			// Named here, before the line takes effect: once both sides
			// name the port, the validator cannot tell which one the
			// line gave it, and would name the side the line asked for
			// (`fibre a PORT` while PORT is fibre b, as in a swap).
			x.c.RefuseAt(at, "port %s is already fibre %s of tap %s", port, was, x.cfg.Taps[ti].Name)
			return
		}
		if x.c.Err == nil {
			*f = port
			x.touch(path + ".fibre-" + side)
		}
	case "ifindex":
		if x.neg {
			x.c.Skip()
			t.IfIndex = 0
			return
		}
		t.IfIndex = uint32(x.c.Uint(1, 65535))
		x.c.End()
		x.touch(path + ".ifindex")
	}
}

func renderTaps(r *iosWriter, c config.Config) {
	for _, t := range c.Taps {
		r.line("flowtap tap %s", t.Name)
		if t.IfIndex != 0 {
			r.line(" ifindex %d", t.IfIndex)
		}
		if t.FibreA != "" {
			r.line(" fibre a %s", t.FibreA)
		}
		if t.FibreB != "" {
			r.line(" fibre b %s", t.FibreB)
		}
		r.section()
	}
}
