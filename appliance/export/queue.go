package export

// packetQueue hands finished packets from the encoding goroutine to the
// sender: a fixed set of preallocated slots, so the queue costs at most
// len(slots) packets of memory whatever the collector does. The exporter
// waits for a slot while the collector is reachable (backpressure) and
// drops only while it is not.
type packetQueue struct {
	slots []queueSlot
	free  chan int32
	ready chan int32
}

type queueSlot struct {
	buf  []byte
	n    int
	info PacketInfo
}

func newPacketQueue(slots, size int) *packetQueue {
	q := &packetQueue{
		slots: make([]queueSlot, slots),
		free:  make(chan int32, slots),
		ready: make(chan int32, slots),
	}
	for i := range q.slots {
		q.slots[i].buf = make([]byte, size)
		q.free <- int32(i)
	}
	return q
}

// put copies p into a free slot and queues it; false means the queue is
// full (or p is larger than a slot) and p was dropped.
func (q *packetQueue) put(p []byte, info PacketInfo) bool {
	if len(p) > len(q.slots[0].buf) {
		return false
	}
	select {
	case i := <-q.free:
		s := &q.slots[i]
		s.n = copy(s.buf, p)
		s.info = info
		q.ready <- i // never blocks: ready holds every slot
		return true
	default:
		return false
	}
}

// putWait is put that waits for a free slot until stop closes; false
// means stop closed (or p is larger than a slot) and p was not queued.
func (q *packetQueue) putWait(p []byte, info PacketInfo, stop <-chan struct{}) bool {
	if len(p) > len(q.slots[0].buf) {
		return false
	}
	var i int32
	select {
	case i = <-q.free:
	case <-stop:
		return false
	}
	s := &q.slots[i]
	s.n = copy(s.buf, p)
	s.info = info
	q.ready <- i
	return true
}

// release returns a sent slot to the free list.
func (q *packetQueue) release(i int32) { q.free <- i }

// close ends the sender's range over ready once it has drained it. No put
// may follow.
func (q *packetQueue) close() { close(q.ready) }
