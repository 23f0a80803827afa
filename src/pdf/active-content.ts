import {
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFHexString,
  PDFName,
  type PDFObject,
  PDFStream,
  PDFString,
} from 'pdf-lib'

/**
 * Content a document sent for signing must not carry, with the public reason for refusing it: anything
 * that runs code, opens other files or programs, sends data out, plays media from outside, or carries
 * embedded files. Page jumps, named actions, form resets and web or mail links stay. The reasoning, case
 * by case: docs/decisions/pdf-parsing.md ("Active content"); README "Documents" lists it for merchants.
 */
export interface ActiveContent {
  kind: ActiveKind
  message: string
}

export type ActiveKind =
  | 'javascript'
  | 'launch'
  | 'xfa'
  | 'submit_form'
  | 'import_data'
  | 'remote_go_to'
  | 'embedded_go_to'
  | 'thread'
  | 'link'
  | 'remote_file'
  | 'external_stream'
  | 'embedded_file'
  | 'rich_media'
  | 'media'

const REMOVE = 'remove it and upload again'
const MESSAGES: Record<Exclude<ActiveKind, 'link'>, string> = {
  javascript:
    'contains JavaScript; a document for signing must not run scripts, remove them and upload again',
  launch: `contains a Launch action, which opens other files or programs; ${REMOVE}`,
  xfa: 'is an XFA form, whose pages are generated when it is opened; flatten it to a plain PDF first',
  submit_form: `contains a SubmitForm action, which sends form data to a server; ${REMOVE}`,
  import_data: `contains an ImportData action, which reads data from another file; ${REMOVE}`,
  remote_go_to: `contains a GoToR action, which opens another file; ${REMOVE}`,
  embedded_go_to: `contains a GoToE action to another or an embedded file; ${REMOVE}`,
  thread: `contains a Thread action that opens another file; ${REMOVE}`,
  remote_file: `refers to a file by URL, which a reader would fetch; ${REMOVE}`,
  external_stream: `has content kept in another file, which a reader would fetch; ${REMOVE}`,
  embedded_file:
    'contains an embedded file (attachment); a document for signing must not carry attachments, remove them and upload again',
  rich_media: `contains rich media (RichMedia), which runs its own code; ${REMOVE}`,
  media: `contains a Rendition or Movie action, which plays media that may come from outside the file; ${REMOVE}`,
}

/** Link schemes a reader opens in a browser or mail client, and nothing else. */
const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto'])

/** Action types (/S) refused whatever they point at; GoToE, Thread and URI depend on their entries. */
const REFUSED_ACTIONS: Record<string, Exclude<ActiveKind, 'link'>> = {
  '/JavaScript': 'javascript',
  '/Launch': 'launch',
  '/SubmitForm': 'submit_form',
  '/ImportData': 'import_data',
  '/GoToR': 'remote_go_to',
  '/RichMediaExecute': 'rich_media',
  '/Rendition': 'media',
  '/Movie': 'media',
}

/** Keys whose mere presence is refused: where scripts, XFA and attachments live. */
const REFUSED_KEYS: Record<string, Exclude<ActiveKind, 'link'>> = {
  // /JS holds an action's script; /JavaScript keys the document-level script tree in /Names;
  // /OnInstantiate is the script of 3D artwork.
  '/JS': 'javascript',
  '/JavaScript': 'javascript',
  '/OnInstantiate': 'javascript',
  '/XFA': 'xfa',
  // The /Names tree of attachments, and a file specification's embedded file.
  '/EmbeddedFiles': 'embedded_file',
  '/EF': 'embedded_file',
}

/** Values of /Type, /Subtype and /FS refused wherever they appear. */
const REFUSED_TYPES: Record<string, Exclude<ActiveKind, 'link'>> = {
  '/EmbeddedFile': 'embedded_file',
  '/FileAttachment': 'embedded_file',
  '/RichMedia': 'rich_media',
}

/**
 * Looks at every object in the file, referenced or not (an unreferenced script is rare, and refusing it
 * keeps the check simple to verify: nothing can hide in a place this walk does not reach), and every
 * dictionary nested in it, without following references (each indirect object is visited once on its
 * own) and without recursion. So actions are found wherever they sit: the catalog's /OpenAction and
 * /AA, pages and their /AA, annotations, the /Names tree, form fields and their kids, /Next chains.
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
        // A stream's /F names a file holding its data instead of the stream itself (PDF 32000 7.3.8.2).
        if (hasKey(current.dict, '/F', names)) return found('external_stream')
        stack.push(current.dict)
      } else if (current instanceof PDFArray) {
        // A loop, not a spread: an array of a million items would overflow the call's arguments.
        for (const item of current.asArray()) stack.push(item)
      } else if (current instanceof PDFDict) {
        const verdict = judgeDict(current, context, names)
        if (verdict) return verdict
        for (const [, value] of current.entries()) stack.push(value)
      }
    }
  }
  return undefined
}

/** The entries of one dictionary that decide, read once with their names decoded. */
function judgeDict(dict: PDFDict, context: PDFContext, names: ReaderNames): ActiveContent | undefined {
  let action: string | undefined
  const entries = new Map<string, PDFObject>()
  for (const [key, value] of dict.entries()) {
    const name = names.of(key)
    const refused = REFUSED_KEYS[name]
    if (refused) return found(refused)
    if (name === '/Type' || name === '/Subtype') {
      const type = nameOf(value, context, names)
      const refusedType = type && REFUSED_TYPES[type]
      if (refusedType) return found(refusedType)
    } else if (name === '/FS') {
      if (nameOf(value, context, names) === '/URL') return found('remote_file')
    } else if (name === '/S') {
      action = nameOf(value, context, names)
    }
    entries.set(name, value)
  }
  if (action === undefined) return undefined
  const refusedAction = REFUSED_ACTIONS[action]
  if (refusedAction) return found(refusedAction)
  // GoToE without /F or /T jumps within this very file; with either it opens another or an attachment.
  if (action === '/GoToE' && (entries.has('/F') || entries.has('/T'))) return found('embedded_go_to')
  // A Thread action's /F names another file that holds the article thread.
  if (action === '/Thread' && entries.has('/F')) return found('thread')
  if (action === '/URI') return judgeLink(entries.get('/URI'), context)
  return undefined
}

/**
 * A URI action is allowed when a browser would read its address as http, https or mailto. The address
 * is read as a URL parser does (WHATWG): leading and trailing controls and spaces trimmed, tabs and
 * newlines removed anywhere, so `java\tscript:` is javascript:. A relative address (no scheme) is
 * refused too: a reader resolves it against the file's own location, which may be a file: path.
 */
function judgeLink(value: PDFObject | undefined, context: PDFContext): ActiveContent | undefined {
  const address = context.lookup(value)
  if (address === undefined) return undefined
  let text: string | undefined
  try {
    text = address instanceof PDFString || address instanceof PDFHexString ? address.decodeText() : undefined
  } catch {
    text = undefined
  }
  const cleaned = text === undefined ? undefined : asUrlParserReadsIt(text)
  const scheme =
    cleaned === undefined ? undefined : /^([a-z][a-z0-9+.-]*):/i.exec(cleaned)?.[1]?.toLowerCase()
  if (scheme !== undefined && ALLOWED_SCHEMES.has(scheme)) return undefined
  const what =
    scheme === undefined
      ? 'a link without an http, https or mailto address'
      : `a link to a ${scheme.slice(0, 20)}: address`
  return {
    kind: 'link',
    message: `contains ${what}; only http, https and mailto links are allowed, ${REMOVE}`,
  }
}

/** Leading and trailing C0 controls and spaces trimmed, tabs and newlines removed (WHATWG URL). */
function asUrlParserReadsIt(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && text.charCodeAt(start) <= 0x20) start += 1
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end -= 1
  return text.slice(start, end).replace(/[\t\n\r]/g, '')
}

function found(kind: Exclude<ActiveKind, 'link'>): ActiveContent {
  return { kind, message: MESSAGES[kind] }
}

function nameOf(value: PDFObject, context: PDFContext, names: ReaderNames): string | undefined {
  const resolved = context.lookup(value)
  return resolved instanceof PDFName ? names.of(resolved) : undefined
}

function hasKey(dict: PDFDict, wanted: string, names: ReaderNames): boolean {
  for (const key of dict.keys()) if (names.of(key) === wanted) return true
  return false
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
