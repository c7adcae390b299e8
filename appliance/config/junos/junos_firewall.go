package junos

import (
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// firewall is `firewall family inet|inet6 filter NAME term T from ... |
// then ...`.
func (j *jcmd) firewall() {
	if j.deleting() {
		j.cfg.Firewall = nil
		return
	}
	j.c.Keyword("family")
	fam := j.c.Keyword("inet", "inet6")
	if j.deleting() {
		j.cfg.Firewall = slices.DeleteFunc(j.cfg.Firewall, func(f config.FirewallFilter) bool { return f.Family == fam })
		return
	}
	j.c.Keyword("filter")
	name := j.c.Name("<filter-name>", config.CheckName32)
	if j.c.Err != nil {
		return
	}
	fi := slices.IndexFunc(j.cfg.Firewall, func(f config.FirewallFilter) bool { return f.Family == fam && f.Name == name })
	if j.deleting() {
		if fi >= 0 {
			j.cfg.Firewall = slices.Delete(j.cfg.Firewall, fi, fi+1)
		}
		return
	}
	if fi < 0 {
		if j.del {
			j.c.Skip()
			return
		}
		j.cfg.Firewall = append(j.cfg.Firewall, config.FirewallFilter{Family: fam, Name: name})
		fi = len(j.cfg.Firewall) - 1
	}
	f := &j.cfg.Firewall[fi]
	path := "firewall[" + f.Key() + "]"
	j.touch(path)
	if !j.c.More() {
		j.c.Offer("term")
		return
	}
	j.c.Keyword("term")
	tname := j.c.Name("<term-name>", config.CheckName32)
	if j.c.Err != nil {
		return
	}
	ti := slices.IndexFunc(f.Terms, func(t config.FilterTerm) bool { return t.Name == tname })
	if j.deleting() {
		if ti >= 0 {
			f.Terms = slices.Delete(f.Terms, ti, ti+1)
		}
		return
	}
	if ti < 0 {
		if j.del {
			j.c.Skip()
			return
		}
		f.Terms = append(f.Terms, config.FilterTerm{Name: tname})
		ti = len(f.Terms) - 1
	}
	t := &f.Terms[ti]
	j.touch(path + ".terms[" + tname + "]")
	if !j.c.More() {
		j.c.Offer(termOptions...)
		return
	}
	if j.c.Keyword(termOptions...) == "from" {
		j.termFrom(t, fam)
	} else {
		j.termThen(t)
	}
	j.c.End()
}

func (j *jcmd) termFrom(t *config.FilterTerm, fam string) {
	k := j.c.Keyword("destination-address", "destination-port", "protocol", "source-address", "source-port", "tcp-established", "tcp-initial")
	switch k {
	case "source-address", "destination-address":
		list := &t.SourceAddresses
		if k == "destination-address" {
			list = &t.DestinationAddresses
		}
		if j.deleting() {
			*list = nil
			return
		}
		for _, v := range j.values("<prefix>", func(s string) error { _, err := parseFilterPrefix(s, fam); return err }) {
			p, _ := parseFilterPrefix(v, fam)
			editList(list, p, j.del)
		}
	case "protocol":
		if j.deleting() {
			t.Protocols = nil
			return
		}
		for _, v := range j.values("<protocol>", func(s string) error { _, err := config.ParseProtocol(s); return err }) {
			p, _ := config.ParseProtocol(v)
			editList(&t.Protocols, p, j.del)
		}
	case "source-port", "destination-port":
		list := &t.SourcePorts
		if k == "destination-port" {
			list = &t.DestinationPorts
		}
		if j.deleting() {
			*list = nil
			return
		}
		for _, v := range j.values("<port>", func(s string) error { _, err := config.ParseFilterPort(s); return err }) {
			r, _ := config.ParseFilterPort(v)
			editList(list, r, j.del)
		}
	case "tcp-established":
		t.TCPEstablished = !j.del
	case "tcp-initial":
		t.TCPInitial = !j.del
	}
}

func (j *jcmd) termThen(t *config.FilterTerm) {
	switch j.c.Keyword("accept", "count", "discard", "sample") {
	case "accept":
		t.Accept = !j.del
	case "discard":
		t.Discard = !j.del
	case "sample":
		t.Sample = !j.del
	case "count":
		if j.del {
			j.c.Skip()
			t.Count = ""
			return
		}
		t.Count = j.c.Name("<counter-name>", config.CheckName32)
	}
}

// values reads one value or a JunOS list `[ a b ... ]`, each checked;
// nothing when any is bad (the line is refused whole).
func (j *jcmd) values(desc string, check func(string) error) []string {
	var out []string
	if j.c.More() && j.c.Words[j.c.Pos].Text == "[" {
		j.c.Pos++
		for j.c.More() && j.c.Words[j.c.Pos].Text != "]" {
			out = append(out, j.c.Name(desc, check))
		}
		j.c.Keyword("]")
	} else {
		out = append(out, j.c.Name(desc, check))
	}
	if j.c.Err != nil {
		return nil
	}
	return out
}

// editList adds v (once) or, deleting, removes it; a failed parse left
// the cursor's error and changes nothing, as the caller ends the line.
func editList[T comparable](list *[]T, v T, del bool) {
	i := slices.Index(*list, v)
	switch {
	case del && i >= 0:
		*list = slices.Delete(*list, i, i+1)
	case !del && i < 0:
		*list = append(*list, v)
	}
}

// parseFilterPrefix reads a term's address: a prefix, or an address for
// its host prefix, of the filter's family.
func parseFilterPrefix(s, fam string) (netip.Prefix, error) {
	var p netip.Prefix
	var err error
	if strings.Contains(s, "/") {
		p, err = netip.ParsePrefix(s)
	} else {
		var a netip.Addr
		a, err = netip.ParseAddr(s)
		if err == nil {
			p = netip.PrefixFrom(a, a.BitLen())
		}
	}
	if err != nil {
		return netip.Prefix{}, errors.New("want an address or prefix")
	}
	if p.Addr().Is4() != (fam == "inet") {
		return netip.Prefix{}, errors.New("address of the wrong family for family " + fam)
	}
	return p.Masked(), nil
}

// firewallStatements are the filters as JunOS statements.
func firewallStatements(c config.Config, add func(leaf string, path ...string)) {
	for _, f := range c.Firewall {
		fp := []string{"firewall", "family " + f.Family, "filter " + f.Name}
		if len(f.Terms) == 0 {
			add("filter "+f.Name, "firewall", "family "+f.Family)
		}
		for _, t := range f.Terms {
			tp := append(append([]string(nil), fp...), "term "+t.Name)
			n := 0
			// Paths are cloned: add keeps them, and they share arrays here.
			leaf := func(l string, p ...string) { add(l, slices.Clone(p)...); n++ }
			from := append(append([]string(nil), tp...), "from")
			for _, p := range t.SourceAddresses {
				leaf(p.String(), append(from, "source-address")...)
			}
			for _, p := range t.DestinationAddresses {
				leaf(p.String(), append(from, "destination-address")...)
			}
			for _, p := range t.Protocols {
				leaf("protocol "+config.ProtocolName(p), from...)
			}
			for _, r := range t.SourcePorts {
				leaf("source-port "+config.FilterPortName(r), from...)
			}
			for _, r := range t.DestinationPorts {
				leaf("destination-port "+config.FilterPortName(r), from...)
			}
			if t.TCPInitial {
				leaf("tcp-initial", from...)
			}
			if t.TCPEstablished {
				leaf("tcp-established", from...)
			}
			then := append(append([]string(nil), tp...), "then")
			if t.Count != "" {
				leaf("count "+t.Count, then...)
			}
			if t.Sample {
				leaf("sample", then...)
			}
			if t.Accept {
				leaf("accept", then...)
			}
			if t.Discard {
				leaf("discard", then...)
			}
			if n == 0 {
				add("term "+t.Name, slices.Clone(fp)...)
			}
		}
	}
}
