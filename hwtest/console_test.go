package hwtest

import (
	"regexp"
	"testing"
	"time"
)

// consoleWait bounds each wait for the serial console.
const consoleWait = 30 * time.Second

// Prompts on the console. Not anchored at the end: flowtapinit's and
// flowtapd's lines may follow a prompt on the same console line.
var (
	// shellPrompt is gosh's prompt.
	shellPrompt = regexp.MustCompile(`(?m)^\$ `)
	// cliPrompt is the CLI's exec prompt.
	cliPrompt = regexp.MustCompile(regexp.QuoteMeta(probeHostname) + `#`)
)

// consoleShell leaves the console's CLI (`exit`): flowtapinit starts a
// shell in its place.
func (p *probe) consoleShell(t *testing.T) {
	t.Helper()
	off := p.Console.Len()
	p.Type("exit\r")
	_, off = p.ExpectFrom(regexp.MustCompile(`CLI exited \([^)]*\): starting a shell`), off, consoleWait)
	p.ExpectFrom(shellPrompt, off, consoleWait)
}

// consoleCLI leaves the console's shell (`exit`): flowtapinit starts the
// CLI again.
func (p *probe) consoleCLI(t *testing.T) {
	t.Helper()
	off := p.Console.Len()
	p.Type("exit\r")
	p.ExpectFrom(cliPrompt, off, consoleWait)
}

// consoleRun types a line at the console's prompt and waits for the
// prompt to come back; it returns what the console printed in between.
func (p *probe) consoleRun(t *testing.T, line string, prompt *regexp.Regexp) string {
	t.Helper()
	off := p.Console.Len()
	p.Type(line + "\r")
	_, end := p.ExpectFrom(regexp.MustCompile(regexp.QuoteMeta(line)+`\r?\n`), off, consoleWait)
	m, stop := p.ExpectFrom(prompt, end, consoleWait)
	return p.Console.Text()[end : stop-len(m[0])]
}
