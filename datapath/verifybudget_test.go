package datapath

import (
	"reflect"
	"testing"

	"github.com/cilium/ebpf"
)

// verifyBudget is the most instructions the kernel's verifier may walk
// for the daemon's programs together. Each daemon start, and each
// resize, verifies them again, and the image verifies under QEMU's TCG
// (no KVM), many times slower than the host: a flush that walked 785K
// instructions (2.5 s here; 1.07M for the three programs) kept flowtapd
// from coming up within 15 s of its start in the image and failed the
// boot test, where 463K (the flush 181K; now 432K, the flush 88K and
// its per-record program 62K) boot it in under 9 s. A count
// rather than a time, so that it fails the same on a quiet and a loaded
// machine; the room over today's programs is for the table to grow.
const verifyBudget = 600_000

func TestProgramsVerifyWithinBudget(t *testing.T) {
	d := openTest(t, 4096)
	var total uint32
	// Every program of the daemon's object, read off the generated
	// struct, so that a program added later is counted too.
	progs := reflect.ValueOf(d.objs.meterPrograms)
	for i := range progs.NumField() {
		name := progs.Type().Field(i).Tag.Get("ebpf")
		p, ok := progs.Field(i).Interface().(*ebpf.Program)
		if !ok || p == nil {
			t.Fatalf("program %s not loaded", name)
		}
		info, err := p.Info()
		if err != nil {
			t.Fatalf("%s: program info: %v", name, err)
		}
		n, ok := info.VerifiedInstructions()
		if !ok {
			t.Skipf("this kernel does not report verified instructions (%s)", name)
		}
		t.Logf("%s: verifier walked %d instructions", name, n)
		total += n
	}
	if total > verifyBudget {
		t.Errorf("the verifier walked %d instructions for the daemon's programs, over the %d budget: the image, verifying under TCG, would start flowtapd late", total, verifyBudget)
	}
}

// TestFlushVerifiesWithinItsShare: the verifier walks flowtap_flush in at
// most 60K instructions. The flush reads the count of records again
// before each pass: read once, the first pass's exits (at record i, the
// count is i) left it known to the verifier, which walked every later pass
// once for each count, 17 times: 98.7K instructions in session 17, and
// 153K with the choice's lookup moved ahead of its hash (datapath/README.md,
// session 18). The room is the budget's (TestProgramsVerifyWithinBudget).
func TestFlushVerifiesWithinItsShare(t *testing.T) {
	d := openTest(t, 4096)
	info, err := d.objs.FlowtapFlush.Info()
	if err != nil {
		t.Fatalf("flowtap_flush: program info: %v", err)
	}
	n, ok := info.VerifiedInstructions()
	if !ok {
		t.Skip("this kernel does not report verified instructions")
	}
	t.Logf("flowtap_flush: verifier walked %d instructions", n)
	if n > 60_000 {
		t.Errorf("the verifier walked %d instructions for flowtap_flush, want at most 60000", n)
	}
}
