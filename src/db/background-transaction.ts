/**
 * Transaction options for work no caller is waiting on (recording a webhook attempt already made, and
 * the like). Prisma's defaults (2 s to get a connection, 5 s to finish) suit a request that should fail
 * fast; a background write that fails instead of waiting has a cost: a webhook attempt left unrecorded
 * is sent again once its lease runs out, a duplicate at the receiver. Seen at load 20–25 on a 2-core
 * machine, where two dispatchers' attempts queued behind one endpoint's row lock for longer than 2 s.
 * Both bounds stay well inside the webhook lease margin (60 s), so a write that still fails leaves the
 * lease to recover it, as before.
 */
export const BACKGROUND_TRANSACTION = { maxWait: 20_000, timeout: 30_000 } as const
