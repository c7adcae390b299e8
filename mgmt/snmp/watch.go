package snmp

import (
	"context"
	"fmt"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// WatchLinks sends linkUp and linkDown, while traps are on (SetTraps),
// when an interface's operational status crosses up, as netlink announces
// it (RTMGRP_LINK), for the interfaces whose ifLinkUpDownTrapEnable is
// enabled (Config.LinkTrap: not `no snmp trap link-status`). It returns
// when ctx ends or the agent closes.
func (a *Agent) WatchLinks(ctx context.Context) error {
	ctx, cancel := a.alive(ctx)
	defer cancel()
	w, err := netcfg.WatchLinks()
	if err != nil {
		return fmt.Errorf("snmp: %w", err)
	}

	up := map[uint32]bool{}
	kernel := map[uint32]bool{}
	if list, err := (NetlinkInterfaces{}).Interfaces(); err == nil {
		for i := range list {
			up[list[i].Index] = operStatus(&list[i]) == operUp
			kernel[list[i].Index] = true
		}
	}
	// IF-MIB's own interfaces (a tap's link, up only while both fibres
	// are) have no netlink announcements: their state is read again after
	// each kernel change, which is what moves it.
	virtualUp := map[uint32]bool{}
	virtual := func() []Interface {
		list, err := a.ifs.Interfaces()
		if err != nil {
			return nil
		}
		out := list[:0]
		for _, i := range list {
			if !kernel[i.Index] {
				out = append(out, i)
			}
		}
		return out
	}
	for _, i := range virtual() {
		virtualUp[i.Index] = operStatus(&i) == operUp
	}
	// Notifications go out from their own goroutine, so a slow inform
	// does not leave netlink messages unread.
	type change struct {
		index uint32
		name  string
		up    bool
	}
	queue := make(chan change, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ch := range queue {
			kind := TrapLinkDown
			if ch.up {
				kind = TrapLinkUp
			}
			if !a.sends(kind) {
				continue // snmp-server enable traps is off, or this type not chosen
			}
			if a.linkTrap != nil && !a.linkTrap(ch.name) {
				continue // no snmp trap link-status on the interface
			}
			send := a.LinkDown
			if ch.up {
				send = a.LinkUp
			}
			_ = send(ctx, ch.index) // Notify logs failures
		}
	}()
	defer func() { close(queue); <-done }()

	err = w.Run(ctx, func(l rtnetlink.LinkMessage, gone bool) {
		tell := func(i Interface, up bool) {
			select {
			case queue <- change{index: i.Index, name: i.Name, up: up}:
			default:
				a.log.Warn("snmp: link notification queue full; dropped", "ifIndex", i.Index, "up", up)
			}
		}
		i := fromLinkMessage(l)
		if gone {
			delete(kernel, i.Index)
		} else {
			kernel[i.Index] = true
			delete(virtualUp, i.Index)
		}
		if news, now := linkNews(up, i.Index, operStatus(&i) == operUp, gone); news {
			tell(i, now)
		}
		seen := map[uint32]bool{}
		for _, v := range virtual() {
			seen[v.Index] = true
			if news, now := linkNews(virtualUp, v.Index, operStatus(&v) == operUp, false); news {
				tell(v, now)
			}
		}
		for x := range virtualUp {
			if !seen[x] {
				delete(virtualUp, x) // no longer configured: no notification
			}
		}
	})
	if err != nil {
		return fmt.Errorf("snmp: %w", err)
	}
	return nil
}

// linkNews updates up, the last known state of each ifIndex, with one
// announcement, and says whether it is news for a notification: an
// interface that came up or went down (a new one that is down is not). A
// link that is gone is forgotten once its going is told: the kernel does
// not reuse an ifIndex, so an entry per link ever seen would pile up.
func linkNews(up map[uint32]bool, index uint32, now, gone bool) (news, isUp bool) {
	was, seen := up[index]
	if gone {
		delete(up, index)
	} else {
		up[index] = now
	}
	return seen && was != now || !seen && now, now
}

// CacheWatch configures WatchCache. Percentages are of cnfCICacheEntries.
type CacheWatch struct {
	Interval time.Duration // 0 means 30 s, the PFC's utilisation poll (vendor-behaviour 6)
	High     int           // notify at or above; 0 means 90
	Low      int           // re-arm below; 0 means 80
}

// WatchCache polls the main cache and sends flowtap's cache high-water
// notification (while traps are on) when it fills to High percent, once
// until it drains below Low again; the crossing is logged either way. It
// returns when ctx ends or the agent closes.
func (a *Agent) WatchCache(ctx context.Context, p NetflowProvider, w CacheWatch) error {
	ctx, cancel := a.alive(ctx)
	defer cancel()
	if w.Interval <= 0 {
		w.Interval = 30 * time.Second
	}
	if w.High <= 0 {
		w.High = 90
	}
	if w.Low <= 0 || w.Low > w.High {
		w.Low = w.High * 8 / 9
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	armed := true
	for {
		c, err := p.CacheStats()
		if err == nil && c.Entries > 0 {
			pct := int(uint64(c.Active) * 100 / uint64(c.Entries))
			switch {
			case armed && pct >= w.High:
				armed = false
				a.log.Warn("snmp: flow cache above high water", "active", c.Active, "entries", c.Entries, "percent", pct)
				if a.traps.Load() {
					_ = a.CacheHighWater(ctx, c.Active, c.Entries)
				}
			case !armed && pct < w.Low:
				armed = true
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
