package mgmtplane

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
)

// TestMaskKeepsFlowKeys: a template's flow-key flags follow the flow
// mask: under `mls flow ip destination` only the destination address is
// a key; under the IOS 7-tuple every key field is.
func TestMaskKeepsFlowKeys(t *testing.T) {
	for _, tc := range []struct {
		mask platform.Mask
		ie   uint16
		want bool
	}{
		{platform.MaskDestination, 12, true},
		{platform.MaskDestination, 8, false},
		{platform.MaskDestination, 7, false},
		{platform.MaskDestinationSource, 27, true},
		{platform.MaskFull, 10, false},
		{platform.MaskInterfaceFull, 10, true},
		{platform.MaskInterfaceFull, 5, false},
		{platform.MaskSevenTuple, 5, true},
		{platform.MaskSevenTuple, 139, true},
		{platform.MaskSource, 2, true}, // not a key field: left as the template says
	} {
		if got := maskKeeps(tc.ie, tc.mask.Fields()); got != tc.want {
			t.Errorf("mask %v, IE %d: %v, want %v", tc.mask, tc.ie, got, tc.want)
		}
	}
}
