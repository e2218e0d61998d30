/**
 * Test helper: the lines of `text` longer than `width` that could have been wrapped.
 * Only a word that cannot be cut (an ARN, a JSON string) may pass the width, alone on
 * its line or after a JSON key: cutting it would make a pasted ARN or JSON wrong.
 */
export function overlong(text: string, width = 80): string[] {
  return text.split('\n').filter((line) => {
    if ([...line].length <= width) return false;
    const words = line.trim().split(/\s+/);
    const longest = Math.max(...words.map((w) => [...w].length));
    const indent = line.length - line.trimStart().length;
    const unbreakable = words.length === 1 || (words.length === 2 && /^"[^"]*":$/.test(words[0]!));
    return !(unbreakable && indent + longest > width / 2);
  });
}
