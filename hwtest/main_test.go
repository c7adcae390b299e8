package hwtest

import (
	"os"
	"testing"

	"github.com/flowtap/flowtap/hwtest/vm"
)

// TestMain stops the VMs that tests share once they have all run.
func TestMain(m *testing.M) {
	code := m.Run()
	vm.StopShared()
	os.Exit(code)
}
