package junos

import (
	"net/netip"

	"github.com/flowtap/flowtap/appliance/config"
)

// servicesInterface is `sampling output interface sp-X/Y/Z
// source-address A`: the services PIC a Juniper router exports from.
func (j *jcmd) servicesInterface() {
	e := &j.cfg.Export
	if j.deleting() {
		e.ServicesIf, e.ServicesSource = "", netip.Addr{}
		return
	}
	name := j.c.Name("<interface-name>", config.CheckServicesIf)
	if j.c.Err != nil {
		return
	}
	if j.deleting() {
		e.ServicesIf, e.ServicesSource = "", netip.Addr{}
		return
	}
	e.ServicesIf = name
	j.touch("export.services-if")
	if !j.c.More() {
		j.c.Offer("source-address")
		return
	}
	j.c.Keyword("source-address")
	if j.del {
		j.c.End()
		e.ServicesSource = netip.Addr{}
		return
	}
	a := j.c.Addr(false)
	j.c.End()
	if j.c.Err == nil {
		e.ServicesSource = a.Unmap()
		j.touch("export.services-source")
	}
}
