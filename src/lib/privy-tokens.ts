import type { PiiCipher } from './pii-crypto.js'

/**
 * Privy's register_token and document_token at rest. Whoever holds one can read the person's or the
 * document's status at Privy (and, with the document token, ask for the signed PDF), so it is sealed
 * like a NIK: AES-256-GCM, the key's id beside it for rotation, and the row and column bound as
 * associated data, so a sealed token copied into another row does not open there.
 */
export type PrivyTokenKind = 'register_token' | 'document_token'

const TABLE_OF: Record<PrivyTokenKind, string> = {
  register_token: 'registrations',
  document_token: 'documents',
}

export function privyTokenContext(kind: PrivyTokenKind, rowId: string): string {
  return `${TABLE_OF[kind]}.${kind}:${rowId}`
}

export interface SealedToken {
  sealed: Uint8Array<ArrayBuffer>
  keyId: string
}

export function sealPrivyToken(
  pii: PiiCipher,
  kind: PrivyTokenKind,
  rowId: string,
  token: string,
): SealedToken {
  const sealed = pii.seal(token, privyTokenContext(kind, rowId))
  return { sealed: new Uint8Array(sealed.data), keyId: sealed.keyId }
}

export function openPrivyToken(
  pii: PiiCipher,
  kind: PrivyTokenKind,
  rowId: string,
  stored: { sealed: Uint8Array; keyId: string },
): string {
  return pii
    .open({ keyId: stored.keyId, data: Buffer.from(stored.sealed) }, privyTokenContext(kind, rowId))
    .toString('utf8')
}

/** Where a lazily opened token keeps its opener and, once read, its value: one hidden slot per property. */
interface LazySlot {
  open: () => string | null
  opened?: { value: string | null }
}

const lazyProperties = new Map<string, { slot: symbol; get: () => string | null }>()

/**
 * One getter per property name, shared by every row: a getter made per row gives each row a shape of
 * its own, and V8 then keeps every row after the first as a slow dictionary (each later property read
 * of the record, its view, its cache entry a hash lookup). The row's own opener sits in a hidden slot.
 */
function lazyProperty(property: string): { slot: symbol; get: () => string | null } {
  let lazy = lazyProperties.get(property)
  if (!lazy) {
    const slot = Symbol(property)
    lazy = {
      slot,
      get(this: Record<symbol, LazySlot>) {
        const state = this[slot] as LazySlot
        state.opened ??= { value: state.open() }
        return state.opened.value
      },
    }
    lazyProperties.set(property, lazy)
  }
  return lazy
}

/**
 * Gives `row` a read-only `property` that opens its sealed token on first read. Not enumerable:
 * spreading, serialising or logging the row never carries the token, only code that asks for it.
 */
export function withLazyToken<Row extends object, Name extends string>(
  row: Row,
  property: Name,
  open: () => string | null,
): Row & { readonly [K in Name]: string | null } {
  const { slot, get } = lazyProperty(property)
  Object.defineProperty(row, slot, { enumerable: false, value: { open } satisfies LazySlot })
  Object.defineProperty(row, property, { enumerable: false, get })
  return row as Row & { readonly [K in Name]: string | null }
}
