package build

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// steps prints each build step when it starts, every few seconds while it
// runs, and when it ends with the time it took: the kernel download and
// the u-root build each take a minute or more, and a silent build looks
// hung.
type steps struct {
	log   io.Writer
	now   func() time.Time
	every time.Duration // the "still running" interval; 0: none
	start time.Time
}

func newSteps(log io.Writer) *steps {
	return &steps{log: log, now: time.Now, every: 15 * time.Second, start: time.Now()}
}

// run runs one step named name.
func (s *steps) run(name string, f func() error) error {
	t0 := s.now()
	var mu sync.Mutex // the log is shared with the step's tools
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(s.log, "mkimage: [%7s] %s: "+format+"\n", append([]any{s.since(s.start), name}, args...)...)
	}
	say("started")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if s.every > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(s.every)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					say("still running after %s", s.since(t0))
				}
			}
		}()
	}
	err := f()
	close(stop)
	wg.Wait()
	if err != nil {
		say("failed after %s", s.since(t0))
		return err
	}
	say("done in %s", s.since(t0))
	return nil
}

func (s *steps) since(t time.Time) string {
	return fmt.Sprintf("%.1fs", s.now().Sub(t).Seconds())
}
