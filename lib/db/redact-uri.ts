/** The URI with any password replaced, fit for logs and error messages. */
export function redactUri(uri: string): string {
  // The credentials end at the last "@" before the options: a password with an unescaped "/" or "@"
  // (which the driver rejects) must not slip through either.
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^?]*)@/, (_match, scheme: string, auth: string) => {
    const user = auth.split(':')[0];
    return `${scheme}${user}${auth.includes(':') ? ':***' : ''}@`;
  });
}
