import { foldName, foldPlain } from './name-folding';

/**
 * FIT-Connect's area search terms: words where `*` stands for any characters ("Mag*" finds every
 * area with a word starting with "Mag", "*bach" those with a word ending in "bach"). A term
 * matches a name when it matches a run of whole words of it, after the folding the region step
 * uses (case, umlauts written out or plain, ß, punctuation). Matching is by plain string search
 * of the parts between the stars, never a regular expression built from the client's text.
 */
export interface WordGlob {
  matches(foldedName: string): boolean;
}

/** Whether `text` as a whole matches the parts (the text between the stars). */
export function globMatches(text: string, parts: readonly string[]): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (parts.length === 1) return text === first;
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  // Leftmost placement of each middle part is enough: a star between them absorbs the rest.
  let at = first.length;
  const end = text.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** The word starts (0 and after each space) and ends (before each space and the end) of a folded name. */
function boundaries(name: string): { starts: number[]; ends: number[] } {
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === ' ') {
      ends.push(i);
      starts.push(i + 1);
    }
  }
  ends.push(name.length);
  return { starts, ends };
}

function globOf(parts: readonly string[]): WordGlob {
  const literal = parts.filter((p) => p !== '');
  return {
    matches(name) {
      // Cheap rejection first: every literal part must occur somewhere.
      if (name === '' || !literal.every((p) => name.includes(p))) return false;
      const { starts, ends } = boundaries(name);
      return starts.some((s) => ends.some((e) => e > s && globMatches(name.slice(s, e), parts)));
    },
  };
}

/** The term folded both ways; empty when nothing but stars is left. */
export function wordGlobs(term: string): WordGlob[] {
  const variants = [foldName, foldPlain].map((fold) => term.split('*').map((part) => fold(part)));
  const unique = [...new Map(variants.map((parts) => [parts.join('*'), parts])).values()];
  return unique.filter((parts) => parts.some((p) => p !== '')).map(globOf);
}
