'use client';

import { useEffect, useState } from 'react';

/**
 * Time left until `until`, counted on the database server's clock: `serverTime` is the server's
 * time when the data was read, so a skewed browser clock does not shift the countdown.
 */
export function Countdown({ until, serverTime }: { until: string; serverTime: string }) {
  const [offset] = useState(() => new Date(serverTime).getTime() - Date.now());
  const [now, setNow] = useState(() => Date.now() + offset);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + offset), 250);
    return () => clearInterval(timer);
  }, [offset]);
  const left = Math.round((new Date(until).getTime() - now) / 1000);
  return (
    <span className="tabular-nums" title={until}>
      {left >= 0 ? `expires in ${formatSeconds(left)}` : `expired ${formatSeconds(-left)} ago`}
    </span>
  );
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${seconds % 60} s`;
}
