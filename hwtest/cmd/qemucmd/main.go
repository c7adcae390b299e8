// Command qemucmd prints the QEMU command line that boots the appliance
// image (one argument per line, for a shell's mapfile), the same one the
// hwtest tests use. make qemu runs it.
//
//	qemucmd -out out -eth1 out/eth1.sock -eth2 out/eth2.sock -ssh 2222 -snmp 1161 -interactive
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/flowtap/flowtap/hwtest/vm"
	"github.com/flowtap/flowtap/image/build"
)

func main() {
	out := flag.String("out", "out", "image directory (vmlinuz, initramfs.cpio.gz)")
	c := vm.Config{}
	flag.StringVar(&c.Eth1Socket, "eth1", "", "unix socket for eth1's host end (QEMU listens)")
	flag.StringVar(&c.Eth2Socket, "eth2", "", "unix socket for eth2's host end (QEMU listens)")
	flag.StringVar(&c.Disk, "disk", "", "raw disk image for /dev/vda (persistent startup-config)")
	flag.IntVar(&c.SSHPort, "ssh", 2222, "host port forwarded to the guest's SSH (22/tcp); 0 for none")
	flag.IntVar(&c.SNMPPort, "snmp", 1161, "host port forwarded to the guest's SNMP (161/udp); 0 for none")
	flag.IntVar(&c.MemoryMiB, "m", 1024, "guest memory, MiB")
	flag.BoolVar(&c.Reboot, "reboot", false, "a guest reboot (reload) restarts the VM instead of ending QEMU")
	flag.BoolVar(&c.Interactive, "interactive", false, "console and monitor on the terminal (-nographic)")
	flag.BoolVar(&c.Verbose, "verbose", false, "kernel messages on the console")
	flag.StringVar(&c.Mgmt, "mgmt", vm.DefaultMgmt, "eth0 addressing (flowtap.mgmt=)")
	flag.Parse()
	if err := run(*out, c); err != nil {
		log.Fatalf("qemucmd: %v", err)
	}
}

func run(out string, c vm.Config) error {
	c.Kernel = filepath.Join(out, build.KernelFile)
	c.Initramfs = filepath.Join(out, build.InitramfsFile)
	for _, f := range []string{c.Kernel, c.Initramfs} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("no image: %w (make image)", err)
		}
	}
	for _, a := range c.Args() {
		fmt.Println(a)
	}
	return nil
}
