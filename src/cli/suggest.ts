/**
 * "Did you mean": the nearest known word to a mistyped flag or command, as kubectl (cobra's
 * SuggestionsFor: Levenshtein distance at most 2, or a prefix) suggests one.
 * https://github.com/spf13/cobra/blob/main/command.go (SuggestionsFor)
 */

/**
 * The closest candidate within distance 2 (or one the word is a prefix of), else undefined. Short
 * words get less slack ("rn" is run, "fish" is not bash): at most a third of the word, at least 1.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.max(1, Math.floor(word.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance =
      word.length >= 3 && candidate.startsWith(word) ? 1 : levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `, did you mean x?` or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = nearest(word, candidates);
  return match === undefined ? '' : `, did you mean ${match}?`;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
