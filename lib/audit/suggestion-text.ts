import type { ComponentSuggestion, StoredValue, SuggestedFix } from './types';

/** A stored value as the reader sees it: ObjectIds as bare hex, text in quotes (so "A--B" reads as text), null as null. */
export function storedValueText(value: StoredValue): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.$oid;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** One fix as `field: before → after`, unbinding said in words. */
export function fixChange(fix: SuggestedFix): string {
  return `${fix.field}: ${storedValueText(fix.before)} → ${fix.after === null ? 'null (unbind)' : storedValueText(fix.after)}`;
}

/** The whole suggestion in one line, for the CSV and plain-text readers; '' when the component has no findings. */
export function suggestionText(suggestion: ComponentSuggestion | null): string {
  if (!suggestion) return '';
  if (suggestion.none) return `no fix known (looked at: ${suggestion.looked_at.join('; ')})`;
  return suggestion.fixes.map((fix) => `${fixChange(fix)} (${fix.confidence}: ${fix.reason})`).join('; ');
}
