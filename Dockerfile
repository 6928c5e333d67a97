# One image for both services. Default command: a national node, through its start script (which
# sets the node's V8 heap settings, see apps/national-node/start.sh); run the aggregator with
#   node dist/apps/aggregator/src/main.js
# (docker-compose.yml does). Settings come from the environment only: see
# apps/national-node/.env.example and apps/aggregator/.env.example. In a container set
# HOST=0.0.0.0 (the default 127.0.0.1 is unreachable from outside the container).
#
# Build: docker build -t caravanserai .

# ---------------------------------------------------------------- build: compile TypeScript
FROM node:20-bookworm-slim AS build
WORKDIR /app
# swagger-ui-dist pulls in @scarf/scarf, whose install script reports usage unless told not to.
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
RUN npm run build

# ---------------------------------------------------------------- production dependencies only
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---------------------------------------------------------------- runtime
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# The services look for their SQL migrations by walking up from dist/libs/database/src to
# apps/<app>/migrations (libs/database/src/migrations.ts); tsc does not copy .sql files.
COPY apps/national-node/migrations ./apps/national-node/migrations
COPY apps/national-node/start.sh ./apps/national-node/start.sh
COPY apps/aggregator/migrations ./apps/aggregator/migrations
# The aggregator serves its web console from apps/aggregator/console (found the same way).
COPY apps/aggregator/console ./apps/aggregator/console
# The official image's unprivileged user (uid 1000). The application writes nothing to disk.
USER node
EXPOSE 3000 3001
# The script execs node: node is PID 1 and receives SIGTERM itself.
CMD ["sh", "apps/national-node/start.sh"]
