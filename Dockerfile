# efa-forms container image. Multi-stage: compile TypeScript, build production dependencies
# (better-sqlite3 is a native addon), then a slim runtime that runs as the unprivileged user.
# Node 24 is the current LTS line; the code also runs on Node 20 and 22 (package.json engines).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    FORMS_DIR=/app/forms \
    TENANTS_DIR=/app/tenants \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root forms ./forms
COPY --chown=root:root tenants ./tenants
COPY --chown=root:root templates ./templates
# Only the data folder is writable, and only by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# NODE_ENV=production requires PUBLIC_BASE_URL, ADMIN_TOKEN_HASH and ROUTING_SIGNING_KEY_FILE
# (docker run -e PUBLIC_BASE_URL=https://… -e ADMIN_TOKEN_HASH=<sha256 hex of the admin token>
#  -e ROUTING_SIGNING_KEY_FILE=/run/secrets/routing-signing-key.pem with the key mounted there).
# node as PID 1 gets SIGTERM directly and drains deliveries (see src/main.ts).
CMD ["node", "dist/src/main.js"]
