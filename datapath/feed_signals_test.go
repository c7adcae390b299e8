package datapath

import (
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/datapath/datapathtest"
)

// TestFeedRepeatExactUnderSignals: a repeated test run counts each frame
// once even while signals rain on the process. Before FeedRepeat blocked
// signals, an interrupted run was started again whole by cilium/ebpf and
// the exact-count race tests failed now and then one packet high (this
// test: 202,768 frames counted for 200,000 fed).
func TestFeedRepeatExactUnderSignals(t *testing.T) {
	d := openTest(t, 4096)
	frame := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1000, 53, 0)
	// The feeding thread is this goroutine's, locked, so the signals can
	// be aimed at it (a signal to the process may go to any thread).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			// SIGURG: the Go runtime's own preemption signal, harmless here.
			_ = unix.Tgkill(os.Getpid(), tid, unix.SIGURG)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	const runs, repeat = 100, 1_000
	for range runs {
		if _, err := datapathtest.FeedRepeat(d.objs.FlowtapMeter, frame, 1, repeat); err != nil {
			close(stop)
			wg.Wait()
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != runs*repeat {
		t.Fatalf("%d frames counted for %d fed", st.Frames, runs*repeat)
	}
}
