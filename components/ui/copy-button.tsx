'use client';

import { Check, Copy } from 'lucide-react';
import { useState } from 'react';

/** A long id with a one-click copy. */
export function CopyValue({ value, label, mono = true }: { value: string; label?: string; mono?: boolean }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard refused (insecure origin): select-and-copy still works on the text itself.
      return;
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <span className="inline-flex items-center gap-1">
      <span className={mono ? 'font-mono text-[0.85em] break-all' : undefined}>{value}</span>
      <button
        type="button"
        onClick={copy}
        className="focus-ring rounded p-0.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
        aria-label={`Copy ${label ?? value}`}
        title="Copy"
      >
        {copied ? <Check aria-hidden="true" className="size-3.5" /> : <Copy aria-hidden="true" className="size-3.5" />}
      </button>
      <span aria-live="polite" className="sr-only">
        {copied ? 'Copied' : ''}
      </span>
    </span>
  );
}
