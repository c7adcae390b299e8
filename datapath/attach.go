package datapath

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf/link"
)

// AttachMode is how the XDP program is hooked to a NIC.
type AttachMode int

const (
	// ModeBest tries offload, then native, then generic.
	ModeBest AttachMode = iota
	ModeOffload
	ModeNative
	ModeGeneric
)

func (m AttachMode) String() string {
	switch m {
	case ModeOffload:
		return "offload"
	case ModeNative:
		return "native"
	case ModeGeneric:
		return "generic"
	}
	return "best"
}

// ParseAttachMode takes "best", "offload", "native" or "generic".
func ParseAttachMode(s string) (AttachMode, error) {
	for _, m := range []AttachMode{ModeBest, ModeOffload, ModeNative, ModeGeneric} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown attach mode %q: want best, offload, native or generic", s)
}

func (m AttachMode) flags() link.XDPAttachFlags {
	switch m {
	case ModeOffload:
		return link.XDPOffloadMode
	case ModeNative:
		return link.XDPDriverMode
	}
	return link.XDPGenericMode
}

// Port is a monitored interface with the meter attached.
type Port struct {
	Name  string
	Index int
	Mode  AttachMode // the mode in use, never ModeBest
	// Tried lists the better modes that failed, with why.
	Tried []string
	link  link.Link
}

// Attach hooks the meter to ifname and applies s. With a pin directory the
// link is pinned: metering goes on while the daemon restarts, and the next
// Attach takes the pinned link over and swaps in its own program.
func (d *Datapath) Attach(ifname string, mode AttachMode, s PortSettings) (*Port, error) {
	ifc, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("attach xdp to %s: %w", ifname, err)
	}
	if err := d.SetPort(ifc.Index, s); err != nil {
		return nil, fmt.Errorf("attach xdp to %s: %w", ifname, err)
	}
	p := &Port{Name: ifname, Index: ifc.Index}
	pin := d.linkPin(ifname)
	if pin != "" {
		if l, err := link.LoadPinnedLink(pin, nil); err == nil {
			if err := l.Update(d.objs.FlowtapMeter); err != nil {
				l.Close()
				return nil, fmt.Errorf("take over pinned xdp link on %s: %w", ifname, err)
			}
			p.link = l
			p.Mode = readMode(pin)
			return p, nil
		}
	}
	modes := []AttachMode{mode}
	if mode == ModeBest {
		modes = []AttachMode{ModeOffload, ModeNative, ModeGeneric}
	}
	for _, m := range modes {
		l, err := link.AttachXDP(link.XDPOptions{Program: d.objs.FlowtapMeter, Interface: ifc.Index, Flags: m.flags()})
		if err != nil {
			p.Tried = append(p.Tried, fmt.Sprintf("%s: %v", m, err))
			continue
		}
		p.link, p.Mode = l, m
		break
	}
	if p.link == nil {
		return nil, fmt.Errorf("attach xdp to %s: %s", ifname, strings.Join(p.Tried, "; "))
	}
	if pin != "" {
		if err := p.link.Pin(pin); err != nil {
			p.link.Close()
			return nil, fmt.Errorf("pin xdp link of %s: %w", ifname, err)
		}
		if err := os.WriteFile(pin+".mode", []byte(p.Mode.String()), 0o600); err != nil {
			return nil, fmt.Errorf("record attach mode of %s: %w", ifname, err)
		}
	}
	return p, nil
}

// Detach unhooks the meter from the port and forgets its pin.
func (d *Datapath) Detach(p *Port) error {
	var errs []error
	if pin := d.linkPin(p.Name); pin != "" {
		if err := p.link.Unpin(); err != nil {
			errs = append(errs, fmt.Errorf("unpin xdp link of %s: %w", p.Name, err))
		}
		os.Remove(pin + ".mode")
	}
	if err := p.link.Close(); err != nil {
		errs = append(errs, fmt.Errorf("detach xdp from %s: %w", p.Name, err))
	}
	return errors.Join(errs...)
}

// Release lets go of the port without detaching a pinned link: used when
// the daemon exits to be restarted.
func (p *Port) Release() error { return p.link.Close() }

func (d *Datapath) linkPin(ifname string) string {
	if d.opts.PinDir == "" {
		return ""
	}
	return filepath.Join(d.opts.PinDir, "link_"+ifname)
}

func readMode(pin string) AttachMode {
	b, err := os.ReadFile(pin + ".mode")
	if err != nil {
		return ModeBest
	}
	m, err := ParseAttachMode(string(b))
	if err != nil {
		return ModeBest
	}
	return m
}
