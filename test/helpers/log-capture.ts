import { Writable } from 'node:stream'

/** Collects every log line the app writes, so tests can read them for leaked secrets. */
export class LogCapture {
  readonly lines: string[] = []
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      callback()
    },
  })

  text(): string {
    return this.lines.join('\n')
  }

  /** The values among `secrets` that appear anywhere in the captured logs. */
  leaked(secrets: readonly string[]): string[] {
    const all = this.text()
    return secrets.filter((secret) => secret.length > 0 && all.includes(secret))
  }
}
