package show

import (
	"fmt"
	"io"
	"time"
)

// CommitEntry is one commit as JunOS's `show system commit` lists it:
// its index is the `rollback N` that loads the configuration it made.
type CommitEntry struct {
	When time.Time
	User string
	// Via is how the commit came: "cli" for a JunOS CLI commit, "other"
	// for anything else (the startup configuration, an IOS line, an SNMP
	// Set, a commit confirmed's automatic rollback).
	Via     string
	Comment string
	// ConfirmMinutes is a commit confirmed's wait; 0 for a plain commit.
	ConfirmMinutes int
}

// SystemCommit is `show system commit`: the commits newest first, each
// with its rollback index, a commit confirmed's wait after it and its
// comment on the next line.
func SystemCommit(w io.Writer, es []CommitEntry) {
	for i, e := range es {
		fmt.Fprintf(w, "%-4d%s by %s via %s", i, e.When.Format("2006-01-02 15:04:05 MST"), e.User, e.Via)
		if e.ConfirmMinutes > 0 {
			fmt.Fprintf(w, " commit confirmed, rollback in %dmins", e.ConfirmMinutes)
		}
		fmt.Fprintln(w)
		if e.Comment != "" {
			fmt.Fprintf(w, "    %s\n", e.Comment)
		}
	}
}
