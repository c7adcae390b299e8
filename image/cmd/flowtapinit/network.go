package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"time"

	"github.com/flowtap/flowtap/image/internal/rtnl"
)

// QEMU's user network: the address its DHCP server hands out and its gateway
// (the host, where exports and forwarded ports land).
var (
	qemuUserAddr = netip.MustParsePrefix("10.0.2.15/24")
	qemuUserGW   = netip.MustParseAddr("10.0.2.2")
)

// mgmtPlan is how eth0 gets its address.
type mgmtPlan struct {
	DHCP   bool
	Static netip.Prefix // when valid: this address
	GW     netip.Addr
}

// parseMgmt reads flowtap.mgmt=: dhcp, none or static:ADDR/LEN[,GW].
func parseMgmt(s string) (mgmtPlan, error) {
	switch {
	case s == "dhcp":
		return mgmtPlan{DHCP: true, Static: qemuUserAddr, GW: qemuUserGW}, nil
	case s == "none":
		return mgmtPlan{}, nil
	case strings.HasPrefix(s, "static:"):
		addr, gw, _ := strings.Cut(strings.TrimPrefix(s, "static:"), ",")
		p, err := netip.ParsePrefix(addr)
		if err != nil {
			return mgmtPlan{}, fmt.Errorf("flowtap.mgmt=%s: address %q: want ADDR/LEN", s, addr)
		}
		plan := mgmtPlan{Static: p}
		if gw != "" {
			if plan.GW, err = netip.ParseAddr(gw); err != nil {
				return mgmtPlan{}, fmt.Errorf("flowtap.mgmt=%s: gateway %q: want an address", s, gw)
			}
		}
		return plan, nil
	}
	return mgmtPlan{}, fmt.Errorf("flowtap.mgmt=%s: want dhcp, none or static:ADDR/LEN[,GW]", s)
}

// setUpLinks sets every Ethernet link up (the daemon puts the monitored
// ones in promiscuous mode and attaches to them) and addresses eth0.
func setUpLinks(ctx context.Context, log *logger, s settings) error {
	plan, err := parseMgmt(s.Mgmt)
	if err != nil {
		return err
	}
	c, err := rtnl.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	mgmt := waitLink(s.MgmtLink, 2*time.Second)
	ifs, err := net.Interfaces()
	if err != nil {
		return fmt.Errorf("list links: %w", err)
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
		return fmt.Errorf("no %s: management unreachable (links: %s)", s.MgmtLink, strings.Join(up, " "))
	}
	if plan.DHCP {
		if err := dhcp(ctx, log, s.MgmtLink); err == nil {
			return nil
		} else {
			log.Printf("network: DHCP on %s: %v; using %s via %s (QEMU user network)", s.MgmtLink, err, plan.Static, plan.GW)
		}
	}
	if !plan.Static.IsValid() {
		return nil
	}
	if err := c.AddAddr(mgmt.Index, plan.Static); err != nil {
		return err
	}
	if plan.GW.IsValid() {
		if err := c.AddDefaultRoute(mgmt.Index, plan.GW); err != nil {
			return err
		}
	}
	log.Printf("network: %s %s gateway %v", s.MgmtLink, plan.Static, plan.GW)
	return nil
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

// dhcp runs u-root's dhclient for IPv4 on one link, briefly.
func dhcp(ctx context.Context, log *logger, link string) error {
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, "dhclient", "-ipv6=false", "-timeout=3", "-retry=2", link).CombinedOutput()
	if err != nil {
		return fmt.Errorf("dhclient: %w: %s", err, strings.TrimSpace(string(out)))
	}
	ifc, err := net.InterfaceByName(link)
	if err != nil {
		return err
	}
	addrs, _ := ifc.Addrs()
	log.Printf("network: %s by DHCP in %s: %v", link, time.Since(start).Round(time.Millisecond), addrs)
	return nil
}
