# privy-gateway image. One image serves three commands:
#   node dist/server.js            the gateway (default CMD)
#   node dist/cli/migrate.js       applies prisma/migrations through the WebAssembly schema engine
#   node dist/simulator/server.js  the Privy simulator
# docker-compose.yml wires them together; docker/README.md explains it.
#
# Dependency install scripts never run (--ignore-scripts): the project works without them (npm 11
# skips them unless approved), and an npm before 11 would otherwise run @prisma/engines' download.

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# ---- base: shared settings for every stage --------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1

# ---- deps: every dependency, exactly as locked ---------------------------------------------
FROM base AS deps
# .npmrc* copies the project's .npmrc when there is one and nothing when there is not.
COPY package.json package-lock.json .npmrc* ./
RUN npm ci --ignore-scripts

# ---- build: generate the Prisma client, compile src/ to dist/ -------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY src ./src
RUN npm run build

# ---- prod-deps: production dependencies only (runs in parallel with build) ------------------
FROM base AS prod-deps
COPY package.json package-lock.json .npmrc* ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# ---- runtime --------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# HOST: the gateway's own default is 127.0.0.1, which nothing outside the container could reach.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PGLITE_DATA_DIR=/app/data \
    NODE_OPTIONS=--enable-source-maps \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Application files stay owned by root, so the process cannot rewrite its own code; only the
# data directory (PGlite, used when DATABASE_URL is unset) is the node user's.
COPY --from=prod-deps /app/node_modules ./node_modules
# package.json carries "type": "module", without which node cannot load dist/.
COPY package.json package-lock.json ./
# The migrations runner reads prisma/schema.prisma and prisma/migrations/ at run time.
COPY prisma ./prisma
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data

# jemalloc instead of glibc's malloc. With glibc, 20 concurrent 5 MiB uploads peaked at 2.1-2.6x their
# bytes in flight over idle RSS, because freed upload buffers stayed in its arenas. With jemalloc the peak
# was 1.5-1.9x, at the same uploads/s and status-read throughput (docs/decisions/upload-streaming.md, "The
# allocator"). The link gives amd64 and arm64 one path.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "$(dpkg -L libjemalloc2 | grep '/libjemalloc.so.2$')" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2

USER node
EXPOSE 3000

# Slim images have no curl: ask node's built-in fetch. Liveness only, so a database outage does not
# get the container restarted; compose checks /health/ready for start-up ordering.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/server.js"]
