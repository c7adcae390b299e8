package export

// links and list form intrusive doubly linked lists over the entry slab,
// so that expiry walks only the entries that are due and nothing is
// allocated per aggregate.
type links struct{ prev, next int32 }

type list struct{ head, tail int32 }

func newList() list { return list{head: -1, tail: -1} }

// linkSel picks which of an entry's two link pairs a list uses.
type linkSel func(e *aggEntry) *links

func touchLinks(e *aggEntry) *links { return &e.touch }
func birthLinks(e *aggEntry) *links { return &e.birth }

func (l *list) pushBack(s []aggEntry, i int32, sel linkSel) {
	n := sel(&s[i])
	n.prev, n.next = l.tail, -1
	if l.tail >= 0 {
		sel(&s[l.tail]).next = i
	} else {
		l.head = i
	}
	l.tail = i
}

func (l *list) remove(s []aggEntry, i int32, sel linkSel) {
	n := sel(&s[i])
	if n.prev >= 0 {
		sel(&s[n.prev]).next = n.next
	} else {
		l.head = n.next
	}
	if n.next >= 0 {
		sel(&s[n.next]).prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next = -1, -1
}

func (l *list) moveToBack(s []aggEntry, i int32, sel linkSel) {
	if l.tail == i {
		return
	}
	l.remove(s, i, sel)
	l.pushBack(s, i, sel)
}
