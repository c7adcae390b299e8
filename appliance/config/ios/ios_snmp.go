package ios

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

func (x *cmd) snmpServer() {
	k := x.c.OptKeyword("community", "contact", "enable", "engineID", "group", "host", "location", "user", "view")
	if x.c.Err != nil {
		return
	}
	s := &x.cfg.SNMP
	switch k {
	case "":
		if !x.neg {
			x.c.Need("community", "contact", "enable", "engineID", "group", "host", "location", "user", "view")
			return
		}
		*s = config.SNMP{} // `no snmp-server` stops the agent
	case "community":
		x.snmpCommunity()
	case "user":
		x.snmpUser()
	case "engineID":
		x.snmpEngineID()
	case "group":
		x.snmpGroup()
	case "view":
		x.snmpView()
	case "host":
		x.snmpHost()
	case "location", "contact":
		text := ""
		if x.neg {
			x.c.Skip()
		} else {
			text = x.c.Rest("LINE")
			x.touch("snmp." + k)
		}
		if k == "location" {
			s.Location = text
		} else {
			s.Contact = text
		}
	case "enable":
		x.snmpEnableTraps()
	}
}

// snmpTrapKinds are the types IOS lists under `snmp-server enable traps
// snmp`, in the order its running-config prints them.
var snmpTrapKinds = []string{"authentication", "linkdown", "linkup", "coldstart", "warmstart"}

// snmpEnableTraps is `[no] snmp-server enable traps [snmp [TYPE...] |
// config | entity | fibre]`: without a type every notification flowtap has; with types,
// those alone, as IOS sends them. IOS prints one line per notification
// type it offers; the types flowtap has no notification for are refused
// with their reason rather than taken and never sent.
func (x *cmd) snmpEnableTraps() {
	s := &x.cfg.SNMP
	x.c.Keyword("traps")
	if x.c.Err != nil {
		return
	}
	if !x.c.More() {
		s.Traps = !x.neg
		if x.neg {
			s.AuthTraps = false
			s.TrapTypes = config.TrapTypes{}
		}
		return
	}
	t := &s.TrapTypes
	if w := strings.ToLower(x.c.Words[x.c.Pos].Text); iosTrapTypes[w] {
		x.c.Refuse("flowtap has no %s notifications; it sends IOS's snmp types (authentication linkdown linkup coldstart warmstart), config (ciscoConfigManEvent), entity (entConfigChange) and fibre (flowtap's silent fibre alarms)", w)
		return
	}
	k := x.c.Keyword("snmp", "config", "entity", "fibre")
	chosen := map[string]bool{}
	for k == "snmp" && x.c.More() {
		chosen[x.c.Keyword(snmpTrapKinds...)] = true
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if s.Traps && x.neg {
		// Every notification was on: what stays on is every type but
		// the ones this line turns off.
		s.Traps = false
		s.AuthTraps = true
		*t = config.TrapTypes{LinkDown: true, LinkUp: true, ColdStart: true, WarmStart: true, Config: true, Entity: true, Fibre: true}
	}
	on := !x.neg
	switch k {
	case "config":
		t.Config = on
		return
	case "entity":
		t.Entity = on
		return
	case "fibre":
		t.Fibre = on
		return
	}
	all := len(chosen) == 0 // `snmp` alone is its five types, as on IOS
	for _, f := range []struct {
		kind string
		flag *bool
	}{{"authentication", &s.AuthTraps}, {"linkdown", &t.LinkDown}, {"linkup", &t.LinkUp}, {"coldstart", &t.ColdStart}, {"warmstart", &t.WarmStart}} {
		if all || chosen[f.kind] {
			*f.flag = on
		}
	}
}

// iosTrapTypes are the types `snmp-server enable traps` takes on IOS and
// IOS-XE routers and switches (their running-configs print them) that name
// notifications flowtap does not have: refused with that reason.
var iosTrapTypes = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`aaa_server atm auth-framework bfd bgp bridge bulkstat call-home cef
		config-copy config-ctid cpu dhcp dial dlsw dot1x eigrp energywise entity-diag entity-perf
		entity-qfp entity-state envmon errdisable ethernet event-manager firewall flash flowmon frame-relay
		fru-ctrl hsrp ike ipmulticast ipsec ipsla isdn isis l2tun license mac-notification memory mpls msdp
		mvpn nhrp ospf ospfv3 pim pki pppoe pw rf rsvp rtr sonet srp stackwise storm-control stpx syslog
		transceiver tty udld vlan-membership vlancreate vlandelete voice vrfmib vstack vtp waas`) {
		iosTrapTypes[w] = true
	}
}

func (x *cmd) snmpCommunity() {
	name := x.c.Name("WORD", config.CheckName32)
	path := "snmp.communities[" + name + "]"
	x.touch(path)
	cs := &x.cfg.SNMP.Communities
	i := slices.IndexFunc(*cs, func(c config.Community) bool { return c.Name == name })
	if x.neg {
		x.c.Skip()
		if x.c.Err == nil && i >= 0 {
			*cs = slices.Delete(*cs, i, i+1)
		}
		return
	}
	cm := config.Community{Name: name}
	if x.c.TryKeyword("view") != "" {
		cm.View = x.c.Name("WORD", config.CheckName32)
		x.touch(path + ".view")
	}
	cm.RW = x.c.TryKeyword("RO", "RW") == "RW"
	// `?` after RO or RW lists the access list before <cr>.
	x.c.Offer("<1-2699> or WORD")
	if x.c.More() {
		cm.ACL = x.aclRef()
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	put(cs, i, cm)
}

func (x *cmd) snmpUser() {
	name := x.c.Name("WORD", config.CheckName32)
	us := &x.cfg.SNMP.Users
	if x.neg {
		// `no snmp-server user NAME [GROUP [remote ADDR [udp-port P]]
		// ...]`: the remote one when named, else the local one.
		var remote netip.Addr
		var port uint16
		if x.c.More() {
			x.c.Name("WORD", nil)
			if x.c.TryKeyword("remote") != "" {
				remote, port = x.remoteAddr()
			}
		}
		x.c.Skip()
		if x.c.Err == nil {
			key := config.SNMPUser{Name: name, Remote: remote, RemotePort: port}.Key()
			x.touch("snmp.users[" + key + "]")
			*us = slices.DeleteFunc(*us, func(u config.SNMPUser) bool { return u.Key() == key })
		}
		return
	}
	u := config.SNMPUser{Name: name, Group: x.c.Name("WORD", config.CheckName32)}
	if x.c.TryKeyword("remote") != "" {
		u.Remote, u.RemotePort = x.remoteAddr()
	}
	path := "snmp.users[" + u.Key() + "]"
	x.touch(path)
	i := slices.IndexFunc(*us, func(o config.SNMPUser) bool { return o.Key() == u.Key() })
	x.touch(path + ".group")
	if v := x.c.Keyword("v1", "v2c", "v3"); v != "v3" && x.c.Err == nil {
		x.c.Invalid(x.c.Last(), "community-based access is snmp-server community")
	}
	// `encrypted` takes the keys localized to this engine, as the
	// running-config shows them; without it the secrets are passphrases,
	// which are turned into those keys here and not kept.
	encrypted := x.c.TryKeyword("encrypted") != ""
	var authPass, privPass string
	if x.c.TryKeyword("auth") != "" {
		u.Auth = authProtocols[x.c.Keyword("md5", "sha", "sha-256")]
		if encrypted {
			u.AuthKey = config.USMKey(config.NormKey(x.c.Name("KEY", config.KeyCheck(u.Auth.KeyHash().Size()))))
		} else {
			authPass = x.passphrase()
		}
		x.touch(path + ".auth-key")
		if x.c.TryKeyword("priv") != "" {
			switch x.c.Keyword("3des", "aes", "des") {
			case "3des":
				x.c.Invalid(x.c.Last(), "privacy is DES or AES-128")
			case "aes":
				if x.c.Keyword("128", "192", "256") != "128" && x.c.Err == nil {
					x.c.Invalid(x.c.Last(), "AES privacy is AES-128 only")
				}
				u.Priv = config.PrivAES128
			case "des":
				u.Priv = config.PrivDES
			}
			if encrypted {
				u.PrivKey = config.USMKey(config.NormKey(x.c.Name("KEY", config.KeyCheck(usmkey.PrivKeyLen))))
			} else {
				privPass = x.passphrase()
			}
			x.touch(path + ".priv-key")
		}
	}
	if x.c.TryKeyword("access") != "" {
		u.ACL = x.aclRef()
		x.touch(path + ".acl")
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if u.Auth != config.AuthNone && !encrypted {
		engineID := x.cfg.SNMP.EngineID
		switch {
		case u.Remote.IsValid():
			// As on IOS, the receiver's engine ID comes first.
			if engineID = x.cfg.SNMP.RemoteEngineID(u.Remote, u.RemotePort); engineID == "" {
				x.c.Refuse("configure snmp-server engineID remote %s first: the keys are localized to it", u.Remote)
				return
			}
		case engineID == "":
			engineID = newEngineID()
			x.cfg.SNMP.EngineID = engineID
			x.touch("snmp.engine-id")
		}
		id, _ := hex.DecodeString(engineID)
		ak, pk, err := usmkey.LocalizedKeys(u.Auth.KeyHash(), authPass, privPass, id)
		if err != nil {
			x.c.Refuse("%v", err)
			return
		}
		u.AuthKey, u.PrivKey = config.USMKey(hex.EncodeToString(ak)), config.USMKey(hex.EncodeToString(pk))
	}
	put(us, i, u)
}

// passphrase reads an SNMPv3 passphrase. Should the line fail, the error
// (which echoes the line, and which a startup-config's load logs) shows
// the passphrase as asterisks of its length, so the caret still points
// where it did.
func (x *cmd) passphrase() string {
	if x.c.Err != nil {
		// The line failed before the passphrase: it is somewhere in
		// the rest, which is hidden whole.
		for i := x.c.Pos; i < len(x.c.Words); i++ {
			x.masked = append(x.masked, i)
		}
		return ""
	}
	at := x.c.Pos
	p := x.c.Name("WORD", checkSNMPPass)
	end := at + 1
	if x.c.Err != nil {
		// Refused (too short): the line is read no further, so a privacy
		// passphrase after it is never taken as one; hide the rest too.
		end = len(x.c.Words)
	}
	for i := at; i < end && i < len(x.c.Words); i++ {
		x.masked = append(x.masked, i)
	}
	return p
}

// hideSecrets replaces the words passphrase read by asterisks of their
// length in the line as the session keeps it for errors (its own and the
// model's refusals later blamed on it), so that no error, echoed or
// logged, shows a passphrase, and the caret still points where it did.
func (x *cmd) hideSecrets() {
	if len(x.masked) == 0 {
		return
	}
	words := slices.Clone(x.c.Words)
	text := x.c.Text
	slices.Sort(x.masked)
	for _, i := range slices.Compact(x.masked) {
		w := words[i]
		stars := strings.Repeat("*", len(w.Text))
		text = text[:w.Col] + stars + text[w.Col+len(w.Text):]
		if e := x.c.Err; e != nil && e.Word == w.Text {
			e.Word = stars
		}
		words[i].Text = stars
	}
	x.c.Text, x.c.Words = text, words
	if e := x.c.Err; e != nil {
		e.Text = text
	}
}

var authProtocols = map[string]config.AuthProtocol{"md5": config.AuthMD5, "sha": config.AuthSHA, "sha-256": config.AuthSHA256}

func checkSNMPPass(p string) error {
	if len(p) < usmkey.MinPassphrase {
		return fmt.Errorf("passphrase shorter than %d characters", usmkey.MinPassphrase)
	}
	return config.CheckName(p, 64)
}

// newEngineID is the engine ID the agent takes when none is configured
// (format 3, a MAC address of this host, under flowtap's enterprise
// number 32473; see usmkey.HostEngineID). It is fixed in the
// configuration with the first SNMPv3 user, so that the users' localized
// keys stay valid across restarts and re-readings, and adding the user
// does not change the agent's identity.
func newEngineID() string { return hex.EncodeToString(usmkey.HostEngineID(32473)) }

// snmpEngineID is `snmp-server engineID local HEX`. The users' keys are
// localized to the engine ID, so it cannot change under them: IOS drops
// such users; flowtap refuses the change instead.
func (x *cmd) snmpEngineID() {
	if x.c.Keyword("local", "remote") == "remote" {
		x.snmpEngineIDRemote()
		return
	}
	id, ok := x.engineIDArg()
	if !ok {
		return
	}
	x.touch("snmp.engine-id")
	s := &x.cfg.SNMP
	if id != s.EngineID && slices.ContainsFunc(s.Users, func(u config.SNMPUser) bool { return u.Auth != config.AuthNone && !u.Remote.IsValid() }) {
		x.c.Refuse("the SNMPv3 users' keys are localized to engine ID %s: remove the users first", s.EngineID)
		return
	}
	s.EngineID = id
}

// engineIDArg reads an engine ID's HEX, lower-cased; none after `no`.
// ok is false when the line failed.
func (x *cmd) engineIDArg() (id string, ok bool) {
	if x.neg {
		x.c.Skip()
	} else {
		id = strings.ToLower(x.c.Name("HEX", config.CheckEngineIDHex))
		x.c.End()
	}
	return id, x.c.Err == nil
}

// remoteAddr reads `ADDR [udp-port P]` after `remote`.
func (x *cmd) remoteAddr() (netip.Addr, uint16) {
	a := x.c.Addr(false).Unmap()
	var port uint16
	if x.c.TryKeyword("udp-port") != "" {
		port = uint16(x.c.Uint(1, 65535))
	}
	if port == config.DefaultTrapPort {
		port = 0
	}
	return a, port
}

// snmpEngineIDRemote is `snmp-server engineID remote ADDR [udp-port P]
// HEX`, an inform receiver's engine ID.
func (x *cmd) snmpEngineIDRemote() {
	a, port := x.remoteAddr()
	id, ok := x.engineIDArg()
	if !ok {
		return
	}
	key := config.RemoteKey(a, port)
	x.touch("snmp.remote-engines[" + key + "]")
	s := &x.cfg.SNMP
	if id != s.RemoteEngineID(a, port) && slices.ContainsFunc(s.Users, func(u config.SNMPUser) bool {
		return u.Remote.IsValid() && config.RemoteKey(u.Remote, u.RemotePort) == key && u.Auth != config.AuthNone
	}) {
		x.c.Refuse("the keys of %s's users are localized to its engine ID: remove them first", key)
		return
	}
	s.RemoteEngines = slices.DeleteFunc(s.RemoteEngines, func(e config.RemoteEngine) bool { return e.Key() == key })
	if id != "" {
		s.RemoteEngines = append(s.RemoteEngines, config.RemoteEngine{Addr: a, Port: port, EngineID: id})
	}
}

var securityLevels = map[string]config.SecurityLevel{"noauth": config.LevelNoAuth, "auth": config.LevelAuth, "priv": config.LevelPriv}

func (x *cmd) snmpGroup() {
	name := x.c.Name("WORD", config.CheckName32)
	gs := &x.cfg.SNMP.Groups
	i := slices.IndexFunc(*gs, func(g config.SNMPGroup) bool { return g.Name == name })
	if x.neg {
		x.c.Skip()
		if x.c.Err == nil && i >= 0 {
			*gs = slices.Delete(*gs, i, i+1)
		}
		return
	}
	if v := x.c.Keyword("v1", "v2c", "v3"); v != "v3" && x.c.Err == nil {
		x.c.Invalid(x.c.Last(), "community-based access is snmp-server community")
	}
	g := config.SNMPGroup{Name: name, Level: securityLevels[x.c.Keyword("auth", "noauth", "priv")]}
	path := "snmp.groups[" + name + "]"
	if x.c.TryKeyword("read") != "" {
		g.Read = x.c.Name("WORD", config.CheckName32)
		x.touch(path + ".read")
	}
	if x.c.TryKeyword("write") != "" {
		g.Write = x.c.Name("WORD", config.CheckName32)
		x.touch(path + ".write")
	}
	if x.c.TryKeyword("access") != "" {
		g.ACL = x.aclRef()
		x.touch(path + ".acl")
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	put(gs, i, g)
}

// snmpView is `[no] snmp-server view NAME OID-TREE included|excluded`:
// one subtree of a MIB view, which communities (`view NAME`) and groups
// (`read NAME`, `write NAME`) name. `no snmp-server view NAME` removes
// the view, `no snmp-server view NAME OID-TREE` one subtree of it.
func (x *cmd) snmpView() {
	name := x.c.Name("WORD", config.CheckName32)
	vs := &x.cfg.SNMP.Views
	i := slices.IndexFunc(*vs, func(v config.SNMPView) bool { return v.Name == name })
	path := "snmp.views[" + name + "]"
	if x.neg {
		var tree string
		if x.c.More() {
			tree = x.c.Name("OID-TREE", config.CheckViewOID)
		}
		x.c.Skip()
		if x.c.Err != nil || i < 0 {
			return
		}
		x.touch(path)
		if tree == "" {
			*vs = slices.Delete(*vs, i, i+1)
			return
		}
		key := config.ViewSubtree{OID: tree}.Key()
		v := &(*vs)[i]
		v.Subtrees = slices.DeleteFunc(slices.Clone(v.Subtrees), func(t config.ViewSubtree) bool { return t.Key() == key })
		if len(v.Subtrees) == 0 {
			*vs = slices.Delete(*vs, i, i+1)
		}
		return
	}
	x.touch(path)
	t := config.ViewSubtree{OID: x.c.Name("OID-TREE", config.CheckViewOID)}
	x.touch(path + ".subtrees[" + t.Key() + "]")
	t.Excluded = x.c.Keyword("excluded", "included") == "excluded"
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if i < 0 {
		*vs = append(*vs, config.SNMPView{Name: name})
		i = len(*vs) - 1
	}
	v := &(*vs)[i]
	v.Subtrees = slices.Clone(v.Subtrees)
	put(&v.Subtrees, slices.IndexFunc(v.Subtrees, func(o config.ViewSubtree) bool { return o.Key() == t.Key() }), t)
}

func (x *cmd) snmpHost() {
	// A host name is resolved now and the line keeps the address, as
	// IOS shows it.
	h := config.TrapHost{Addr: x.c.Host(false, x.cfg.Names, x.offline, x.res)}
	h.Addr = h.Addr.Unmap()
	if x.c.TryKeyword("informs", "traps") == "informs" {
		h.Informs = true
	}
	if x.c.TryKeyword("version") != "" {
		switch x.c.Keyword("1", "2c", "3") {
		case "2c":
			h.Version = config.SNMPv2c
		case "3":
			h.Version = config.SNMPv3
			h.Level = securityLevels[x.c.Keyword("auth", "noauth", "priv")]
		}
	}
	hs := &x.cfg.SNMP.Hosts
	if x.neg {
		if x.c.More() {
			h.Name = x.c.Name("WORD", nil)
		}
		x.c.Skip()
		if x.c.Err == nil {
			*hs = slices.DeleteFunc(*hs, func(o config.TrapHost) bool { return o.Addr == h.Addr && (h.Name == "" || o.Name == h.Name) })
		}
		return
	}
	h.Name = x.c.Name("WORD", config.CheckName32)
	path := "snmp.hosts[" + h.Key() + "]"
	x.touch(path)
	if x.c.OptKeyword("udp-port") != "" {
		h.Port = uint16(x.c.Uint(1, 65535))
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if i := slices.IndexFunc(*hs, func(o config.TrapHost) bool { return o.Key() == h.Key() }); i >= 0 {
		(*hs)[i] = h
	} else {
		*hs = append(*hs, h)
	}
}

// put stores v at (*s)[i], or appends it when i < 0: a line naming an
// entry the configuration has replaces it, a new one goes last.
func put[T any](s *[]T, i int, v T) {
	if i >= 0 {
		(*s)[i] = v
	} else {
		*s = append(*s, v)
	}
}
