/**
 * Quote text from the outside (a path, a name, a reference) for a one-line
 * message: JSON string syntax, so that quotes, newlines and other control
 * characters cannot break the line or fake another one.
 */
export function quote(text: string): string {
  return JSON.stringify(text);
}
