package junos

import "strings"

// Detect reports whether src is JunOS: its first statement is a set
// or delete line, or opens a brace block. IOS text has neither.
func Detect(src []byte) bool {
	t := firstStatement(string(src))
	return isSetLine(t) || strings.HasSuffix(t, "{")
}

// firstStatement is the first line that is not blank or a comment (#, !
// or /* */).
func firstStatement(src string) string {
	comment := false
	for _, l := range strings.Split(src, "\n") {
		t := strings.TrimSpace(l)
		if comment || strings.HasPrefix(t, "/*") {
			_, after, closed := strings.Cut(t, "*/")
			comment, t = !closed, strings.TrimSpace(after)
		}
		if t != "" && t[0] != '#' && t[0] != '!' {
			return t
		}
	}
	return ""
}

func isSetLine(t string) bool {
	for _, verb := range []string{"set", "delete", "activate", "deactivate"} {
		if t == verb || strings.HasPrefix(t, verb+" ") {
			return true
		}
	}
	return false
}
