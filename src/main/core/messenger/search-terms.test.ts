import { describe, expect, it } from 'vitest'
import { foldWord, indexTerms, MAX_QUERY_TERMS, MAX_TERM_LENGTH, MAX_TERMS_PER_MESSAGE, queryTerms, wordSpans } from './search-terms'

/** Whether a message holding `text` answers `query` (every query term among its terms). */
function matches(text: string, query: string): boolean {
  const terms = new Set(indexTerms(text))
  const wanted = queryTerms(query)
  return wanted.length > 0 && wanted.every((term) => terms.has(term))
}

describe('search terms', () => {
  it('finds a word inside a URL, by each part and whole', () => {
    const text = 'look at https://files.example.org/reports/quarterly-budget_2026.pdf?lang=en#summary'
    for (const query of ['quarterly', 'budget', 'example', 'files.example.org', 'summary', 'reports', 'pdf', 'lang']) expect(matches(text, query), query).toBe(true)
    expect(matches(text, 'budgets')).toBe(false)
  })

  it('folds case, compatibility forms and Latin accents', () => {
    expect(matches('Un CAFÉ naïf', 'cafe naif')).toBe(true)
    expect(matches('ﬁle', 'file')).toBe(true)
    expect(foldWord('ÀÉÎ')).toBe('aei')
  })

  it('matches Arabic with and without short vowels and alef variants', () => {
    expect(matches('مَرْحَبًا يا أحمد', 'مرحبا')).toBe(true)
    expect(matches('مرحبا يا احمد', 'أحمد')).toBe(true)
    expect(matches('مرحبا يا احمد', 'سلام')).toBe(false)
  })

  it('finds an Arabic word behind the article and the clitics joined to it', () => {
    for (const text of ['قرأت الكتاب', 'قرأت والكتاب', 'ذهبت بالكتاب', 'مثل كالكتاب', 'فالكتاب هنا', 'للكتاب غلاف', 'الْكِتَابُ'])
      expect(matches(text, 'كتاب'), text).toBe(true)
    expect(matches('قرأت والكتاب', 'الكتاب')).toBe(true)
    expect(matches('قرأت والكتاب', 'والكتاب')).toBe(true)
    expect(matches('أين اللغة', 'لغة')).toBe(true)
    // A word that only begins like the article keeps at least two letters, and a bare clitic is no article.
    expect(indexTerms('ال')).toEqual(['ال'])
    expect(indexTerms('الم')).toEqual(['الم'])
    expect(matches('وكتاب', 'كتاب')).toBe(false)
    expect(matches('كتاب', 'الكتاب')).toBe(false)
  })

  it('strips the Arabic article in time linear in the word', () => {
    const word = `وبال${'ب'.repeat(20_000)}`
    expect(indexTerms(word)).toEqual([word.slice(0, MAX_TERM_LENGTH), `ال${'ب'.repeat(MAX_TERM_LENGTH - 2)}`, 'ب'.repeat(MAX_TERM_LENGTH)])
  })

  it('finds CJK words whatever the segmenter cut around them', () => {
    expect(matches('我喜欢东京的天气', '东京')).toBe(true)
    expect(matches('東京タワーに行きました', '東京')).toBe(true)
    expect(matches('東京タワーに行きました', 'タワー')).toBe(true)
    expect(matches('東京タワーに行きました', '大阪')).toBe(false)
  })

  it('gives word offsets into the original text', () => {
    const text = 'Hi café!'
    expect(wordSpans(text).map((span) => text.slice(span.start, span.end))).toEqual(['Hi', 'café'])
  })

  it('is bounded: term length, terms per message, terms per query', () => {
    expect(indexTerms('x'.repeat(5000))).toEqual(['x'.repeat(MAX_TERM_LENGTH)])
    const many = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ')
    expect(indexTerms(many)).toHaveLength(MAX_TERMS_PER_MESSAGE)
    expect(queryTerms(many)).toHaveLength(MAX_QUERY_TERMS)
    expect(queryTerms('  !!! ... ')).toEqual([])
  })
})
