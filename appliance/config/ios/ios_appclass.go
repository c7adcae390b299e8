package ios

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/config"
)

// appClass reads the application class lines:
//
//	flowtap application-class NAME protocol P [port N|N-M ...]
//	flowtap application-class none     start from an empty list
//	no flowtap application-class NAME  remove one class
//	no flowtap application-class       back to the Internet2 default
//
// A class that exists is redefined in place; a new one goes last, since
// the first match wins.
func (x *cmd) appClass() {
	ac := &x.cfg.AppClasses
	if x.neg && !x.c.More() {
		*ac = config.AppClasses{}
		x.touch("app-classes")
		return
	}
	name := x.c.Name("NAME", func(s string) error { return config.CheckName(s, 32) })
	if x.c.Err != nil {
		return
	}
	if !ac.Custom {
		// The first edit materialises the default so it can be edited.
		*ac = config.AppClasses{Custom: true, Rules: appclass.Internet2().Rules}
	}
	x.touch("app-classes")
	if name == "none" {
		x.c.End()
		if !x.neg {
			ac.Rules = nil
		}
		return
	}
	i := slices.IndexFunc(ac.Rules, func(r appclass.Rule) bool { return r.Name == name })
	if x.neg {
		x.c.Skip()
		if i >= 0 {
			ac.Rules = slices.Delete(slices.Clone(ac.Rules), i, i+1)
		}
		return
	}
	r := appclass.Rule{Name: name}
	x.c.Keyword("protocol")
	var perr error
	w := x.c.Name("PROTOCOL", func(s string) error { _, perr = config.ParseProtocol(s); return perr })
	if x.c.Err != nil {
		return
	}
	r.Proto, _ = config.ParseProtocol(w)
	// `?` after the protocol lists port before <cr>.
	x.c.Offer("port")
	if x.c.OptKeyword("port") != "" {
		for x.c.More() {
			w := x.c.Name("PORT", func(s string) error { _, err := config.ParsePortRange(s); return err })
			if x.c.Err != nil {
				return
			}
			p, _ := config.ParsePortRange(w)
			r.Ports = append(r.Ports, p)
		}
		if len(r.Ports) == 0 {
			x.c.Need("PORT")
			return
		}
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	rules := slices.Clone(ac.Rules)
	put(&rules, i, r)
	ac.Rules = rules
}

func renderAppClasses(r *iosWriter, ac config.AppClasses) {
	if !ac.Custom {
		return
	}
	r.line("flowtap application-class none")
	for _, c := range ac.Rules {
		r.line("%s", appClassLine(c))
	}
}

func appClassLine(c appclass.Rule) string {
	var b strings.Builder
	b.WriteString("flowtap application-class " + c.Name + " protocol " + config.ProtocolName(c.Proto))
	if len(c.Ports) > 0 {
		b.WriteString(" port")
		for _, p := range c.Ports {
			b.WriteString(" " + p.String())
		}
	}
	return b.String()
}

// servicesInterface is `flowtap services-interface NAME [source-address
// A]`, JunOS's `sampling output interface sp-X/Y/Z source-address A` in
// IOS words.
func (x *cmd) servicesInterface() {
	e := &x.cfg.Export
	if x.neg {
		x.c.Skip()
		e.ServicesIf, e.ServicesSource = "", netip.Addr{}
		return
	}
	name := x.c.Name("NAME", config.CheckServicesIf)
	var a netip.Addr
	if x.c.OptKeyword("source-address") != "" {
		a = x.c.Addr(false).Unmap()
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	e.ServicesIf, e.ServicesSource = name, a
	x.touch("export.services-if")
}
