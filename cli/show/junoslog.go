package show

import (
	"fmt"
	"io"
	"time"
)

// LogMessage is one logged message: when it was made and its text (the
// %TAG and what follows).
type LogMessage struct {
	At   time.Time
	Text string
}

// LogMessagesView is what JunOS's `show log messages` prints.
type LogMessagesView struct {
	Hostname string
	PID      int
	// Local puts a time on the configured clock; nil is UTC.
	Local    func(time.Time) time.Time
	Messages []LogMessage
}

// JunosLogMessages renders `show log messages` as a Junos messages file
// reads [RECALL]: `Mmm dd hh:mm:ss  HOST PROCESS[PID]: MESSAGE`, two
// spaces before the host, the day padded to two. The messages are the
// log buffer's (IOS's show logging), so its size and `logging buffered`
// level bound what is shown, and the text keeps flowtap's %FAC-SEV-TAG.
func JunosLogMessages(w io.Writer, v LogMessagesView) {
	for _, m := range v.Messages {
		t := m.At.UTC()
		if v.Local != nil {
			t = v.Local(m.At)
		}
		fmt.Fprintf(w, "%s  %s flowtapd[%d]: %s\n", t.Format("Jan _2 15:04:05"), v.Hostname, v.PID, m.Text)
	}
}
