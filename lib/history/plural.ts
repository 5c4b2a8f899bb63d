/** "1 wipe", "2 wipes": the findings' one way to count (no imports, so any page can use it). */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
