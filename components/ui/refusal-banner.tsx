import type { Refusal } from '@/lib/auth/action-guard';
import { Banner } from './banner';

/** An action's refusal as the action guard words it: the reason, and each problem with the input. */
export function RefusalBanner({ refusal }: { refusal: Refusal }) {
  return (
    <Banner title={refusal.error}>
      {refusal.issues && refusal.issues.length > 0 && (
        <ul className="list-disc pl-4">
          {refusal.issues.map((issue) => (
            <li key={issue}>{issue}</li>
          ))}
        </ul>
      )}
    </Banner>
  );
}
