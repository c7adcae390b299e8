package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/flowtap/flowtap/image/internal/rtnl"
	"github.com/flowtap/flowtap/mgmt/dhcplease"
)

// mgmtPlan is how eth0 gets its address.
type mgmtPlan struct {
	DHCP   bool
	Static netip.Prefix // when valid: this address (with DHCP: while no lease is held)
	GW     netip.Addr
}

// parseMgmt reads flowtap.mgmt=: dhcp, dhcp:ADDR/LEN[,GW], none or
// static:ADDR/LEN[,GW].
//
// Plain dhcp has no fallback address: one taken when no server answered
// (QEMU's 10.0.2.15, as before) would be kept on a real LAN where it may
// belong to another host. An operator who wants one names it
// (dhcp:10.0.2.15/24,10.0.2.2), and it is held only while no lease is.
func parseMgmt(s string) (mgmtPlan, error) {
	switch {
	case s == "dhcp":
		return mgmtPlan{DHCP: true}, nil
	case s == "none":
		return mgmtPlan{}, nil
	case strings.HasPrefix(s, "static:"), strings.HasPrefix(s, "dhcp:"):
		kind, rest, _ := strings.Cut(s, ":")
		addr, gw, _ := strings.Cut(rest, ",")
		p, err := netip.ParsePrefix(addr)
		if err != nil {
			return mgmtPlan{}, fmt.Errorf("flowtap.mgmt=%s: address %q: want ADDR/LEN", s, addr)
		}
		plan := mgmtPlan{DHCP: kind == "dhcp", Static: p}
		if gw != "" {
			if plan.GW, err = netip.ParseAddr(gw); err != nil {
				return mgmtPlan{}, fmt.Errorf("flowtap.mgmt=%s: gateway %q: want an address", s, gw)
			}
		}
		if plan.DHCP && !p.Addr().Is4() {
			return mgmtPlan{}, fmt.Errorf("flowtap.mgmt=%s: a DHCPv4 fallback address is IPv4", s)
		}
		return plan, nil
	}
	return mgmtPlan{}, fmt.Errorf("flowtap.mgmt=%s: want dhcp, dhcp:ADDR/LEN[,GW], none or static:ADDR/LEN[,GW]", s)
}

// dhcpBootWait is how long the boot waits for a first lease before it
// goes on (the daemon starts; DHCP carries on in the background).
const dhcpBootWait = 8 * time.Second

// setUpLinks sets every Ethernet link up (the daemon puts the monitored
// ones in promiscuous mode and attaches to them) and addresses eth0.
//
// With DHCP it returns the client, whose lease release gives back at an
// orderly stop.
func setUpLinks(ctx context.Context, log *logger, s settings) (*mgmtDHCP, error) {
	plan, err := parseMgmt(s.Mgmt)
	if err != nil {
		return nil, err
	}
	c, err := rtnl.Dial()
	if err != nil {
		return nil, err
	}
	mgmt := waitLink(s.MgmtLink, 2*time.Second)
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	var up []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 && ifc.Flags&net.FlagUp != 0 {
			continue
		}
		if err := c.SetUp(ifc.Index); err != nil {
			log.Printf("network: %v", err)
			continue
		}
		up = append(up, ifc.Name)
	}
	log.Printf("network: links up: %s", strings.Join(up, " "))
	if mgmt == nil {
		c.Close()
		return nil, fmt.Errorf("no %s: management unreachable (links: %s)", s.MgmtLink, strings.Join(up, " "))
	}
	if plan.DHCP {
		// The client keeps the rtnetlink socket for the appliance's life.
		m := &mgmtDHCP{log: log, rt: c, link: s.MgmtLink, index: mgmt.Index, pace: defaultPace,
			fallback: plan.Static, fallbackGW: plan.GW}
		if s.RunDir != "" {
			m.leaseFile = dhcplease.Path(s.RunDir, s.MgmtLink)
		}
		wait := s.DHCPBootWait
		if wait <= 0 {
			wait = dhcpBootWait
		}
		m.boot(ctx, wait)
		return m, nil
	}
	defer c.Close()
	if !plan.Static.IsValid() {
		return nil, nil
	}
	if err := c.AddAddr(mgmt.Index, plan.Static); err != nil {
		return nil, err
	}
	if plan.GW.IsValid() {
		if err := c.AddDefaultRoute(mgmt.Index, plan.GW); err != nil {
			return nil, err
		}
	}
	log.Printf("network: %s %s gateway %v", s.MgmtLink, plan.Static, plan.GW)
	return nil, nil
}

// waitLink waits for a link to appear (a driver may still be probing).
func waitLink(name string, d time.Duration) *net.Interface {
	deadline := time.Now().Add(d)
	for {
		ifc, err := net.InterfaceByName(name)
		if err == nil {
			return ifc
		}
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}
