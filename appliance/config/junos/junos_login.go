package junos

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

var (
	loginUserOptions = []string{"authentication", "class", "full-name", "uid"}
	loginClasses     = []string{"read-only", "super-user"}
)

// loginUser is `system login user NAME [class super-user|read-only |
// authentication encrypted-password "HASH"]`: the model's users, class
// super-user privilege 15 and read-only privilege 1. flowtap verifies
// MD5-crypt ($1$, what JunOS and IOS type 5 write), type 8 ($8$,
// PBKDF2-SHA-256) and IOS type 9 ($9$, scrypt) hashes; SHA-256 and
// SHA-512 crypt ($5$, $6$) are refused with that reason rather than kept
// unverifiable.
func (j *jcmd) loginUser() {
	if j.deleting() {
		j.cfg.Users = nil
		j.cfg.Banners.Login, j.cfg.Banners.MOTD = "", ""
		return
	}
	if k := j.c.Keyword("announcement", "message", "user"); k != "user" {
		if k != "" {
			j.loginText(k)
		}
		return
	}
	name := j.c.Name("<user-name>", func(s string) error { return config.CheckName(s, 64) })
	if j.c.Err != nil {
		return
	}
	i := slices.IndexFunc(j.cfg.Users, func(u config.User) bool { return u.Name == name })
	if j.deleting() {
		if i >= 0 {
			j.cfg.Users = slices.Delete(j.cfg.Users, i, i+1)
		}
		return
	}
	if i < 0 && !j.del {
		j.cfg.Users = append(j.cfg.Users, config.User{Name: name})
		i = len(j.cfg.Users) - 1
	}
	path := "users[" + name + "]"
	j.touch(path)
	if !j.c.More() {
		j.c.Offer(loginUserOptions...)
		return
	}
	switch j.c.Keyword(loginUserOptions...) {
	case "full-name":
		text := ""
		if !j.del {
			text = j.c.Rest("<full-name>")
		} else {
			j.c.Skip()
		}
		j.c.End()
		if j.c.Err == nil && i >= 0 {
			j.cfg.Users[i].FullName = text
			j.touch(path + ".full-name")
		}
	case "uid":
		uid := 0
		if !j.del {
			// Junos: 100..64000 [RECALL]; it gives each user one from
			// 2000 up when none is configured, flowtap none.
			uid = int(j.c.Uint(100, 64000))
		} else {
			j.c.Skip()
		}
		j.c.End()
		if j.c.Err == nil && i >= 0 {
			j.cfg.Users[i].UID = uid
			j.touch(path + ".uid")
		}
	case "class":
		priv := 0
		if !j.del && j.c.Keyword(loginClasses...) == "super-user" {
			priv = 15
		}
		j.c.End()
		if j.c.Err == nil && i >= 0 {
			j.cfg.Users[i].Privilege = priv
			j.touch(path + ".privilege")
		}
	case "authentication":
		if j.deleting() {
			if i >= 0 {
				j.cfg.Users[i].Secret = config.Secret{}
			}
			return
		}
		j.c.Keyword("encrypted-password")
		var sec config.Secret
		if !j.del {
			hash := j.c.Name("<password>", nil)
			if j.c.Err != nil {
				return
			}
			if !strings.HasPrefix(hash, "$1$") && !strings.HasPrefix(hash, "$8$") && !strings.HasPrefix(hash, "$9$") {
				j.c.Refuse("user %s: flowtap verifies MD5 crypt ($1$), PBKDF2-SHA-256 ($8$) and scrypt ($9$) password hashes; %s it cannot check", name, hashKind(hash))
				return
			}
			s, err := config.ParseSecret(hash)
			if err != nil {
				j.c.Refuse("user %s: %v", name, err)
				return
			}
			sec = s
		}
		j.c.End()
		if j.c.Err == nil && i >= 0 {
			j.cfg.Users[i].Secret = sec
			j.touch(path + ".secret")
		}
	}
}

// hashKind names a crypt(3) hash flowtap does not verify.
func hashKind(h string) string {
	switch {
	case strings.HasPrefix(h, "$5$"):
		return "a SHA-256 crypt hash ($5$)"
	case strings.HasPrefix(h, "$6$"):
		return "a SHA-512 crypt hash ($6$)"
	}
	return "a hash of another kind"
}

// services is `system services ssh`: SSH logins, the model's vty lines
// taking SSH (IOS `transport input ssh`). Leaving it out of a loaded
// configuration leaves SSH as it was (flowtap's default is SSH on);
// `delete system services ssh` is `transport input none`.
func (j *jcmd) sysServices() {
	if j.deleting() {
		j.setSSH(false)
		return
	}
	j.c.Keyword("ssh")
	j.c.End()
	if j.c.Err != nil {
		return
	}
	j.setSSH(!j.del)
	j.touch("vty.transport-input")
}

// activation is `deactivate system services ssh` (SSH refused, IOS
// `transport input none`) and `activate system services ssh` (SSH
// taken again). JunOS can deactivate any statement; the model has no
// place to keep a statement that is configured but inactive, so these
// two lines are the only ones flowtap takes, and everything else after
// activate or deactivate is a syntax error. They make SSH switched off
// visible: RenderSet writes it as `set` plus `deactivate`, Render as
// `inactive: ssh;`, where a deleted statement would show nothing, like
// the default.
func (j *jcmd) activation(on bool) {
	j.c.Keyword("system")
	j.c.Keyword("services")
	j.c.Keyword("ssh")
	j.c.End()
	if j.c.Err != nil {
		return
	}
	j.setSSH(on)
	j.touch("vty.transport-input")
}

// setSSH is SSH taken (transport input ssh, or all kept) or refused
// (transport input none) on every vty line: JunOS has no lines to tell
// apart.
func (j *jcmd) setSSH(on bool) {
	v := &j.cfg.VTY
	v.Configure(0, v.Lines()-1, func(l *config.VTYLine) {
		switch {
		case !on:
			l.TransportInput = "none"
		case l.TransportInput != "all":
			l.TransportInput = "ssh"
		}
	})
}

// loginText is `system login message "TEXT"` (shown before the login:
// the model's login banner) and `system login announcement "TEXT"`
// (shown after it: the motd). JunOS writes a line break in the text as
// \n; the model keeps the text itself.
func (j *jcmd) loginText(kind string) {
	t, path := &j.cfg.Banners.Login, "banners.login"
	if kind == "announcement" {
		t, path = &j.cfg.Banners.MOTD, "banners.motd"
	}
	if j.del {
		j.c.Skip()
		*t = ""
		return
	}
	if !j.c.Need("<" + kind + ">") {
		return
	}
	raw := j.c.Text[j.c.Words[j.c.Pos].Col:]
	j.c.Pos++
	j.c.End()
	if j.c.Err != nil {
		return
	}
	*t = junosText(raw)
	j.touch(path)
}

// junosText reads a JunOS string as written (quoted or a bare word),
// its escapes \n, \", \\ undone.
func junosText(raw string) string {
	if !strings.HasPrefix(raw, `"`) {
		w, _, _ := strings.Cut(raw, " ")
		return w
	}
	var b strings.Builder
	for i := 1; i < len(raw) && raw[i] != '"'; i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			i++
			if raw[i] == 'n' {
				b.WriteByte('\n')
				continue
			}
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// junosTextQuote writes text as a JunOS string, a line break as \n.
func junosTextQuote(text string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(text) + `"`
}

// loginStatements are the users JunOS can say: class and a type 8 hash.
// Keys, nopassword and privileges other than 1 and 15 are left to
// Unmapped.
func loginStatements(c config.Config, add func(string, ...string)) {
	// Only an explicit `transport input ssh` or `none` is shown:
	// flowtap's default (SSH on, nothing said) shows nothing, so
	// configurations that never named SSH read as before. SSH refused is
	// the statement deactivated, so that it shows.
	switch c.VTY.TransportInput {
	case "ssh":
		add("ssh", "system", "services")
	case "none":
		add(inactivePrefix+"ssh", "system", "services")
	}
	if c.Banners.MOTD != "" {
		add("announcement "+junosTextQuote(c.Banners.MOTD), "system", "login")
	}
	if c.Banners.Login != "" {
		add("message "+junosTextQuote(c.Banners.Login), "system", "login")
	}
	for _, u := range c.Users {
		p := []string{"system", "login", "user " + u.Name}
		n := 0
		if u.FullName != "" {
			add("full-name "+junosQuote(u.FullName), p...)
			n++
		}
		if u.UID != 0 {
			add(fmt.Sprintf("uid %d", u.UID), p...)
			n++
		}
		switch u.Privilege {
		case 0, 1:
			add("class read-only", p...)
			n++
		case 15:
			add("class super-user", p...)
			n++
		}
		if u.Secret.IsSet() {
			// Junos quotes a hash always (`encrypted-password "$1$...";`),
			// though none holds a blank [RECALL].
			add(`encrypted-password "`+u.Secret.Hash+`"`, append(p, "authentication")...)
			n++
		}
		if n == 0 {
			add("user "+u.Name, "system", "login")
		}
	}
}
