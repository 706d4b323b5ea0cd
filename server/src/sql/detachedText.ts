/**
 * A copy of `text` that shares no memory with the string it was sliced from. V8 makes a slice of
 * a long string a view into it, so one statement's text kept from an old version of a document
 * would keep that whole version alive; a statement outlives its document's versions, so it owns
 * its text. (A JSON round trip is the one portable way to force the copy; it keeps lone surrogates.)
 */
export function detachedText(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
