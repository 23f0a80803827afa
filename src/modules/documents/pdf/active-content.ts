import { PDFArray, type PDFContext, PDFDict, PDFName, type PDFObject, PDFStream } from 'pdf-lib'

/**
 * Content a document sent for signing must not carry, with the public reason for refusing it.
 *
 * A signed PDF is a legal record that Privy stamps and hands to every party: what each signer saw must
 * be what the file says. Scripts can change what is shown (fill or hide fields on open, on print) and
 * are the usual malware vector in PDFs; a Launch action opens other files or programs; an XFA form's
 * pages are generated from XML when opened, so the signed bytes are not the pages a person reads.
 * PDF/A, the archival profile, forbids all three. Links (URI), page jumps
 * (GoTo, including an /OpenAction that opens on a page) and attachments are ordinary and allowed.
 */
export interface ActiveContent {
  kind: 'javascript' | 'launch' | 'xfa'
  message: string
}

const FOUND: Record<ActiveContent['kind'], ActiveContent> = {
  javascript: {
    kind: 'javascript',
    message: 'contains JavaScript; a document for signing must not run scripts, remove them and upload again',
  },
  launch: {
    kind: 'launch',
    message: 'contains a Launch action, which opens other files or programs; remove it and upload again',
  },
  xfa: {
    kind: 'xfa',
    message: 'is an XFA form, whose pages are generated when it is opened; flatten it to a plain PDF first',
  },
}

/**
 * Looks at every object in the file, referenced or not (an unreferenced script is rare, and refusing it
 * keeps the check simple to verify), and every dictionary nested in it, without following references
 * (each indirect object is visited once on its own) and without recursion.
 *
 * Names are compared after decoding #xx escapes in any case: a reader sees `/J#61vaScript` and
 * `/#4aavaScript` as /JavaScript, while pdf-lib decodes only upper-case hex.
 */
export function findActiveContent(context: PDFContext): ActiveContent | undefined {
  const names = new ReaderNames()
  for (const [, object] of context.enumerateIndirectObjects()) {
    const stack: PDFObject[] = [object]
    for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
      if (current instanceof PDFStream) {
        stack.push(current.dict)
      } else if (current instanceof PDFArray) {
        // A loop, not a spread: an array of a million items would overflow the call's arguments.
        for (const item of current.asArray()) stack.push(item)
      } else if (current instanceof PDFDict) {
        for (const [key, value] of current.entries()) {
          const found = activeEntry(names.of(key), value, context, names)
          if (found) return FOUND[found]
          stack.push(value)
        }
      }
    }
  }
  return undefined
}

function activeEntry(
  key: string,
  value: PDFObject,
  context: PDFContext,
  names: ReaderNames,
): ActiveContent['kind'] | undefined {
  // /JS holds an action's script; /JavaScript keys the document-level script tree in /Names.
  if (key === '/JS' || key === '/JavaScript') return 'javascript'
  if (key === '/XFA') return 'xfa'
  if (key !== '/S') return undefined
  const action = context.lookup(value)
  const type = action instanceof PDFName ? names.of(action) : undefined
  if (type === '/JavaScript') return 'javascript'
  if (type === '/Launch') return 'launch'
  return undefined
}

/**
 * Names as a PDF reader decodes them, with their leading slash; see `findActiveContent`. Most names
 * have no escape and are compared as pdf-lib stores them; the few with one are decoded once each (a
 * document can have tens of thousands of distinct names: pdf-lib gives every font use its own key).
 */
class ReaderNames {
  private readonly decoded = new Map<PDFName, string>()

  of(name: PDFName): string {
    const stored = name.asString()
    if (!stored.includes('#')) return stored
    let text = this.decoded.get(name)
    if (text === undefined) {
      const hex = /#([0-9a-f]{2})/gi
      text = `/${name.decodeText().replace(hex, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))}`
      this.decoded.set(name, text)
    }
    return text
  }
}
