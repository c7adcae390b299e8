package cfgfile

import (
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// junosPrefix starts a saved file's extension line: a JunOS set line
// for a part of the model IOS cannot say (firewall filters, their
// interface bindings, J-Flow names), so that what a JunOS operator
// committed survives a save and a restart although Save writes IOS.
const junosPrefix = "flowtap junos "

// junosOnly reports whether a JunOS set line belongs to a hierarchy the
// IOS rendering leaves out.
func junosOnly(l string) bool {
	for _, p := range []string{"set firewall ", "set services flow-monitoring ", "set chassis fpc ", "set forwarding-options sampling instance "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	if strings.HasPrefix(l, "set system login user ") && (strings.Contains(l, " uid ") || strings.Contains(l, " full-name ")) {
		return true
	}
	return strings.Contains(l, " inline-jflow") ||
		(strings.HasPrefix(l, "set interfaces ") && strings.Contains(l, " filter input "))
}

// junosExtension is the `flowtap junos` lines that bring the model IOS
// text reads back to (back) up to c; "" when IOS says it all, so files of
// IOS-only models stay plain IOS. If the JunOS-only lines are not enough
// (a hierarchy junosOnly does not know), every set line goes, which is
// longer but loses nothing; and if the IOS lines already set what JunOS
// groups give, delete lines for each JunOS hierarchy go before them.
func junosExtension(c config.Config, iosText string) string {
	back, err := ios.Parse("saved", []byte(iosText))
	if err != nil || len(config.Diff(c, back)) == 0 {
		return ""
	}
	all := strings.Split(strings.TrimSuffix(junos.SaveText(c), "\n"), "\n")
	var some []string
	for _, l := range all {
		if junosOnly(l) {
			some = append(some, l)
		}
	}
	// A model with JunOS groups: the IOS lines say what the groups gave
	// as local settings, so the JunOS part starts by deleting them.
	override := append(junos.OverrideLines(back), all...)
	for _, lines := range [][]string{some, all, override} {
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(junosPrefix + l + "\n")
		}
		_, j, _ := splitJunOS([]byte(b.String()))
		got, err := junos.Apply(back, "saved", j)
		if err == nil && len(config.Diff(c, got)) == 0 {
			return b.String()
		}
	}
	return ""
}

// splitJunOS separates a saved IOS file's `flowtap junos` lines from its
// IOS lines. Each side keeps the file's line count (the other side's
// lines blank), so an error names the line in the file.
func splitJunOS(src []byte) (iosSrc, junosSrc []byte, found bool) {
	lines := strings.Split(string(src), "\n")
	iosL := make([]string, len(lines))
	junL := make([]string, len(lines))
	for i, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, junosPrefix) {
			junL[i], found = strings.TrimSpace(t[len(junosPrefix):]), true
		} else {
			iosL[i] = l
		}
	}
	if !found {
		return src, nil, false
	}
	return []byte(strings.Join(iosL, "\n")), []byte(strings.Join(junL, "\n")), true
}
