import { pino } from 'pino'
import { z } from 'zod'
import { ANSWER_STYLES } from './answer-styles.js'
import { DEV_CREDENTIALS } from './dev-credentials.js'
import { startSimulator } from './index.js'

/**
 * Standalone entry (`npm run simulator`, the compose `simulator` service). A separate program from
 * the gateway, so it reads its own SIM_* environment here. State is in memory (a restart starts
 * empty) unless SIM_STATE_FILE names a file to keep it in (persistence.ts).
 */

const log = pino({ name: 'privy-simulator' })

const optional = <T extends z.ZodType>(schema: T) =>
  // Compose files often pass `SIM_X=` for "unset"; an empty value means the default.
  z.preprocess((value) => (value === '' ? undefined : value), schema)

const environment = z.object({
  SIM_HOST: optional(z.string().default('0.0.0.0')),
  SIM_PORT: optional(z.coerce.number().int().min(0).max(65_535).default(4010)),
  SIM_PUBLIC_URL: optional(z.url().optional()),
  SIM_CLIENT_ID: optional(z.string().default(DEV_CREDENTIALS.clientId)),
  SIM_CLIENT_SECRET: optional(z.string().default(DEV_CREDENTIALS.clientSecret)),
  SIM_API_KEY: optional(z.string().default(DEV_CREDENTIALS.apiKey)),
  SIM_API_SECRET: optional(z.string().default(DEV_CREDENTIALS.apiSecret)),
  SIM_CHANNEL_ID: optional(z.string().default(DEV_CREDENTIALS.channelId)),
  SIM_MERCHANT_RA: optional(z.enum(['true', 'false']).default('true')),
  /** The enterprise account every uploaded document's doc_owner must name (docs/privy-contract.md §5.1). */
  SIM_ENTERPRISE_PRIVY_ID: optional(z.string().default(DEV_CREDENTIALS.enterprisePrivyId)),
  SIM_ENTERPRISE_TOKEN: optional(z.string().default(DEV_CREDENTIALS.enterpriseToken)),
  /** Where docs/privy-contract.md §6 callbacks go (the gateway's callback endpoint); unset: none are sent. */
  SIM_CALLBACK_URL: optional(z.url({ protocol: /^https?$/ }).optional()),
  /** Auto-verify this many ms after waiting_verification; unset: only via /__sim. */
  SIM_VERIFICATION_DELAY_MS: optional(z.coerce.number().int().min(0).max(86_400_000).optional()),
  /** Time in each document processing state; unset: 0 (at once). */
  SIM_DOCUMENT_PROCESSING_DELAY_MS: optional(z.coerce.number().int().min(0).max(86_400_000).optional()),
  /** How answers are worded (answer-styles.ts); unset: `contract`. */
  SIM_ANSWER_STYLE: optional(z.enum(ANSWER_STYLES).default('contract')),
  /** Keep the state in this file across restarts (e.g. on a volume); unset: memory only. */
  SIM_STATE_FILE: optional(z.string().min(1).optional()),
})

const parsed = environment.safeParse(process.env)
if (!parsed.success) {
  log.fatal({ issues: z.flattenError(parsed.error).fieldErrors }, 'invalid SIM_* environment')
  process.exit(1)
}
const env = parsed.data

const simulator = await startSimulator({
  host: env.SIM_HOST,
  port: env.SIM_PORT,
  publicUrl: env.SIM_PUBLIC_URL,
  credentials: {
    clientId: env.SIM_CLIENT_ID,
    clientSecret: env.SIM_CLIENT_SECRET,
    apiKey: env.SIM_API_KEY,
    apiSecret: env.SIM_API_SECRET,
  },
  channels: [{ channelId: env.SIM_CHANNEL_ID, merchantRa: env.SIM_MERCHANT_RA === 'true' }],
  enterprise: { privyId: env.SIM_ENTERPRISE_PRIVY_ID, enterpriseToken: env.SIM_ENTERPRISE_TOKEN },
  documentProcessingDelayMs: env.SIM_DOCUMENT_PROCESSING_DELAY_MS ?? 0,
  callbackUrl: env.SIM_CALLBACK_URL ?? null,
  verificationDelayMs: env.SIM_VERIFICATION_DELAY_MS ?? null,
  answerStyle: env.SIM_ANSWER_STYLE,
  stateFile: env.SIM_STATE_FILE,
  logger: true,
})
log.info(
  {
    url: simulator.url,
    publicUrl: env.SIM_PUBLIC_URL ?? simulator.url,
    channel: env.SIM_CHANNEL_ID,
    callbackUrl: env.SIM_CALLBACK_URL ?? null,
    verificationDelayMs: env.SIM_VERIFICATION_DELAY_MS ?? null,
    documentProcessingDelayMs: env.SIM_DOCUMENT_PROCESSING_DELAY_MS ?? 0,
    answerStyle: env.SIM_ANSWER_STYLE,
    stateFile: env.SIM_STATE_FILE ?? null,
    restored: simulator.restored,
  },
  'Privy SIMULATOR listening (not real Privy)',
)

// `once`: a second signal of the same kind falls back to Node's default and ends the process at once.
let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    log.info({ signal }, 'closing the simulator')
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'the simulator did not close cleanly')
        process.exit(1)
      },
    )
  })
}
