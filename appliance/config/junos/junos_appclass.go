package junos

import (
	"slices"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/config"
)

// appClass reads the JunOS form of the application classes, one leaf a
// statement as JunOS writes a leaf-list:
//
//	set flowtap application-class none               start from an empty list
//	set flowtap application-class NAME protocol P
//	set flowtap application-class NAME port N|N-M    once per port or range
//	delete flowtap application-class [NAME [port R]]
//
// Deleting every class restores the Internet2 default.
func (j *jcmd) appClass() {
	ac := &j.cfg.AppClasses
	if j.deleting() {
		*ac = config.AppClasses{}
		return
	}
	name := j.c.Name("<name>", func(s string) error { return config.CheckName(s, 32) })
	if j.c.Err != nil {
		return
	}
	if !ac.Custom {
		*ac = config.AppClasses{Custom: true, Rules: appclass.Internet2().Rules}
	}
	j.touch("app-classes")
	rules := slices.Clone(ac.Rules)
	defer func() {
		if j.c.Err == nil {
			ac.Rules = rules
		}
	}()
	if name == "none" {
		j.c.End()
		if !j.del {
			rules = nil
		}
		return
	}
	i := slices.IndexFunc(rules, func(r appclass.Rule) bool { return r.Name == name })
	if j.deleting() {
		if i >= 0 {
			rules = slices.Delete(rules, i, i+1)
		}
		return
	}
	if i < 0 {
		if j.del {
			j.c.Skip()
			return
		}
		rules = append(rules, appclass.Rule{Name: name})
		i = len(rules) - 1
	}
	r := &rules[i]
	r.Ports = slices.Clone(r.Ports)
	switch j.c.Keyword("port", "protocol") {
	case "protocol":
		if j.del {
			j.c.Skip()
			r.Proto = 0
			return
		}
		w := j.c.Name("<protocol>", func(s string) error { _, err := config.ParseProtocol(s); return err })
		j.c.End()
		r.Proto, _ = config.ParseProtocol(w)
	case "port":
		w := j.c.Name("<port>", func(s string) error { _, err := config.ParsePortRange(s); return err })
		j.c.End()
		if j.c.Err != nil {
			return
		}
		p, _ := config.ParsePortRange(w)
		k := slices.Index(r.Ports, p)
		switch {
		case j.del && k >= 0:
			r.Ports = slices.Delete(r.Ports, k, k+1)
		case !j.del && k < 0:
			r.Ports = append(r.Ports, p)
		}
	}
}
