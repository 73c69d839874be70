/** The few XML pieces the awsQuery answers need, written by hand (no XML library is a dependency). */

/**
 * Text content escaped for XML 1.0. Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates,
 * U+FFFE/U+FFFF) become U+FFFD: CloudFormation never sends them, and a parser would reject the whole answer.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // A parser folds a raw CR into LF; the character reference keeps it.
    .replace(/\r/g, '&#xD;');
}

/** `<name>escaped text</name>`. */
export function textElement(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** `<name>children</name>`; the children are XML already. */
export function element(name: string, ...children: string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}
