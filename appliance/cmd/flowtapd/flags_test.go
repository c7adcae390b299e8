package main

import (
	"flag"
	"strings"
	"testing"
)

// TestFlagHelpNamesArguments: -help prints a backquoted word of a usage
// as the flag's argument, so only argument names may be backquoted. An
// IOS command in backquotes made it print "-reboot-on-reload reload" (a
// switch with an argument), "-ssh-listen ip ssh port" and "-console-log
// Dec  6 04:27:26.123: %FAC-SEV-MNEMONIC: text".
func TestFlagHelpNamesArguments(t *testing.T) {
	var f flags
	flagSet(&f).VisitAll(func(fl *flag.Flag) {
		name, _ := flag.UnquoteUsage(fl)
		if bf, ok := fl.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() && name != "" {
			t.Errorf("-help shows the switch -%s with an argument %q", fl.Name, name)
		}
		if strings.ContainsAny(name, " :%") {
			t.Errorf("-help shows -%s's argument as %q", fl.Name, name)
		}
	})
}
