import { describe, expect, it } from 'vitest'
import { skeleton } from './skeleton'

describe('skeleton', () => {
  it.each([
    ['case', 'Alice', 'ALICE'],
    ['inner spacing', 'Alice Smith', 'AliceSmith'],
    ['odd spacing', '\tAlice\u00a0 Smith ', 'alice smith'],
    ['separators and punctuation', 'alice_smith.', 'Alice-Smith'],
    ['zero-width characters', 'Al\u200bi\u200dce\ufeff', 'Alice'],
    ['Hangul filler', 'Alice\u3164', 'Alice'],
    ['Cyrillic а е о р с', '\u0430\u0435\u043e\u0440\u0441', 'aeopc'],
    ['Cyrillic capitals', '\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425', 'ABEKMHOPCTX'],
    ['Greek capitals', '\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7', 'ABEZHIKMNOPTYX'],
    ['Greek small ο α ρ', '\u03bf\u03b1\u03c1', 'oap'],
    ['zero and O', 'B0B', 'bob'],
    ['one, l and I', 'A1ice', 'AIice'],
    ['l and I', 'Bill', 'BiII'],
    ['rn and m', 'Sam', 'Sarn'],
    ['vv and w', 'Walter', 'VValter'],
    ['diacritics', 'Jose\u0301', 'José'],
    ['accent used as disguise', 'Ålice', 'Alice'],
    ['fullwidth forms', 'Ａｌｉｃｅ', 'Alice'],
    ['mathematical letters', '𝐀𝐥𝐢𝐜𝐞', 'Alice'],
    ['dotless and dotted i', 'al\u0131ce', 'AL\u0130CE'],
    ['three-word alias', 'Darkorange Blue Bubblefish', 'darkorange-blue-bubbIefish']
  ])('folds %s: %j ~ %j', (_what, a, b) => {
    expect(skeleton(a)).toBe(skeleton(b))
  })

  it.each([
    ['Alice', 'Alicia'],
    ['Bob', 'Rob'],
    ['Darkorange Blue Bubblefish', 'Darkorange Blue Butterfly'],
    ['Anna', 'Hanna']
  ])('keeps %j and %j apart', (a, b) => {
    expect(skeleton(a)).not.toBe(skeleton(b))
  })

  it('is Latin-only for a fully disguised name', () => {
    expect(skeleton('\u0421\u0430\u0440\u0440\u043e')).toBe('cappo')
  })

  it('is empty for names made only of spacing and punctuation', () => {
    expect(skeleton(' \u200b.-_ ')).toBe('')
  })
})
