/** A URL as it may be shown: a password in it becomes `***` (the user name stays, to tell accounts apart). */
export function maskedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
