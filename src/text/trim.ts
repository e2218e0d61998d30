/**
 * Trimming a set of characters from the ends of a string in linear time. A regular
 * expression such as `/[.,;)]+$/` is tried at every position of a long run of those
 * characters that is not at the end, which is quadratic: a hostile input with a million
 * dots cost minutes.
 */

/** `s` without the characters of `chars` at its end. */
export function trimEndOf(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1] as string)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `s` without the characters of `chars` at its start. */
export function trimStartOf(s: string, chars: string): string {
  let start = 0;
  while (start < s.length && chars.includes(s[start] as string)) start++;
  return start === 0 ? s : s.slice(start);
}
