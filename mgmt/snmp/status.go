package snmp

import (
	"errors"
	"fmt"
)

// ErrorStatus is a PDU error-status (RFC 3416 section 3).
type ErrorStatus int32

const (
	NoError             ErrorStatus = 0
	TooBig              ErrorStatus = 1
	NoSuchName          ErrorStatus = 2 // v1 only
	BadValue            ErrorStatus = 3 // v1 only
	ReadOnly            ErrorStatus = 4 // v1 only
	GenErr              ErrorStatus = 5
	NoAccess            ErrorStatus = 6
	WrongType           ErrorStatus = 7
	WrongLength         ErrorStatus = 8
	WrongEncoding       ErrorStatus = 9
	WrongValue          ErrorStatus = 10
	NoCreation          ErrorStatus = 11
	InconsistentValue   ErrorStatus = 12
	ResourceUnavailable ErrorStatus = 13
	CommitFailed        ErrorStatus = 14
	UndoFailed          ErrorStatus = 15
	AuthorizationError  ErrorStatus = 16
	NotWritable         ErrorStatus = 17
	InconsistentName    ErrorStatus = 18
)

var statusNames = [...]string{
	"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess",
	"wrongType", "wrongLength", "wrongEncoding", "wrongValue", "noCreation",
	"inconsistentValue", "resourceUnavailable", "commitFailed", "undoFailed",
	"authorizationError", "notWritable", "inconsistentName",
}

func (s ErrorStatus) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("errorStatus(%d)", int32(s))
}

// v1Status maps an SNMPv2 error-status onto the five SNMPv1 knows
// (RFC 3584 section 4.4).
func (s ErrorStatus) v1Status() ErrorStatus {
	switch s {
	case NoError, TooBig, NoSuchName, BadValue, ReadOnly, GenErr:
		return s
	case WrongValue, WrongEncoding, WrongType, WrongLength, InconsistentValue:
		return BadValue
	case NoAccess, NotWritable, NoCreation, InconsistentName, AuthorizationError:
		return NoSuchName
	}
	return GenErr // resourceUnavailable, commitFailed, undoFailed
}

// StatusError is an error a Write hook returns to choose the
// error-status of the response.
type StatusError struct {
	Status ErrorStatus
	Err    error
}

func (e *StatusError) Error() string {
	if e.Err == nil {
		return e.Status.String()
	}
	return e.Status.String() + ": " + e.Err.Error()
}

func (e *StatusError) Unwrap() error { return e.Err }

// Errorf builds a StatusError.
func Errorf(status ErrorStatus, format string, args ...any) error {
	return &StatusError{Status: status, Err: fmt.Errorf(format, args...)}
}

// statusOf is the error-status an error from a Test hook stands for;
// untyped errors mean the value cannot be taken as it is.
func statusOf(err error, fallback ErrorStatus) ErrorStatus {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return fallback
}
