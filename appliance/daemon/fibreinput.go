package daemon

import (
	"strings"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/tap"
)

// silentAfter is how long a lit fibre may receive nothing while the other
// fibre of its link receives before it is called silent. A link carries
// traffic both ways (acknowledgements at least); one direction quiet
// that long, with light, is a tap or splitter fault, not a quiet link.
const silentAfter = 30 * time.Second

// fibreInput tells a quiet fibre from a quiet link. It samples each
// fibre port's kernel receive counter (which counts the frames the meter
// drops, as a tap port's are) and keeps when it last grew: the fibres'
// flow counters move only as flows expire, up to the active timeout
// later, so they cannot say whether frames arrive now.
type fibreInput struct {
	mu    sync.Mutex
	ports map[string]*portInput
}

type portInput struct {
	ifindex uint32
	rx      uint64
	since   time.Time // watched since (the first sample of this device)
	last    time.Time // when the counter last grew; zero: not since
	silent  bool      // logged as silent
}

// fibreNow is what a sample says of one fibre.
type fibreNow struct {
	lit        bool
	idle       time.Duration // since the last frame, or since watched
	received   bool          // a frame arrived since watched
	lastFrame  time.Duration // ago, when received
	silent     bool
	partnerArm string // the other fibre's side, when silent
}

// sample reads the fibres' counters from links and returns each fibre's
// state by port name; log, when set, hears each change to silent and
// back. Safe for concurrent use.
func (fi *fibreInput) sample(taps []tap.Link, links map[string]link, now time.Time, log func(tag, fibre, port, partner string)) map[string]fibreNow {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.ports == nil {
		fi.ports = map[string]*portInput{}
	}
	out := map[string]fibreNow{}
	for _, t := range taps {
		for _, f := range [...]tap.Port{t.FibreA, t.FibreB} {
			l, ok := links[f.Name]
			if f.Name == "" || !ok {
				delete(fi.ports, f.Name)
				continue
			}
			var rx uint64
			if s := l.msg.Attributes.Stats64; s != nil {
				rx = s.RXPackets
			} else if s := l.msg.Attributes.Stats; s != nil {
				rx = uint64(s.RXPackets)
			}
			p := fi.ports[f.Name]
			if p == nil || p.ifindex != l.msg.Index || rx < p.rx {
				// A new device (or its counter reset): watch it from here.
				p = &portInput{ifindex: l.msg.Index, rx: rx, since: now}
				fi.ports[f.Name] = p
			}
			if rx > p.rx {
				p.rx, p.last = rx, now
			}
			n := fibreNow{lit: l.adminUp && l.carrier, received: !p.last.IsZero()}
			n.idle = now.Sub(p.since)
			if n.received {
				n.idle = now.Sub(p.last)
				n.lastFrame = n.idle
			}
			out[f.Name] = n
		}
	}
	for _, t := range taps {
		for _, x := range [...]struct {
			me, other tap.Port
			side      string
			otherSide string
		}{{t.FibreA, t.FibreB, "A", "B"}, {t.FibreB, t.FibreA, "B", "A"}} {
			me, ok := out[x.me.Name]
			other, ok2 := out[x.other.Name]
			if !ok || !ok2 {
				continue
			}
			me.silent = me.lit && me.idle >= silentAfter && other.lit && other.received && other.lastFrame < silentAfter
			if me.silent {
				me.partnerArm = x.otherSide
			}
			out[x.me.Name] = me
			p := fi.ports[x.me.Name]
			if log != nil && me.silent != p.silent {
				fibre := "Tap " + t.Name + " fibre " + x.side
				if me.silent {
					log("FLOWTAP-4-FIBRE_SILENT", fibre, x.me.Name, "fibre "+x.otherSide)
				} else if me.received && me.lastFrame < silentAfter {
					log("FLOWTAP-5-FIBRE_RECEIVES", fibre, x.me.Name, "")
				} else {
					continue // both quiet now: a quiet link, still logged as it was
				}
			}
			p.silent = me.silent
		}
	}
	return out
}

// watchFibres samples the fibres every 5 s until stop, logging a fibre
// that turns silent and one that receives again.
func (d *Daemon) watchFibres(stop <-chan struct{}) {
	every(5*time.Second, stop, func(now time.Time) {
		taps := d.Settings().Taps
		if len(taps) == 0 {
			return
		}
		d.sampleFibres(taps, now)
	})
}

func (d *Daemon) sampleFibres(taps []tap.Link, now time.Time) (map[string]fibreNow, map[string]link) {
	links := map[string]link{}
	ls, err := dumpLinks()
	if err != nil {
		return nil, links
	}
	for _, l := range ls {
		links[l.name] = l
	}
	var changes []FibreChange
	res := d.fibreIn.sample(taps, links, now, func(tag, fibre, port, partner string) {
		silent := strings.HasSuffix(tag, "SILENT")
		if silent {
			logIOS(d.log, tag, "%s (%s) has light but has received no frame for %d s while %s receives: this direction of the link is not seen", fibre, port, int(silentAfter.Seconds()), partner)
		} else {
			logIOS(d.log, tag, "%s (%s) receives frames again", fibre, port)
		}
		for _, t := range taps {
			switch port {
			case t.FibreA.Name:
				changes = append(changes, FibreChange{LinkIfIndex: t.IfIndex, Side: "a", Port: port, Silent: silent})
			case t.FibreB.Name:
				changes = append(changes, FibreChange{LinkIfIndex: t.IfIndex, Side: "b", Port: port, Silent: silent})
			}
		}
	})
	if f := d.fibreNote.Load(); f != nil {
		for _, c := range changes {
			c.Idle = res[c.Port].idle
			(*f)(c)
		}
	}
	return res, links
}

// FibreChange is a tap fibre turning silent (light, no frame for 30 s
// while the other fibre receives) or receiving again: what
// %FLOWTAP-4-FIBRE_SILENT and %FLOWTAP-5-FIBRE_RECEIVES log.
type FibreChange struct {
	LinkIfIndex uint32
	Side        string // "a" or "b"
	Port        string
	Silent      bool
	Idle        time.Duration // since the fibre's last frame
}

// OnFibreChange has f hear each fibre change as it is logged (nil: none
// heard). It is called from the sampler: f must not block.
func (d *Daemon) OnFibreChange(f func(FibreChange)) {
	if f == nil {
		d.fibreNote.Store(nil)
		return
	}
	d.fibreNote.Store(&f)
}
