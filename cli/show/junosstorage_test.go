package show

import (
	"strings"
	"testing"
)

// TestSystemStorageSizes: df -h's sizes, three digits at most and one
// decimal under ten, and a name too long for its column on its own line.
func TestSystemStorageSizes(t *testing.T) {
	var b strings.Builder
	SystemStorage(&b, []Filesystem{
		{Name: "/dev/ad0s1a", MountedOn: "/", Size: 885 << 20, Used: 297 << 20, Avail: 517 << 20},
		{Name: "devfs", MountedOn: "/dev", Size: 1 << 10, Used: 1 << 10},
		{Name: "a-name-longer-than-its-column", MountedOn: "/x", Size: 1395864371, Used: 512, Avail: 999 << 10},
	})
	want := `Filesystem              Size       Used      Avail  Capacity  Mounted on
/dev/ad0s1a             885M       297M       517M       37%  /
devfs                   1.0K       1.0K         0B      100%  /dev
a-name-longer-than-its-column
                        1.3G       512B       999K        1%  /x
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
