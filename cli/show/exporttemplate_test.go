package show

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

func TestIPFlowExportTemplate(t *testing.T) {
	var b strings.Builder
	IPFlowExportTemplate(&b, ExportView{Version: platform.V9, Destinations: []ExportStats{{}},
		Template: TemplateSettings{Timeout: time.Minute, Refresh: 20, OptionsTimeout: 2 * time.Minute, OptionsRefresh: 20}})
	want := "Main cache v9 export is enabled\n" +
		"  Template export information\n  Template timeout = 1\n  Template refresh rate = 20\n" +
		"  Option export information\n  Option timeout = 2\n  Option refresh rate = 20\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// Destinations that export v9 or IPFIX under a cache version 5 use the
// template settings: the screen said "Main cache v5 export".
func TestIPFlowExportTemplateNamesTheTemplatedVersion(t *testing.T) {
	for _, c := range []struct {
		dests []platform.ExportVersion
		want  string
	}{
		{[]platform.ExportVersion{platform.V9, platform.IPFIX}, "Main cache v9 export is enabled\n"},
		{[]platform.ExportVersion{platform.IPFIX}, "Main cache IPFIX export is enabled\n"},
		{[]platform.ExportVersion{platform.V5}, "Main cache v5 export is enabled\n"},
	} {
		v := ExportView{Version: platform.V5}
		for _, d := range c.dests {
			v.Destinations = append(v.Destinations, ExportStats{Version: d})
		}
		var b strings.Builder
		IPFlowExportTemplate(&b, v)
		if first, _, _ := strings.Cut(b.String(), "\n"); first+"\n" != c.want {
			t.Errorf("destinations %v: %q, want %q", c.dests, first, c.want)
		}
	}
}
