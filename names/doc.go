// Package names makes a Chinese-only registry readable to visitors: it
// writes shop names and addresses in Latin letters (Hanyu Pinyin) and in
// Cyrillic (the Palladius system, the standard Russian transcription of
// Chinese), translates the trade words of a name through a glossary of food
// and shop words, and carries the catalog of the national catering
// inspection checklist (餐饮服务食品安全监督检查要点) so that free-text
// findings can be shown in the visitor's language.
//
// It is pure: no I/O beyond reading its data files, which are embedded
// (names/data) and may be replaced by an operator's copies (Open). A data
// file with a malformed or duplicated line fails loading with an error
// naming the file and line, so that a service refuses to start on it.
//
// The rules (how a name is split, the word order of the English and
// Russian names, the address order) are documented in docs/names.md.
package names
