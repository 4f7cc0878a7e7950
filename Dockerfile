# syntax=docker/dockerfile:1
# Multi-stage build on the current Node LTS (24) slim image. better-sqlite3 compiles in the
# build stage; the runtime image carries no compiler and runs as a non-root user.

FROM node:24-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
ENV npm_config_build_from_source=better-sqlite3
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY data/config.example.yaml ./data/config.example.yaml
# One plain-JavaScript bundle (esbuild): no TypeScript loader at run time, so the bot starts
# faster and uses less memory; then drop the dev dependencies from the runtime copy.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -rf src

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system bot && useradd --system --gid bot --home /app bot \
 && mkdir -p /app/data && chown bot:bot /app/data
COPY --from=build --chown=bot:bot /app /app
USER bot
VOLUME ["/app/data"]
EXPOSE 8080
# The health server listens on 0.0.0.0 inside the container only when configured so;
# the check runs inside the container against loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js", "--config", "/app/data/config.yaml"]
