import { request as httpRequest } from 'node:http'

export interface StreamedAnswer {
  status: number
  body: string
  /** Bytes of the file the client had written when the response arrived. */
  sentWhenAnswered: number
  connection?: string
}

export interface OversizedPart {
  /** Multipart text before the file's bytes: earlier parts and the file part's own headers. */
  head: string
  boundary: string
  total: number
  headers?: Record<string, string>
  /** Send a Content-Length for the whole body instead of chunked encoding. */
  declareLength?: boolean
  /** POST unless named (PUT /v1/templates/{id} takes a form too). */
  method?: string
}

/**
 * Streams a multipart body whose file part is `total` bytes, with node:http and backpressure, and
 * reports how much the client had written when the response arrived. A server that buffered the
 * whole file (or read it to the end to throw it away) could only answer after every byte was written.
 */
export function streamOversizedPart(url: string, part: OversizedPart): Promise<StreamedAnswer> {
  const chunk = Buffer.alloc(64 * 1024, 0x5a)
  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = false
    const tail = `\r\n--${part.boundary}--\r\n`
    // The file is written in whole chunks, so it is `total` rounded up to one.
    const fileBytes = Math.ceil(part.total / chunk.length) * chunk.length
    const length = Buffer.byteLength(part.head) + fileBytes + Buffer.byteLength(tail)
    const req = httpRequest(url, {
      method: part.method ?? 'POST',
      headers: {
        ...part.headers,
        'content-type': `multipart/form-data; boundary=${part.boundary}`,
        ...(part.declareLength ? { 'content-length': String(length) } : {}),
      },
    })
    req.on('error', (error) => {
      if (!answered) reject(error)
    })
    req.on('response', (res) => {
      answered = true
      const sentWhenAnswered = sent
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (text: string) => {
        body += text
      })
      res.on('end', () => {
        req.destroy()
        resolve({ status: res.statusCode ?? 0, body, sentWhenAnswered, connection: res.headers.connection })
      })
    })
    const pump = () => {
      while (!answered && sent < part.total) {
        sent += chunk.length
        if (!req.write(chunk)) {
          req.once('drain', pump)
          return
        }
      }
      if (!answered) req.end(tail)
    }
    req.write(part.head)
    pump()
  })
}

/** The head of a multipart body: text fields, then the headers of one file part. */
export function multipartHead(
  boundary: string,
  fields: Record<string, string>,
  file: { name: string; filename: string; contentType: string; prefix?: string },
): string {
  const text = Object.entries(fields)
    .map(
      ([name, value]) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    )
    .join('')
  return (
    `${text}--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n${file.prefix ?? ''}`
  )
}
