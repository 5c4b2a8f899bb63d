/**
 * How a run request names the state it was made from: the state's generation and fence, or none.
 * Apart from schemas.ts so that the overview can use it without shipping zod to the browser (whose
 * start-up probe for `new Function` is a Content-Security-Policy violation there).
 */
export function seenStateKey(state: { generation: string; fence: number } | null | undefined): string {
  return state ? `${state.generation}@${state.fence}` : 'none';
}
