package grammar

// SeqOp is one step of a line diff: '=' keeps a[i] (= b[j]), '-' drops
// a[i], '+' adds b[j].
type SeqOp struct {
	Kind byte
	I, J int
}

// DiffSeq is a longest-common-subsequence diff; configurations are small.
func DiffSeq(a, b []string) []SeqOp {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []SeqOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, SeqOp{'=', i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, SeqOp{'-', i, j}) // removals first, as both CLIs print them
			i++
		default:
			ops = append(ops, SeqOp{'+', i, j})
			j++
		}
	}
	return ops
}
