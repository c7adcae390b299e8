// Package grammar is what the IOS and JunOS configuration grammars share:
// the word cursor a command handler reads its line with (keywords,
// abbreviations, numbers, addresses; the first failure sticks as a
// *config.LineError carrying the `?` alternatives), the record of which
// word set which model field so that a refusal found by the model check
// blames the right line and word, and the line diff behind both dialects'
// `show` differences.
package grammar
