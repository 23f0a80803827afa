// Who is calling, in the words services use. Kept apart from plugins/auth.ts (which reads it off a
// request) so that services and repositories never import the HTTP layer for a type.

/** Who is calling: an end user (through the merchant's app) or an operator / back-office. */
export type Principal = { kind: 'user'; userId: string } | { kind: 'operator'; operatorId: string }

/** The owner id stored on what a principal creates, and the filter of what it may read. */
export function ownerScope(principal: Principal): { ownerId?: string } {
  return principal.kind === 'user' ? { ownerId: ownerIdFor(principal) } : {}
}

/** Prefixed by kind, so no JWT `sub` can name what an operator created. */
export function ownerIdFor(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `operator:${principal.operatorId}`
}
