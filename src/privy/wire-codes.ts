import type { DocProcess, SignProcess } from './resources/documents.types.js'

/**
 * The `doc_process` code of each process, by name (docs/privy-contract.md §5.1): the wire codes live
 * in the SDK only.
 */
export const DOC_PROCESS_CODES = {
  sign_only: '0',
  emeterai_only: '1',
  sign_then_emeterai: '2',
  emeterai_then_sign: '3',
} as const satisfies Record<string, DocProcess>
export type DocProcessName = keyof typeof DOC_PROCESS_CODES

/** The `sign_process` code of each signing order, by name (docs/privy-contract.md §5.1). */
export const SIGN_PROCESS_CODES = { serial: '0', parallel: '1' } as const satisfies Record<
  string,
  SignProcess
>
export type SignProcessName = keyof typeof SIGN_PROCESS_CODES
