/*
 * Look-alikes that survive NFKC, case folding and mark removal, keyed by the Latin letter they pass
 * for. Written as escapes because the characters are, by design, indistinguishable in source.
 * Folding is case-blind, so a lower-case letter maps where its capital looks Latin (Cyrillic Н → h).
 * Capital I folds to i, which must then meet l and 1: all three become l.
 */
const LOOKALIKES: ReadonlyArray<readonly [latin: string, lookalikes: string]> = [
  ['a', '\u0430\u03b1\u0251'], // Cyrillic а, Greek α, Latin alpha ɑ
  ['b', '\u0432\u044c\u03b2'], // Cyrillic в (В), ь, Greek β
  ['c', '\u0441\u03f2'], // Cyrillic с, Greek lunate sigma ϲ
  ['d', '\u0501'], // Cyrillic komi de ԁ
  ['e', '\u0435\u03b5'], // Cyrillic е, Greek ε (Ε)
  ['g', '\u0261'], // Latin script g ɡ
  ['h', '\u04bb\u043d\u03b7'], // Cyrillic һ, н (Н), Greek η (Η)
  ['j', '\u0458\u03f3'], // Cyrillic ј, Greek yot ϳ
  ['k', '\u043a\u03ba'], // Cyrillic к (К), Greek κ (Κ)
  ['l', 'i1|\u0456\u04cf\u03b9\u01c0'], // i (from I), digit one, bar, Cyrillic і, palochka ӏ, Greek ι (Ι), click ǀ
  ['m', '\u043c\u03bc'], // Cyrillic м (М), Greek μ (Μ)
  ['n', '\u03bd'], // Greek ν (Ν)
  ['o', '0\u043e\u03bf'], // digit zero, Cyrillic о, Greek ο
  ['p', '\u0440\u03c1'], // Cyrillic р, Greek ρ
  ['q', '\u051b'], // Cyrillic qa ԛ
  ['s', '\u0455'], // Cyrillic dze ѕ
  ['t', '\u0442\u03c4'], // Cyrillic т (Т), Greek τ (Τ)
  ['v', '\u0475'], // Cyrillic izhitsa ѵ
  ['w', '\u051d\u0461\u03c9'], // Cyrillic we ԝ, omega ѡ, Greek ω
  ['x', '\u0445\u03c7'], // Cyrillic х, Greek χ (Χ)
  ['y', '\u0443\u04af\u03c5\u03b3'], // Cyrillic у, ү, Greek υ (Υ), γ
  ['z', '\u03b6'] // Greek ζ (Ζ)
]

const LATIN_FOR = new Map(LOOKALIKES.flatMap(([latin, lookalikes]) => [...lookalikes].map((c) => [c, latin] as const)))

/** Separators, spacing, punctuation, controls and invisible characters such as zero-width joiners and Hangul fillers. */
const IGNORED = /[\p{Z}\p{Cc}\p{Cf}\p{P}\p{Default_Ignorable_Code_Point}]/gu
const MARKS = /\p{M}/gu
/** Letter pairs that render as one letter; applied after single letters are folded. */
const PAIRS: ReadonlyArray<readonly [RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w']
]

/**
 * What a name looks like, for comparing names rather than showing them: two names with the same
 * skeleton are easy to mistake for each other. Deliberately eager; it may join names that differ.
 */
export function skeleton(name: string): string {
  // Upper then lower case folds what lower case alone keeps apart: ß and ss, ς and σ, ı and i.
  const folded = name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFD').replace(MARKS, '').replace(IGNORED, '')
  let latin = ''
  for (const char of folded) latin += LATIN_FOR.get(char) ?? char
  return PAIRS.reduce((text, [pair, single]) => text.replace(pair, single), latin)
}
