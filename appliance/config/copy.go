package config

import (
	"reflect"
)

// Clone returns a deep copy: no slice is shared with c.
func (c Config) Clone() Config {
	var out Config
	deepCopy(reflect.ValueOf(&out).Elem(), reflect.ValueOf(c))
	return out
}

// deepCopy copies src into dst, duplicating slices. The model has no maps
// or pointers, so slices are the only shared memory.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Struct:
		if !hasSlices(src.Type()) {
			dst.Set(src)
			return
		}
		for i := range src.NumField() {
			deepCopy(dst.Field(i), src.Field(i))
		}
	case reflect.Slice:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	default:
		dst.Set(src)
	}
}

// hasSlices reports whether a struct type holds a slice anywhere; structs
// without are copied in one assignment. Unexported fields (in netip types)
// never hold model slices.
func hasSlices(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Slice:
			return true
		case reflect.Struct:
			if hasSlices(f.Type) {
				return true
			}
		}
	}
	return false
}

// Equal reports whether two configurations are the same. Collections
// keyed by name (interfaces, collectors, communities ...) compare as sets,
// so only an order that matters (access-list entries) makes a difference;
// a nil and an empty slice are equal.
func Equal(a, b Config) bool { return len(Diff(a, b)) == 0 }
