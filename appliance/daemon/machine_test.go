package daemon

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadDMI: show version's model line is the vendor and product as
// the firmware names them (once, when the product already starts with
// the vendor), and a placeholder such as "To Be Filled By O.E.M." is no
// serial number.
func TestReadDMI(t *testing.T) {
	for _, c := range []struct {
		name                  string
		files                 map[string]string
		wantModel, wantSerial string
	}{
		{"qemu", map[string]string{"sys_vendor": "QEMU\n", "product_name": "Standard PC (i440FX + PIIX, 1996)\n", "product_serial": "\n"},
			"QEMU Standard PC (i440FX + PIIX, 1996)", ""},
		{"server", map[string]string{"sys_vendor": "Dell Inc.\n", "product_name": "PowerEdge R650\n", "product_serial": "7XK2LM3\n"},
			"Dell Inc. PowerEdge R650", "7XK2LM3"},
		{"vendor in product", map[string]string{"sys_vendor": "Supermicro\n", "product_name": "Supermicro SYS-1029U\n", "product_serial": "To Be Filled By O.E.M.\n"},
			"Supermicro SYS-1029U", ""},
		{"no dmi", nil, "", ""},
	} {
		dir := t.TempDir()
		for n, v := range c.files {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if model, serial := readDMI(dir); model != c.wantModel || serial != c.wantSerial {
			t.Errorf("%s: model %q, serial %q; want %q, %q", c.name, model, serial, c.wantModel, c.wantSerial)
		}
	}
}
