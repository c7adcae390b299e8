package snmp

import "fmt"

// Write hooks for the common shapes of writable object. Each Commit reads
// the old value first, so that its undo can put it back through the same
// setter.

// displayStringWrite takes a DisplayString of at most maxLen octets.
// Only printable ASCII is taken: the value becomes a configuration line,
// where control characters and line breaks cannot live.
func displayStringWrite(object string, maxLen int, get func() (string, error), set, try func(string) error) *Write {
	return &Write{
		Kind: KindOctetString,
		Test: func(_ OID, v Value) error {
			if len(v.Bytes) > maxLen {
				return Errorf(WrongLength, "%s: %d octets, at most %d", object, len(v.Bytes), maxLen)
			}
			for _, c := range v.Bytes {
				if c < 0x20 || c > 0x7e {
					return Errorf(WrongValue, "%s: octet %#x is not printable ASCII", object, c)
				}
			}
			if try != nil {
				if err := try(string(v.Bytes)); err != nil {
					return Errorf(WrongValue, "%s: %v", object, err)
				}
			}
			return nil
		},
		Commit: func(_ OID, v Value) (func() error, error) {
			old, err := get()
			if err != nil {
				return nil, writeError(object, err)
			}
			if err := set(string(v.Bytes)); err != nil {
				return nil, writeError(object, err)
			}
			return func() error { return writeError(object, set(old)) }, nil
		},
	}
}

// unsignedWrite takes an Unsigned32 in lo..hi.
func unsignedWrite(object string, lo, hi uint32, get func() (uint32, error), set func(uint32) error) *Write {
	return &Write{
		Kind: KindGauge32,
		Test: func(_ OID, v Value) error {
			if v.Uint < uint64(lo) || v.Uint > uint64(hi) {
				return Errorf(WrongValue, "%s: %d not in %d..%d", object, v.Uint, lo, hi)
			}
			return nil
		},
		Commit: func(_ OID, v Value) (func() error, error) {
			old, err := get()
			if err != nil {
				return nil, writeError(object, err)
			}
			if err := set(uint32(v.Uint)); err != nil {
				return nil, writeError(object, err)
			}
			return func() error { return writeError(object, set(old)) }, nil
		},
	}
}

// enumWrite takes an INTEGER from a list of values.
func enumWrite(object string, allowed []int32, get func() (int32, error), set func(int32) error) *Write {
	return &Write{
		Kind: KindInteger,
		Test: func(_ OID, v Value) error {
			for _, a := range allowed {
				if v.Int == int64(a) {
					return nil
				}
			}
			return Errorf(WrongValue, "%s: %d not one of %v", object, v.Int, allowed)
		},
		Commit: func(_ OID, v Value) (func() error, error) {
			old, err := get()
			if err != nil {
				return nil, writeError(object, err)
			}
			if err := set(int32(v.Int)); err != nil {
				return nil, writeError(object, err)
			}
			return func() error { return writeError(object, set(old)) }, nil
		},
	}
}

func registerAll(r *Registry, scalars []Scalar, tables []Table) error {
	for _, s := range scalars {
		if err := r.RegisterScalar(s); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if err := r.RegisterTable(t); err != nil {
			return err
		}
	}
	return nil
}

func constant(v Value) func() (Value, error) { return func() (Value, error) { return v, nil } }

// writeError is for Write hooks built from Setter calls: the wrapped error
// keeps the object's name.
func writeError(object string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("set %s: %w", object, err)
}
