package ios

import (
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// bannerKinds are the banners flowtap keeps, in the order IOS's
// running-config lists them.
var bannerKinds = []string{"exec", "incoming", "login", "motd"}

// bannerText is the model's text of banner kind.
func bannerText(b *config.Banners, kind string) *string {
	switch kind {
	case "exec":
		return &b.Exec
	case "incoming":
		return &b.Incoming
	case "login":
		return &b.Login
	}
	return &b.MOTD
}

// openBanner is a banner whose text goes on over the next lines, up to
// the line that holds its delimiter. kind "" is a refused banner: its
// text is skipped, not taken for commands.
type openBanner struct {
	kind, delim string
	before      string // the banner's text before the line opened it
}

// banner is `banner [motd|login|exec|incoming] C text C`: C is any
// character (a running-config prints the ETX IOS uses as ^C, which
// reads back as the two-character delimiter "^C"); a type left out is
// motd, as on IOS. The text runs to the next C, on this line or a
// later one, and is kept verbatim.
func (x *cmd) banner() {
	kind := x.c.TryKeyword("motd", "login", "exec", "incoming")
	if x.c.Err != nil {
		return
	}
	if x.neg {
		if kind == "" {
			kind = x.c.Keyword("motd", "login", "exec", "incoming")
		}
		x.c.Skip() // `no banner motd ^C...` as the line was shown
		if x.c.Err == nil {
			*bannerText(&x.cfg.Banners, kind) = ""
		}
		return
	}
	if kind == "" {
		kind = "motd"
	}
	if !x.c.More() {
		x.c.Need("LINE")
		return
	}
	rest := x.c.Text[x.c.Words[x.c.Pos].Col:]
	x.c.Skip()
	delim := bannerDelim(rest)
	body := rest[len(delim):]
	if i := strings.Index(body, delim); i >= 0 {
		if strings.Contains(body[:i], "^C") {
			x.c.Refuse("%s", errBannerETX)
			return
		}
		*bannerText(&x.cfg.Banners, kind) = body[:i]
		return
	}
	if strings.Contains(body, "^C") {
		x.c.Refuse("%s", errBannerETX)
		return
	}
	t := bannerText(&x.cfg.Banners, kind)
	x.banner0 = &openBanner{kind: kind, delim: delim, before: *t}
	*t = body + "\n"
	x.notes = append(x.notes, fmt.Sprintf("Enter TEXT message.  End with the character '%s'.", delim))
}

// InBannerText reports whether the next line is a banner's text (the
// CLI prompts for it with nothing, and takes blank lines as text).
func (s *Session) InBannerText() bool { return s.banner != nil }

// errBannerETX: show running-config delimits every banner with ^C, so
// a text holding ^C would not read back as typed.
const errBannerETX = "a banner's text cannot hold ^C: show running-config delimits banners with it"

// bannerLine takes one line of an open banner's text: up to the
// delimiter, which closes it (IOS ignores what follows it on the line).
// A line that holds ^C is refused, the banner put back as it was and
// the rest of its text skipped.
func (s *Session) bannerLine(text string) *config.LineError {
	b := s.banner
	end := strings.Index(text, b.delim)
	if end >= 0 {
		s.banner = nil
		text = text[:end]
	} else {
		text += "\n"
	}
	if b.kind == "" {
		return nil
	}
	if strings.Contains(text, "^C") {
		// Refused: the banner goes back to what it was and the rest of
		// its text is skipped.
		*bannerText(&s.cfg.Banners, b.kind) = b.before
		b.kind = ""
		return &config.LineError{File: s.file, Line: s.line, Text: text, Kind: config.ErrRefused, Reason: errBannerETX}
	}
	*bannerText(&s.cfg.Banners, b.kind) += text
	return nil
}

// renderBanners writes the banners as IOS's running-config does: the
// text between ^C delimiters, over as many lines as it has.
func renderBanners(r *iosWriter, b config.Banners) {
	for _, k := range bannerKinds {
		if t := *bannerText(&b, k); t != "" {
			r.line("banner %s ^C%s^C", k, t)
		}
	}
}
