package vm

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// openPTY returns a pseudo-terminal's master and slave: an interactive
// QEMU (make qemu's command line) gets the slave as its controlling
// terminal, so keys such as Ctrl-C and Ctrl-Z reach it as a user's
// terminal sends them.
func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("open pty slave: %w", err)
	}
	// A terminal of a decent size: the CLI pages at its height.
	unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 50, Col: 132})
	// No CR added before LF on output (QEMU keeps OPOST): the guest's
	// serial line already sends CR LF, and the console text stays what
	// the patterns of the pipe-driven tests expect.
	if tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS); err == nil {
		tio.Oflag &^= unix.ONLCR
		unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, tio)
	}
	return m, s, nil
}
