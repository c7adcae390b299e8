package snmp

import (
	"errors"
	"fmt"
	"time"

	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

// User is an SNMPv3 USM user (`snmp-server user`). The level a user is
// configured for is also the least it must use: a user with privacy must
// encrypt. Its keys are given either as passphrases, from which the agent
// derives them, or as keys already localized to the agent's engine ID
// (AuthKey, PrivKey), which is how the configuration keeps them: such a
// user works with this engine only, so it can receive traps but not
// informs, which are authenticated with the receiver's engine ID.
type User struct {
	Name         string
	Auth         AuthProtocol
	AuthPassword string
	Priv         PrivProtocol
	PrivPassword string
	// AuthKey and PrivKey are the localized keys (RFC 3414 2.6): the
	// hash's size for AuthKey, 16 octets for PrivKey (DES and AES-128).
	AuthKey, PrivKey []byte
	// View is what the user reads; Write lets it set the objects in
	// WriteView (its group's `write` view).
	View      View
	Write     bool
	WriteView View
	// NoAccess refuses every request with authorizationError (RFC 3415
	// 3.2: no group, or no access entry for the request's level): the
	// user's group is not configured, or asks for more security than the
	// user is configured with. (A request below the user's own level is
	// refused so too, which covers a group that asks for no more.)
	NoAccess bool
	// Allow applies the user's access list (`snmp-server user ... access`
	// or its group's); nil allows any.
	Allow Access
}

func (u *User) level() secLevel {
	switch {
	case u.Priv != PrivNone:
		return authPriv
	case u.Auth != AuthNone:
		return authNoPriv
	}
	return noAuthNoPriv
}

// usmUser is a User with its password keys, which do not depend on the
// engine (nil for a user given localized keys), and the keys localized to
// the agent's engine.
type usmUser struct {
	User
	authKu, privKu   []byte
	authKey, privKey []byte
}

func newUSMUser(u User, engineID []byte) (*usmUser, error) {
	if u.Name == "" || len(u.Name) > 32 {
		return nil, fmt.Errorf("snmp: user %q: name must be 1 to 32 octets", u.Name)
	}
	if u.Priv != PrivNone && u.Auth == AuthNone {
		return nil, fmt.Errorf("snmp: user %q: privacy needs authentication", u.Name)
	}
	uu := &usmUser{User: u}
	if u.AuthKey != nil || u.PrivKey != nil {
		if u.Auth != AuthNone && len(u.AuthKey) != u.Auth.KeyHash().Size() {
			return nil, fmt.Errorf("snmp: user %q: %s key must be %d octets", u.Name, u.Auth, u.Auth.KeyHash().Size())
		}
		if u.Priv != PrivNone && len(u.PrivKey) != usmkey.PrivKeyLen {
			return nil, fmt.Errorf("snmp: user %q: privacy key must be %d octets", u.Name, usmkey.PrivKeyLen)
		}
		uu.authKey, uu.privKey = u.AuthKey, u.PrivKey
		return uu, nil
	}
	var err error
	if u.Auth != AuthNone {
		if uu.authKu, err = passwordToKey(u.Auth, u.AuthPassword); err != nil {
			return nil, fmt.Errorf("snmp: user %q: auth %w", u.Name, err)
		}
	}
	if u.Priv != PrivNone {
		if uu.privKu, err = passwordToKey(u.Auth, u.PrivPassword); err != nil {
			return nil, fmt.Errorf("snmp: user %q: privacy %w", u.Name, err)
		}
	}
	uu.authKey, uu.privKey = uu.localize(engineID)
	return uu, nil
}

// localize derives the keys for one authoritative engine. The privacy key
// is the first 16 octets of the privacy password's localized key, hashed
// with the authentication protocol's hash (RFC 3414 8.1.1.1 for DES, RFC
// 3826 section 1.2 for AES).
func (u *usmUser) localize(engineID []byte) (authKey, privKey []byte) {
	if u.authKu != nil {
		authKey = localizeKey(u.Auth, u.authKu, engineID)
	}
	if u.privKu != nil {
		privKey = localizeKey(u.Auth, u.privKu, engineID)[:usmkey.PrivKeyLen]
	}
	return authKey, privKey
}

// engine is this SNMP engine's identity and clock (RFC 3414 section 2.2).
type engine struct {
	id    []byte
	boots int32
	start time.Time
	now   func() time.Time
	// up, when set, is the time since start by a clock that the wall
	// clock's steps do not move; tests set it to step their wall clock.
	// Otherwise it is now() - start, which time.Now's monotonic reading
	// keeps clear of steps.
	up func() time.Duration
}

// uptime is the time since the engine started, at now.
func (e *engine) uptime(now time.Time) time.Duration {
	if e.up != nil {
		return e.up()
	}
	return now.Sub(e.start)
}

// maxEngineBoots latches the engine: no message is timely any more
// (RFC 3414 section 2.2.2).
const maxEngineBoots = 2147483647

// timeWindow is RFC 3414's 150 seconds.
const timeWindow = 150

func (e *engine) time() int32 {
	s := e.now().Sub(e.start) / time.Second
	if s > maxEngineBoots {
		return maxEngineBoots
	}
	return int32(s)
}

// timely applies RFC 3414 3.2 step 7a for the authoritative engine.
func (e *engine) timely(boots, engineTime int32) bool {
	if e.boots >= maxEngineBoots || boots != e.boots {
		return false
	}
	d := int64(engineTime) - int64(e.time())
	return d <= timeWindow && d >= -timeWindow
}

// DefaultEngineID is the engine ID of an agent given none: see
// usmkey.HostEngineID. The configuration takes the same one with its
// first SNMPv3 user, so adding one does not change the agent's identity.
func DefaultEngineID() []byte { return usmkey.DefaultEngineID() }

func checkEngineID(id []byte) error {
	if len(id) < 5 || len(id) > 32 {
		return errors.New("snmp: engine ID must be 5 to 32 octets (RFC 3411 SnmpEngineID)")
	}
	return nil
}
