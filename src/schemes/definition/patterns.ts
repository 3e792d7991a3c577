/**
 * The regular expressions of the definition format, as JSON Schema `pattern` strings: the schema
 * (schema.ts) states them, its error messages (messages.ts) recognise them, and the template
 * reader (template.ts) uses the header-name one. No dependencies, so that compiling a definition
 * never loads the schema library.
 */

/** A character that is not a control character. */
const LINE = '[^\\u0000-\\u001f\\u007f]';
/** Not a control character, except tab, line feed and carriage return. */
const TEXT = '[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]';
/** One character of a JSON pointer token, or an escape (~0 for "~", ~1 for "/"). */
const POINTER_CHAR = '[^~\\u0000-\\u001f\\u007f]|~[01]';
/** The characters of an HTTP header name (RFC 9110 token). */
const TOKEN_CHAR = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
/** Not "=" nor a control character. */
const NOT_EQUALS = '[^=\\u0000-\\u001f\\u007f]';

export const PATTERNS = {
  /** One line of text. */
  line: `^${LINE}*$`,
  /** Text that may hold tabs and line breaks. */
  text: `^${TEXT}*$`,
  /** A scheme name: what --scheme takes; "auto" is taken. */
  name: '^(?!auto$)[a-z0-9][a-z0-9._-]{0,63}$',
  header: `^${TOKEN_CHAR}+$`,
  /** A header value: one line (no CR, LF or NUL). */
  headerValue: '^[^\\r\\n\\u0000]*$',
  url: `^https?://[^\\s/\\u0000-\\u001f\\u007f]${LINE}*$`,
  /** A JSON pointer into the body. */
  pointer: `^/(${POINTER_CHAR})*$`,
  /** Where an event type or id is: a JSON pointer into the body, or "header:Name". */
  locator: `^(/(${POINTER_CHAR})*|header:${TOKEN_CHAR}+)$`,
  /** The signed content covers the body (its other placeholders are checked in code). */
  signs: `^${TEXT}*\\{body\\}${TEXT}*$`,
  /** The header's value holds the signature. */
  value: `^${LINE}*\\{signature\\}${LINE}*$`,
  /** A handshake's value to echo: query:<name> or body:<JSON pointer>. */
  echo: `^(query:${LINE}+|body:/${LINE}*)$`,
  /** What marks a handshake request: <where>:<name>=<value>. */
  when: `^(query:${NOT_EQUALS}+|header:${NOT_EQUALS}+|body:/${NOT_EQUALS}*)=${LINE}*$`,
} as const;

/** An HTTP header name, for code. */
export const HEADER_NAME = new RegExp(PATTERNS.header);
