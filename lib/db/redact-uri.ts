/** The URI with any password replaced, fit for logs and error messages. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^@/]*)@/, (_match, scheme: string, auth: string) => {
    const user = auth.split(':')[0];
    return `${scheme}${user}${auth.includes(':') ? ':***' : ''}@`;
  });
}
