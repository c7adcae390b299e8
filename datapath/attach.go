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
// The returned Port holds the link: keep it until Detach or Release, as a
// Port dropped is detached when the garbage collector next runs.
func (d *Datapath) Attach(ifname string, mode AttachMode, s PortSettings) (*Port, error) {
	ifc, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("attach xdp to %s: %w", ifname, err)
	}
	if err := d.SetPort(ifc.Index, s); err != nil {
		return nil, fmt.Errorf("attach xdp to %s: %w", ifname, err)
	}
	p := &Port{Name: ifname, Index: ifc.Index}
	if d.opts.PinDir != "" {
		if pin, m, ok := d.findLinkPin(ifname); ok {
			l, err := link.LoadPinnedLink(pin, nil)
			if err != nil {
				return nil, fmt.Errorf("open pinned xdp link of %s: %w", ifname, err)
			}
			if linkIfindex(l) == uint32(ifc.Index) {
				if err := l.Update(d.objs.FlowtapMeter); err != nil {
					l.Close()
					return nil, fmt.Errorf("take over pinned xdp link on %s: %w", ifname, err)
				}
				p.link, p.Mode = l, m
				return p, nil
			}
			// The pinned link was another device's: the port was deleted
			// (and added again) while no daemon ran, and its link went
			// with the old device. Forget it and attach anew.
			err = l.Unpin()
			l.Close()
			if err != nil {
				return nil, fmt.Errorf("forget the pinned xdp link of %s's former device: %w", ifname, err)
			}
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
	if d.opts.PinDir != "" {
		if err := p.link.Pin(d.linkPin(ifname, p.Mode)); err != nil {
			p.link.Close()
			return nil, fmt.Errorf("pin xdp link of %s: %w", ifname, err)
		}
	}
	return p, nil
}

// linkIfindex is the device a pinned XDP link is attached to, 0 when the
// link was severed (its device deleted) or cannot say.
func linkIfindex(l link.Link) uint32 {
	info, err := l.Info()
	if err != nil {
		return 0
	}
	if x := info.XDP(); x != nil {
		return x.Ifindex
	}
	return 0
}

// Detach unhooks the meter from the port and forgets its pin.
func (d *Datapath) Detach(p *Port) error {
	var errs []error
	if d.opts.PinDir != "" {
		if err := p.link.Unpin(); err != nil {
			errs = append(errs, fmt.Errorf("unpin xdp link of %s: %w", p.Name, err))
		}
	}
	if err := p.link.Close(); err != nil {
		errs = append(errs, fmt.Errorf("detach xdp from %s: %w", p.Name, err))
	}
	d.detached.Store(true)
	return errors.Join(errs...)
}

// Release lets go of the port without detaching a pinned link: used when
// the daemon exits to be restarted.
func (p *Port) Release() error { return p.link.Close() }

// linkPin names a port's pinned link. bpffs holds no regular files, so the
// attach mode, which the kernel does not report for a link, is in the name.
func (d *Datapath) linkPin(ifname string, m AttachMode) string {
	return filepath.Join(d.opts.PinDir, "link_"+ifname+"@"+m.String())
}

func (d *Datapath) findLinkPin(ifname string) (string, AttachMode, bool) {
	for _, m := range []AttachMode{ModeOffload, ModeNative, ModeGeneric} {
		pin := d.linkPin(ifname, m)
		if _, err := os.Stat(pin); err == nil {
			return pin, m, true
		}
	}
	return "", 0, false
}
