package daemon

import (
	"bufio"
	"context"
	"errors"

	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The image's init (flowtapinit) writes its messages to a file as well as
// to the console, one a line: the time (RFC 3339), the syslog severity
// and the text. FollowInitLog puts them in `show logging`, with their own
// times, so that the boot's lines (which disk, the default-password
// warning, a disk that does not mount, DHCP's leases) are there as a
// router's boot messages are.

// InitLogTag names the init's messages in the buffer: %FLOWTAPINIT-4-WARN,
// %FLOWTAPINIT-6-INFO, as the daemon's own are %FLOWTAP-SEV-LEVEL.
func InitLogTag(sev int) string {
	switch {
	case sev <= 3:
		return "FLOWTAPINIT-" + strconv.Itoa(sev) + "-ERROR"
	case sev == 4:
		return "FLOWTAPINIT-4-WARN"
	}
	return "FLOWTAPINIT-" + strconv.Itoa(sev) + "-INFO"
}

// parseInitLogLine reads one init log line; ok is false for a line that
// is not one (cut short by a crash, or another program's).
func parseInitLogLine(l string) (t time.Time, sev int, msg string, ok bool) {
	ts, rest, ok1 := strings.Cut(l, " ")
	sv, msg, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return time.Time{}, 0, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, 0, "", false
	}
	sev, err = strconv.Atoi(sv)
	if err != nil || sev < 0 || sev > 7 {
		return time.Time{}, 0, "", false
	}
	return t, sev, msg, true
}

// initLogPoll is how often FollowInitLog looks for new lines: the init
// logs a few lines at boot and then one now and then (a DHCP renewal).
const initLogPoll = time.Second

// FollowInitLog imports the init log at path into b: the lines it holds
// now into the buffer only, before it returns (they went to the console,
// and a restarted daemon has sent them to the syslog hosts before), and
// then, until ctx ends, each line appended to it as it comes, to the
// syslog hosts and the CLI sessions too. The init moves a full log to
// path.1 and starts a new one: FollowInitLog then reads the new one from
// its start. A file that is not there yet is waited for.
func FollowInitLog(ctx context.Context, path string, b *LogBuffer) {
	fl := &initLogFollower{path: path, buf: b}
	fl.poll(false)
	go func() {
		defer fl.close()
		t := time.NewTicker(initLogPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fl.poll(true)
			}
		}
	}()
}

type initLogFollower struct {
	path    string
	buf     *LogBuffer
	f       *os.File
	r       *bufio.Reader
	partial string
}

// poll imports what was appended since the last poll.
func (fl *initLogFollower) poll(toHosts bool) {
	for {
		if fl.f == nil {
			f, err := os.Open(fl.path)
			if err != nil {
				return
			}
			fl.f, fl.r, fl.partial = f, bufio.NewReader(f), ""
		}
		// A moved file is read to its end once more: the init may have
		// written its last lines after the read before.
		gone := moved(fl.f, fl.path)
		fl.partial = readInitLog(fl.r, fl.partial, fl.buf, toHosts)
		if !gone {
			return
		}
		fl.close() // and read the new file at once
	}
}

func (fl *initLogFollower) close() {
	if fl.f != nil {
		fl.f.Close()
		fl.f = nil
	}
}

// readInitLog imports the whole lines r has now and returns the start of
// a line not yet ended (the rest comes with the init's next write).
func readInitLog(r *bufio.Reader, partial string, b *LogBuffer, toHosts bool) string {
	for {
		s, err := r.ReadString('\n')
		if err != nil {
			return partial + s
		}
		line := partial + strings.TrimSuffix(s, "\n")
		partial = ""
		if when, sev, msg, ok := parseInitLogLine(line); ok {
			b.Import(when, InitLogTag(sev), msg, toHosts)
		}
	}
}

// moved says whether path is no longer the file f has open (the init
// moved it to path.1 and made a new one).
func moved(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return true
	}
	b, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false // between the move and the new file
	}
	if err != nil {
		return false
	}
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && (sa.Ino != sb.Ino || sa.Dev != sb.Dev)
}
