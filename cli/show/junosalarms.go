package show

import (
	"fmt"
	"io"
	"time"
)

// Alarm is one active system alarm.
type Alarm struct {
	// Time is when the condition began, in the box's clock.
	Time        time.Time
	Class       string // "Major" or "Minor"
	Description string
}

// SystemAlarms renders JunOS's `show system alarms` (layout [RECALL]:
// Junos says "alarms" whatever the count, and the time in a 25-column
// field).
func SystemAlarms(w io.Writer, alarms []Alarm) {
	if len(alarms) == 0 {
		fmt.Fprintln(w, "No alarms currently active")
		return
	}
	fmt.Fprintf(w, "%d alarms currently active\n", len(alarms))
	fmt.Fprintf(w, "%-25s%-7s%s\n", "Alarm time", "Class", "Description")
	for _, a := range alarms {
		fmt.Fprintf(w, "%-25s%-7s%s\n", a.Time.Format("2006-01-02 15:04:05 MST"), a.Class, a.Description)
	}
}
