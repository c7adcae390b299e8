package show

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
)

func TestIPFlowExportTemplate(t *testing.T) {
	var b strings.Builder
	IPFlowExportTemplate(&b, ExportView{Version: platform.V9, Destinations: []ExportStats{{}},
		Template: TemplateSettings{Timeout: 1, Refresh: 20, OptionsTimeout: 2, OptionsRefresh: 20}})
	want := "Main cache v9 export is enabled\n" +
		"  Template export information\n  Template timeout = 1\n  Template refresh rate = 20\n" +
		"  Option export information\n  Option timeout = 2\n  Option refresh rate = 20\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
