package platform

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Validate checks a requested setting against the persona and returns it
// as the platform applies it: zero fields take their defaults and values
// are rounded as the platform rounds them. A refusal is an *Error worded
// for the persona's CLI.
func (p *Persona) Validate(s Setting) (Setting, error) {
	s = p.Resolve(s)
	var err error
	if err = p.validateCache(s.CacheEntries); err != nil {
		return Setting{}, err
	}
	if !p.supportsMask(s.Mask) {
		return Setting{}, p.refuse(p.maskCommand(s.Mask),
			fmt.Sprintf("flow mask %v is not supported on %s (supported: %s)", s.Mask, p.Name, list(p.Masks)))
	}
	if !p.supportsExport(s.Export) {
		v := s.Export.String()
		return Setting{}, &Error{Dialect: p.Dialect, Command: p.ExportCommand + " " + v, Value: v,
			Expected: "one of " + list(p.Export)}
	}
	if s.Inactive, err = p.Aging.Inactive.checkDuration(p.Dialect, s.Inactive); err != nil {
		return Setting{}, err
	}
	if s.Active, err = p.validateActive(s.Active); err != nil {
		return Setting{}, err
	}
	if s.FastTime, s.FastThreshold, err = p.validateFast(s.FastTime, s.FastThreshold); err != nil {
		return Setting{}, err
	}
	if err = p.validateSampling(&s.Sampling, s.Mask); err != nil {
		return Setting{}, err
	}
	return s, nil
}

func (p *Persona) validateCache(n int) error {
	l := p.Table.Entries
	if l.Configurable() {
		_, err := l.check(p.Dialect, int64(n))
		return err
	}
	if int64(n) != l.Default {
		return p.refuse(fmt.Sprintf("flow table size %d", n),
			fmt.Sprintf("the %s flow table is fixed at %d entries", p.Name, l.Default))
	}
	return nil
}

func (p *Persona) validateActive(d time.Duration) (time.Duration, error) {
	l := p.Aging.Active
	if l.Configurable() {
		return l.checkDuration(p.Dialect, d)
	}
	if d != 0 {
		return 0, p.refuse(fmt.Sprintf("active timeout %v", d),
			fmt.Sprintf("active (long) aging is not supported on %s", p.Name))
	}
	return 0, nil
}

func (p *Persona) validateFast(t time.Duration, threshold uint64) (time.Duration, uint64, error) {
	if t == 0 {
		return 0, 0, nil
	}
	if !p.Aging.FastTime.Configurable() {
		return 0, 0, p.refuse(fmt.Sprintf("fast aging time %v", t), fmt.Sprintf("fast aging is not supported on %s", p.Name))
	}
	t, err := p.Aging.FastTime.checkDuration(p.Dialect, t)
	if err != nil {
		return 0, 0, err
	}
	n, err := p.Aging.FastThreshold.check(p.Dialect, int64(threshold))
	return t, uint64(n), err
}

func (p *Persona) validateSampling(s *Sampling, mask Mask) error {
	if s.Mode == SamplingOff {
		return nil
	}
	spec := p.samplingSpec(s.Mode)
	if spec == nil {
		return p.refuse(fmt.Sprintf("sampling %v", s.Mode),
			fmt.Sprintf("%v sampling is not supported on %s (supported: %s)", s.Mode, p.Name, p.samplingModes()))
	}
	if s.Rate == 0 && p.Dialect == DialectJunOS {
		// `input { max-packets-per-second 100; }` without a rate: no one
		// typed the 0 a range error would name.
		return p.refuse(spec.Rate.Command, "Missing mandatory statement: 'rate'")
	}
	rate, err := spec.Rate.check(p.Dialect, int64(s.Rate))
	if err != nil {
		return err
	}
	s.Rate = uint32(rate)
	if spec.Interval.Configurable() && s.Interval != 0 {
		l := spec.Interval
		l.Command = fmt.Sprintf("%s %d", spec.Rate.Command, s.Rate)
		if s.Interval, err = l.checkDuration(p.Dialect, s.Interval); err != nil {
			return err
		}
	}
	if spec.RunLength.Configurable() {
		n, err := spec.RunLength.check(p.Dialect, int64(s.RunLength))
		if err != nil {
			return err
		}
		s.RunLength = uint32(n)
	}
	if spec.MaxPPS.Configurable() {
		n, err := spec.MaxPPS.check(p.Dialect, int64(s.MaxPacketsPerSecond))
		if err != nil {
			return err
		}
		s.MaxPacketsPerSecond = uint32(n)
	}
	if spec.Masks != nil && !slices.Contains(spec.Masks, mask) {
		return p.refuse(fmt.Sprintf("%s %d", spec.Rate.Command, s.Rate),
			fmt.Sprintf("sampled NetFlow requires the %s flow mask, not %v", orList(spec.Masks), mask))
	}
	return nil
}

// refuse builds a whole-command refusal.
func (p *Persona) refuse(command, reason string) *Error {
	return &Error{Dialect: p.Dialect, Command: command, Reason: reason}
}

func (p *Persona) maskCommand(m Mask) string {
	if p.MaskCommand == "" {
		return "flow mask " + m.String()
	}
	return p.MaskCommand + " " + m.String()
}

func (p *Persona) samplingModes() string {
	var s []string
	for _, spec := range p.Sampling {
		s = append(s, spec.Mode.String())
	}
	return strings.Join(s, ", ")
}

func list[T fmt.Stringer](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}

func orList(ms []Mask) string {
	s := list(ms)
	if i := strings.LastIndex(s, ", "); i >= 0 {
		s = s[:i] + " or " + s[i+2:]
	}
	return s
}
