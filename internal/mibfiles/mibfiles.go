// Package mibfiles runs net-snmp's tools with the MIB modules kept in
// testdata/mibs (Cisco's own CISCO-NETFLOW-MIB, the RFCs' IPFIX-MIB,
// IPFIX-SELECTOR-MIB and PSAMP-MIB, and their imports; see
// testdata/mibs/SOURCES.md), so that tests read the agent the way an NMS
// loaded with those files does: by name, with each object's syntax
// checked ("Wrong Type").
package mibfiles

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testproc"
)

// NetSNMPDir holds the MIBs Debian's snmp package installs, among them
// UCD-SNMP-MIB.
const NetSNMPDir = "/usr/share/snmp/mibs"

// Dir is testdata/mibs.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "mibs")
}

// knownWarnings are what net-snmp says about the files themselves:
// Q-BRIDGE-MIB (for VlanIndex) imports TimeFilter from RMON2-MIB, which
// needs TOKEN-RING-RMON-MIB, which cisco-mibs does not carry. Nothing in
// CISCO-NETFLOW-MIB uses TimeFilter.
var knownWarnings = []string{
	"Cannot find module (RMON2-MIB)",
	"Did not find 'TimeFilter' in module",
	// Not about the files: snmptranslate -Tp names its path, and every
	// tool makes its state directory on first use.
	"MIB search path: ",
	"Created directory: ",
}

// FlowtapDir is the top-level mibs directory: flowtap's own FLOWTAP-MIB,
// the file operators load into their NMS.
func FlowtapDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "mibs")
}

// Run runs a net-snmp tool with only the module (a colon-separated list)
// loaded, and what it imports, from FlowtapDir, testdata/mibs and NetSNMPDir. Warnings about
// the MIB files other than the known ones fail the test.
func Run(t *testing.T, module, tool string, args ...string) (stdout string, err error) {
	t.Helper()
	path, lerr := exec.LookPath(tool)
	if lerr != nil {
		t.Fatalf("%s not found: install the Debian package snmp", tool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-M", FlowtapDir() + ":" + Dir() + ":" + NetSNMPDir, "-m", module}, args...)...)
	cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=", "SNMPCONFPATH=/nonexistent", "SNMP_PERSISTENT_DIR="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = testproc.Run(cmd)
	t.Logf("$ %s %s\n%s%s", tool, strings.Join(args, " "), tail(out.String(), 4000), errb.String())
	for _, l := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
		if l == "" || known(l) {
			continue
		}
		if err == nil {
			t.Errorf("%s: unexpected message: %s", tool, l)
		}
	}
	return out.String(), err
}

func known(l string) bool {
	for _, k := range knownWarnings {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

// accessRE matches a leaf of `snmptranslate -Tp`: "+-- -RW- EnumVal
// cnfCINetflowEnable(1)"; "----" is not-accessible, "-R--", "-RW-",
// "CR--" and "-RC-" can be read.
var accessRE = regexp.MustCompile(`\+-- (-R--|-RW-|CR--|-RC-|CRW-) +\S+ +(\w+)\(\d+\)`)

// Accessible lists the objects under root (a name or OID) that a manager
// can read, as the module's file defines them.
func Accessible(t *testing.T, module, root string) []string {
	t.Helper()
	out, err := Run(t, module, "snmptranslate", "-Tp", root)
	if err != nil {
		t.Fatalf("snmptranslate -Tp %s: %v", root, err)
	}
	var names []string
	for _, m := range accessRE.FindAllStringSubmatch(out, -1) {
		names = append(names, m[2])
	}
	if len(names) == 0 {
		t.Fatalf("snmptranslate -Tp %s lists no accessible object", root)
	}
	return names
}

// IPFIXModules are the modules an IPFIX-MIB walk loads: IPFIX-MIB and the
// selector functions of IPFIX-SELECTOR-MIB and PSAMP-MIB.
const IPFIXModules = "IPFIX-MIB:IPFIX-SELECTOR-MIB:PSAMP-MIB"

// PSAMPUnavailable are PSAMP-MIB's accessible objects that never have an
// instance on flowtap: the parameters of the selector functions it does
// not have (time-based and uniform-probability sampling, hash filtering),
// whose ...Avail objects read false.
var PSAMPUnavailable = []string{"psampSampTimeBasedInterval", "psampSampTimeBasedSpace", "psampSampUniProbProbability",
	"psampFiltHashFunction", "psampFiltHashInitializerValue", "psampFiltHashIpPayloadOffset", "psampFiltHashIpPayloadSize",
	"psampFiltHashSelectedRangeMin", "psampFiltHashSelectedRangeMax", "psampFiltHashOutputRangeMin", "psampFiltHashOutputRangeMax"}
