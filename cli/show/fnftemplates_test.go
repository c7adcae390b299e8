package show

import (
	"bytes"
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
)

// TestFlowExporterTemplatesIPFIX: an IPFIX exporter's table has IPFIX's
// element id and enterprise columns; scope fields are elements, not v9
// scope types; RFC 5103's reverse elements say so; an IPv6 template's
// family words (traffic-class, hop-limit) follow its addresses.
func TestFlowExporterTemplatesIPFIX(t *testing.T) {
	var b bytes.Buffer
	FlowExporterTemplates(&b, FNFView{Exporters: []FNFExporter{{Name: "IPFIX", Protocol: platform.IPFIX, Templates: []FNFTemplate{
		{Client: "Flow Monitor M", ID: 257, SourceID: 7, Fields: []FNFTemplateField{
			{IE: 27, Length: 16}, {IE: 5, Length: 1}, {IE: 52, Length: 1}, {IE: 4, Length: 1}, {IE: 2, Length: 8}, {IE: 2, Length: 8, Enterprise: 29305},
			{IE: 152, Length: 8}, {IE: 9999, Length: 2, Enterprise: 9}}},
		{Client: "Option options interface-table", ID: 259, SourceID: 7, Options: true, Fields: []FNFTemplateField{
			{IE: 10, Length: 4, Scope: true}, {IE: 82, Length: 32}}},
	}}, {Name: "NONE"}}})
	golden(t, "show-flow-exporter-templates-ipfix", b.Bytes())
}
