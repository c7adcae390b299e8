package export

import "testing"

// SocketTTL exposes the exporter socket's TTL option to the external tests.
func SocketTTL(e *Exporter) (int, error) { return socketTTL(e.snd.conn, e.cfg.Collector.Addr()) }

func TestPacketQueueIsBounded(t *testing.T) {
	q := newPacketQueue(2, 8)
	for i := range 2 {
		if !q.put([]byte{byte(i)}, PacketInfo{Records: 1}) {
			t.Fatalf("put %d refused with a free slot", i)
		}
	}
	if q.put([]byte{9}, PacketInfo{}) {
		t.Fatal("third put accepted into a 2-slot queue")
	}
	if q.put(make([]byte, 9), PacketInfo{}) {
		t.Fatal("packet larger than a slot accepted")
	}
	i := <-q.ready
	if q.slots[i].n != 1 || q.slots[i].buf[0] != 0 {
		t.Fatalf("first slot holds % x, want 00", q.slots[i].buf[:q.slots[i].n])
	}
	q.release(i)
	if !q.put([]byte{7}, PacketInfo{}) {
		t.Fatal("put refused after a slot was released")
	}
}
