package show

import (
	"fmt"
	"io"
	"strings"
)

// SNMPAccessView is the agent's SNMPv3 users, groups and MIB views as
// configured, for `show snmp user`, `show snmp group` and `show snmp
// view`.
type SNMPAccessView struct {
	EngineID string // hex, the local engine's (the users' keys are localized to it)
	Users    []SNMPUserView
	Groups   []SNMPGroupView
	Views    []SNMPMIBView
	// RemoteEngines are the inform receivers' engine IDs (`snmp-server
	// engineID remote`), for `show snmp engineID`.
	RemoteEngines []SNMPRemoteEngineView
	// Hosts are the notification receivers (`snmp-server host`), for
	// `show snmp host`.
	Hosts []SNMPHostView
	// Communities are `snmp-server community` lines, for `show snmp
	// community`.
	Communities []SNMPCommunityView
}

// SNMPCommunityView is one community: its name and access list.
type SNMPCommunityView struct {
	Name, ACL string
}

// SNMPCommunities renders `show snmp community` [SRC: an IOS 15 router's
// transcript (a blank line, then for each community its name, index and
// security name, all the community's string on IOS 12.4 and later, and
// its storage and row status with the access list, then two blank
// lines) and pyATS Genie's parser of the same lines]. IOS's own ILMI
// community is not there: flowtap has none.
func SNMPCommunities(w io.Writer, v SNMPAccessView) {
	if len(v.Communities) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, c := range v.Communities {
		fmt.Fprintf(w, "Community name: %s\nCommunity Index: %s\nCommunity SecurityName: %s\n", c.Name, c.Name, c.Name)
		acl := ""
		if c.ACL != "" {
			acl = " access-list: " + c.ACL
		}
		fmt.Fprintf(w, "storage-type: nonvolatile        active%s\n\n\n", acl)
	}
}

// SNMPRemoteEngineView is one remote engine.
type SNMPRemoteEngineView struct {
	EngineID string // hex
	Addr     string
	Port     int
}

// SNMPHostView is one notification receiver.
type SNMPHostView struct {
	Addr    string
	Port    int
	Informs bool
	User    string // the community, or the SNMPv3 user
	Model   string // "v1", "v2c", "v3 noauth|auth|priv"
}

// SNMPUserView is one SNMPv3 user.
type SNMPUserView struct {
	Name, Group string
	Auth, Priv  string // "SHA", "MD5", "SHA-256"; "AES128", "DES"; "None"
	ACL         string // its access list; "" none
	// Remote is the inform receiver ("192.0.2.5:162") a remote user's keys
	// are localized to; "" for a local user. RemoteEngineID is that
	// receiver's engine ID.
	Remote, RemoteEngineID string
	// Refused says why every request of the user is refused (its group
	// is not configured, or asks for more than the user has); "" none.
	Refused string
}

// SNMPGroupView is one SNMPv3 group.
type SNMPGroupView struct {
	Name        string
	Level       string // "noauth", "auth", "priv"
	Read, Write string // view names; "" is IOS's default (read: v1default, write: none)
	ACL         string
}

// SNMPMIBView is one subtree line of a MIB view.
type SNMPMIBView struct {
	Name, Subtree string
	Excluded      bool
	// Permanent is a built-in view's line (v1default), which IOS lists
	// with storage type permanent rather than nonvolatile.
	Permanent bool
}

// SNMPUsers renders `show snmp user` as IOS lays it out, a block per
// user.
func SNMPUsers(w io.Writer, v SNMPAccessView) {
	for _, u := range v.Users {
		fmt.Fprintf(w, "User name: %s\n", u.Name)
		engine := v.EngineID
		if u.Remote != "" {
			engine = u.RemoteEngineID
		}
		fmt.Fprintf(w, "Engine ID: %s\n", strings.ToUpper(engine))
		fmt.Fprintf(w, "storage-type: nonvolatile\t active")
		if u.ACL != "" {
			fmt.Fprintf(w, "\tAccess-list: %s", u.ACL)
		}
		fmt.Fprintln(w)
		if u.Remote != "" {
			fmt.Fprintf(w, "Remote: %s\n", u.Remote)
		}
		fmt.Fprintf(w, "Authentication Protocol: %s\n", u.Auth)
		fmt.Fprintf(w, "Privacy Protocol: %s\n", u.Priv)
		fmt.Fprintf(w, "Group-name: %s\n", u.Group)
		if u.Refused != "" {
			fmt.Fprintf(w, "%% Every request refused: %s\n", u.Refused)
		}
		fmt.Fprintln(w)
	}
}

// SNMPGroups renders `show snmp group`. A group without a read view
// reads IOS's v1default, and IOS names it so on the readview line
// [RECALL: IOS 12.x/15.x transcripts; Cisco's snmp-server group page
// says the default read view is every object under internet, 1.3.6.1].
// v1default leaves out the USM, VACM and community MIBs [RECALL], and so
// does flowtap's agent (mgmtplane's v1defaultView). A write view left
// out writes none.
func SNMPGroups(w io.Writer, v SNMPAccessView) {
	for _, g := range v.Groups {
		read, write := g.Read, g.Write
		if read == "" {
			read = "v1default"
		}
		if write == "" {
			write = "<no writeview specified>"
		}
		fmt.Fprintf(w, "%-44s%s\n", "groupname: "+g.Name, "security model:v3 "+g.Level)
		fmt.Fprintf(w, "%-44s%s\n", "contextname: <no context specified>", "storage-type: nonvolatile")
		fmt.Fprintf(w, "%-44s%s\n", "readview : "+read, "writeview: "+write)
		fmt.Fprintln(w, "notifyview: <no notifyview specified>")
		if g.ACL != "" {
			fmt.Fprintf(w, "row status: active\taccess-list: %s\n\n", g.ACL)
		} else {
			fmt.Fprint(w, "row status: active\n\n")
		}
	}
}

// SNMPViews renders `show snmp view`: one line per subtree, the built-in
// v1default's storage type permanent, a configured view's nonvolatile
// [SRC: an IOS transcript, "v1default iso - included permanent active"].
func SNMPViews(w io.Writer, v SNMPAccessView) {
	for _, m := range v.Views {
		what, storage := "included", "nonvolatile"
		if m.Excluded {
			what = "excluded"
		}
		if m.Permanent {
			storage = "permanent"
		}
		fmt.Fprintf(w, "%s %s - %s %s active\n", m.Name, m.Subtree, what, storage)
	}
}

// SNMPEngineID renders `show snmp engineID` as IOS lays it out: the local
// engine, then each remote engine with its receiver.
func SNMPEngineID(w io.Writer, v SNMPAccessView) {
	fmt.Fprintf(w, "Local SNMP engineID: %s\n", strings.ToUpper(v.EngineID))
	fmt.Fprintln(w, "Remote Engine ID          IP-addr    Port")
	for _, e := range v.RemoteEngines {
		fmt.Fprintf(w, "%s  %s  %d\n", strings.ToUpper(e.EngineID), e.Addr, e.Port)
	}
}

// SNMPHosts renders `show snmp host`: a block per receiver.
func SNMPHosts(w io.Writer, v SNMPAccessView) {
	for _, h := range v.Hosts {
		typ := "trap"
		if h.Informs {
			typ = "inform"
		}
		fmt.Fprintf(w, "Notification host: %s\tudp-port: %d\ttype: %s\n", h.Addr, h.Port, typ)
		fmt.Fprintf(w, "user: %s\tsecurity model: %s\n\n", h.User, h.Model)
	}
}
