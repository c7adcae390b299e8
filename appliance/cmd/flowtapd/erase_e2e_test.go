package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestWriteEraseOverOpenSSH: `write erase` asks IOS's [confirm]; n keeps
// the startup-config, Return removes the file. The running configuration
// stays, and a daemon killed and restarted after the erase comes back
// with it (the running copy derives from no startup-config now), while
// show startup-config says there is none. Before, write erase and erase
// startup-config were refused as invalid input.
func TestWriteEraseOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e-erase
username admin privilege 15 secret adminpass
`)
	startup := filepath.Join(d.dir, "startup-config")
	if got := d.cli(t, "ios", "write memory\n"); got != "Building configuration...\n[OK]\n" {
		t.Fatalf("write memory: %q", got)
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "write erase\rn"+"erase startup-config\r\r"+"show startup-config\r"+"exit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%q", err, out)
	}
	want := "e2e-erase#write erase\r\nErasing the nvram filesystem will remove all configuration files! Continue? [confirm]\r\n" +
		"e2e-erase#erase startup-config\r\nErasing the nvram filesystem will remove all configuration files! Continue? [confirm]\r\n" +
		"[OK]\r\nErase of nvram: complete\r\n" +
		"e2e-erase#show startup-config\r\n% startup-config is not present\r\n"
	if !strings.Contains(out, want) {
		t.Errorf("screen\n got %q\nwant it to hold %q", out, want)
	}
	if _, err := os.Stat(startup); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the startup-config is still there after the erase (%v)", err)
	}
	if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != "hostname e2e-erase\n" {
		t.Errorf("the running config after the erase: %q", got)
	}
	d.crash(t)
	if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != "hostname e2e-erase\n" {
		t.Errorf("the running config after the erase and a crash: %q", got)
	}
}
