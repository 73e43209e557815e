# syntax=docker/dockerfile:1
# Build stage: compiles the API and the admin app, then installs only the API's runtime dependencies.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /workspace
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NX_DAEMON=false NX_NO_CLOUD=true
RUN npx nx run-many -t build -p api admin --outputStyle=static \
 && npx nx run api:prune --outputStyle=static \
 && cd dist/apps/api && npm ci --omit=dev --no-audit --no-fund

# Runtime stage: node, git (deploys), python3 and uv (Python MCP servers, `uvx some-server`).
# The proxy runs as root inside the container so that every MCP server runs as a user of its own
# (setpriv, from SANDBOX_UID_BASE up, no capabilities): a server cannot read /data (keys, database,
# certificates), /logs, another service's files or the proxy's environment. As one unprivileged user,
# every server would share the proxy's rights, and bubblewrap cannot run under Docker's default
# seccomp profile. docker-compose.yml drops every capability but the few this needs.
FROM node:20-bookworm-slim
COPY --from=ghcr.io/astral-sh/uv:0.9.9 /uv /uvx /usr/local/bin/
RUN apt-get update \
 && apt-get install -y --no-install-recommends git python3 ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data/certs /logs /services \
 && chmod 700 /data /logs \
 && chmod 711 /services
WORKDIR /app
COPY --from=build /workspace/dist/apps/api ./
COPY --from=build /workspace/dist/apps/admin/browser ./admin
ENV NODE_ENV=production \
    DATA_DIR=/data \
    DATABASE_URL=/data/mcp-proxy.db \
    LOG_DIR=/logs \
    CLONE_DIRECTORY=/services \
    ADMIN_DIST_DIR=/app/admin \
    MALLOC_MMAP_THRESHOLD_=16384
USER root
EXPOSE 8437 3437 8443
VOLUME ["/data", "/data/certs", "/logs", "/services"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.BACKEND_PORT || 8437) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
# Same V8 settings as npm start (tools/api-node-flags.mjs, which says why).
CMD ["node", "--max-semi-space-size=4", "--initial-heap-size=128", "main.js"]
