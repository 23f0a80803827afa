/**
 * Preloaded into the benchmarked gateway (`node --import`): counts the queries its pg clients send, one
 * per round trip (pg sends each query with its own Sync), and answers the count over the IPC channel
 * the benchmark opened. An increment per query; nothing else in the gateway changes.
 */
import pg from 'pg'

let queries = 0
const query = pg.Client.prototype.query
pg.Client.prototype.query = function countedQuery(...args) {
  queries += 1
  return query.apply(this, args)
}

if (process.send) {
  process.on('message', (message) => {
    if (message === 'queries?') process.send?.({ queries })
  })
  // The channel must not keep the gateway alive once it is asked to stop.
  process.channel?.unref()
}
