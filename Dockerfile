# Union Eyes ML Platform: one image for every service and the CLI.
#
#   docker build -t union-eyes-ml:latest .
#   docker run --rm union-eyes-ml:latest scheduler          # or drift-monitor, trainer, validator, notifier, seeder, scorer, console
#   docker run --rm union-eyes-ml:latest cli db:migrate     # one-off CLI commands
#
# The argument is handled by deploy/docker/entrypoint.sh, which execs
# `node dist/apps/<app>/src/main.js [args...]`.

# Node 24, the LTS line supported longest (maintenance until April 2028; Node 22 ends in April 2027).
# The code also runs on Node 20 (CI tests both: .github/workflows/ci.yml; `engines` in package.json).
# Debian bookworm, not trixie: its libxgboost0 is XGBoost 1.7.4, the C API the trainer is written against
# (libs/ml/src/xgboost/native.ts). Pin by digest for reproducible builds: --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:...
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------------
# build: all dependencies (dev included), `nest build` (one tsc pass) -> dist/, and the console's web UI
# (Vite, `npm run build:web`, part of `npm run build`) -> dist/console-web/
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Only the compiler runs in this stage, so install scripts (node-gyp builds of optional test-only packages such
# as ssh2/cpu-features) are skipped: the slim image has no compiler, and nothing here needs them.
RUN npm ci --ignore-scripts --no-audit --no-fund
# Sources as filtered by .dockerignore (no tests, no node_modules, no dist).
COPY . .
# The web UI is static files the console serves from dist/console-web (apps/console/src/console.config.ts,
# webDir); without them it would start and answer /api but show no page. Vite's esbuild and Rollup run from
# their platform packages (optional dependencies, installed without scripts). Checked here so that an
# image without the UI fails to build instead of shipping.
RUN npm run build \
 && test -f dist/apps/console/src/main.js \
 && test -f dist/console-web/index.html

# ---------------------------------------------------------------------------------------------------
# prod-deps: production dependencies only (install scripts run: native packages such as koffi need them)
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---------------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# libxgboost0: the XGBoost C library the trainer loads through koffi (/usr/lib/<arch>/libxgboost.so.0).
# tini: PID 1 that forwards SIGTERM to node and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0 tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app

# Owned by root and read-only for the `node` user that runs the app.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
# dist/ holds every app's compiled code and the console's web UI (dist/console-web).
COPY --from=build /app/dist ./dist
COPY deploy/docker/entrypoint.sh ./deploy/docker/entrypoint.sh

# `node` is uid/gid 1000 in the official image (Kubernetes manifests set runAsUser: 1000 to match).
USER node

# Run through /bin/sh so the script needs no executable bit (works with the legacy builder, no --chmod).
ENTRYPOINT ["/usr/bin/tini", "--", "/bin/sh", "/app/deploy/docker/entrypoint.sh"]
# No default app: `docker run union-eyes-ml` prints the usage. Compose and Kubernetes pass the app name.
CMD ["--help"]
# No HEALTHCHECK: the image runs every app and the CLI, and where a service answers /health depends on how
# it is run (OPS_PORT set: there only, 404 on HTTP_PORT; unset: HTTP_PORT). docker-compose.yml's
# healthcheck and the Kubernetes probes ask OPS_PORT (9464) themselves.
