package vm

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sync"
	"time"
)

// Console records a VM's serial output: all of it, for matching, and line
// by line with the time since boot, for the test log.
type Console struct {
	start time.Time

	mu      sync.Mutex
	logf    func(format string, args ...any) // nil: lines are held
	held    []string
	changed *sync.Cond
	buf     []byte
	line    []byte
	closed  bool
}

// maxHeld bounds the lines kept while no test logs the console.
const maxHeld = 10000

func newConsole(start time.Time, logf func(string, ...any)) *Console {
	c := &Console{start: start, logf: logf}
	c.changed = sync.NewCond(&c.mu)
	return c
}

// copyFrom reads r until it ends, then marks the console closed.
func (c *Console) copyFrom(r io.Reader) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		if n > 0 {
			c.write(b[:n])
		}
		if err != nil {
			break
		}
	}
	c.mu.Lock()
	if len(c.line) > 0 {
		c.logLine()
	}
	c.closed = true
	c.changed.Broadcast()
	c.mu.Unlock()
}

func (c *Console) write(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	for _, ch := range p {
		if ch == '\n' {
			c.logLine()
			continue
		}
		if ch != '\r' {
			c.line = append(c.line, ch)
		}
	}
	c.changed.Broadcast()
}

func (c *Console) logLine() {
	l := fmt.Sprintf("console [%7.3fs] %s", time.Since(c.start).Seconds(), c.line)
	c.line = c.line[:0]
	if c.logf != nil {
		c.logf("%s", l)
		return
	}
	if len(c.held) == maxHeld {
		c.held = c.held[1:]
	}
	c.held = append(c.held, l)
}

// SetLog sends the console's lines to logf from now on, after the lines
// held while there was none; nil holds them (between the tests that share
// a VM: a test's log cannot be written once it has ended).
func (c *Console) SetLog(logf func(format string, args ...any)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logf = logf
	if logf == nil {
		return
	}
	if len(c.held) > 0 {
		logf("console: %d lines printed while no test held the VM:", len(c.held))
	}
	for _, l := range c.held {
		logf("%s", l)
	}
	c.held = nil
}

// Text is everything the console printed so far.
func (c *Console) Text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}

// Len is how many bytes the console printed so far: an offset for Expect.
func (c *Console) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.buf)
}

// Expect waits until re matches the output after offset, and returns the
// submatches and the offset just past the match.
func (c *Console) Expect(re *regexp.Regexp, offset int, timeout time.Duration) ([]string, int, error) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		c.mu.Lock()
		c.changed.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if offset <= len(c.buf) {
			if loc := re.FindSubmatchIndex(c.buf[offset:]); loc != nil {
				var subs []string
				for i := 0; i+1 < len(loc); i += 2 {
					if loc[i] >= 0 {
						subs = append(subs, string(c.buf[offset+loc[i]:offset+loc[i+1]]))
					} else {
						subs = append(subs, "")
					}
				}
				return subs, offset + loc[1], nil
			}
		}
		if c.closed {
			return nil, offset, fmt.Errorf("console closed (QEMU exited) before %q appeared", re)
		}
		if time.Now().After(deadline) {
			return nil, offset, fmt.Errorf("%q did not appear on the console within %s; last output:\n%s", re, timeout, lastLines(c.buf, 15))
		}
		c.changed.Wait()
	}
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
