package export_test

import (
	"fmt"
	"testing"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/internal/collector"
)

// TestTsharkDecodesApplicationID: with application classes on, Wireshark
// reads each IPFIX record's applicationId (engine 6, the class's position)
// and the options table that names them, RFC 6759 style.
func TestTsharkDecodesApplicationID(t *testing.T) {
	set := appclass.Internet2()
	cfg := ipfixConfig
	cfg.AppClasses = &set
	// TCP 20000>443, UDP, ICMP, TCP 20003>446, UDP, ICMP.
	pkts := encodeAll(t, cfg, interopRecords(6), nil)
	res := collector.TsharkCflow(t, pkts, cflowPort,
		"cflow.appl_id.classification_engine_id", "cflow.appl_id.selector_id", "cflow.appl_name", "_ws.expert.message")
	names := []string{"udp", "esp", "icmp", "gre", "http", "https", "ssh", "smtp", "unidata", "ftp", "nntp",
		"flash_macromedia", "rsync", "rtsp", "squid", "imaps", "xbox", "nuttcp", "port_20000-20030",
		"port_40000-40030", "not classified"}
	// Option rows first (selectors 1..20, then 0), then the six records:
	// https is rule 6, udp 1, icmp 3, port_20000-20030 19 (https wins
	// over it for 20000>443: first match).
	sel := []string{}
	for i := 1; i <= 20; i++ {
		sel = append(sel, selector(i))
	}
	sel = append(sel, selector(0), selector(6), selector(1), selector(3), selector(19), selector(1), selector(3))
	checkTshark(t, "applicationId", res, len(sel), expect{
		"cflow.appl_id.classification_engine_id": func(int) any { return 6 },
		"cflow.appl_id.selector_id":              func(i int) any { return sel[i] },
	})
	checkTshark(t, "applicationName", res, len(names), expect{
		"cflow.appl_name": func(i int) any { return names[i] },
	})
	for _, p := range res {
		for _, m := range p["_ws.expert.message"] {
			t.Errorf("Wireshark says %q", m)
		}
	}
	// v9 and IPFIX without classes keep their templates as they were.
	for _, c := range []export.EncoderConfig{v9Config, ipfixConfig} {
		if c.AppClasses != nil {
			t.Fatal("base configs carry classes")
		}
	}
}

// selector is the 3-byte selector as Wireshark prints FT_BYTES in JSON.
func selector(n int) string { return fmt.Sprintf("%06x", n) }
