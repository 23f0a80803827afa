import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format'
import { request } from 'undici'

/** One scrape of a metrics endpoint, parsed by a Prometheus text-format parser (not by the code under test). */
export interface Scrape {
  families: PrometheusFamily[]
  /** The value of a sample of `name` whose labels include `labels`; undefined when none. */
  value(name: string, labels?: Record<string, string>): number | undefined
  /** The `_count` of a histogram's series whose labels include `labels`; 0 when none. */
  count(name: string, labels?: Record<string, string>): number
}

/**
 * The parser folds every series of a histogram into one (its `flattenMetrics` keeps no labels), so
 * the text is parsed twice: as served, for the families and their types, and once more without the
 * histograms' `# TYPE` lines, which leaves each `_bucket`, `_sum` and `_count` series an untyped
 * sample with its own labels.
 */
export async function scrape(url: string): Promise<Scrape> {
  const response = await request(url)
  const text = await response.body.text()
  if (response.statusCode !== 200) throw new Error(`scrape answered ${response.statusCode}`)
  if (!String(response.headers['content-type']).startsWith('text/plain; version=0.0.4')) {
    throw new Error(`scrape answered ${response.headers['content-type']}`)
  }
  const families = parsePrometheusTextFormat(text)
  const samples = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram$/gm, ''))
  // Series of one histogram interleave their `_bucket`, `_sum` and `_count` lines: untyped, each run
  // of lines is a family of its own, so one name may head several families.
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = samples
      .filter((family) => family.name === name)
      .flatMap((family) => family.metrics)
      .find((metric) => Object.entries(labels).every(([key, want]) => metric.labels?.[key] === want))
    return found?.value === undefined ? undefined : Number(found.value)
  }
  return {
    families,
    value,
    count(name, labels = {}) {
      if (families.find((family) => family.name === name)?.type !== 'HISTOGRAM') {
        throw new Error(`${name} is not a histogram`)
      }
      return value(`${name}_count`, labels) ?? 0
    },
  }
}
