package daemon

import (
	"github.com/flowtap/flowtap/cli/show"
)

// DatapathView is `show ip flow datapath`: the meter's counters.
func (c *CLI) DatapathView() show.DatapathView {
	st, err := c.m.d.DatapathStats()
	if err != nil {
		return show.DatapathView{}
	}
	v := st.Counters()
	v.Overload = c.m.d.OverloadView()
	return v
}
