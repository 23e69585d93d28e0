# syntax=docker/dockerfile:1
# The Sluice runtime image: the `sluice` command (JobManager, TaskManager, local runs) and its
# dependencies. Build from the repository root:
#   docker build -f docker/runtime.Dockerfile -t sluice-runtime:0.1.0 .
# A job image adds job modules on top (see docker/README.md):
#   FROM sluice-runtime:0.1.0
#   COPY jobs/ /opt/sluice/jobs/
#
# The runtime runs from its TypeScript sources through tsx, exactly as `npx sluice` does on a laptop
# and as the sandbox runs it: job modules are TypeScript too, so tsx is needed in any case, and one code
# path everywhere beats a second, compiled one. The build stage type-checks instead of emitting.

# Node.js 24, the active LTS (Node 20 reached its end of life on 2026-04-30); the code runs on 20.19+ and 22 as well.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /opt/sluice
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY runtime/ runtime/
COPY examples/ examples/
RUN npx tsc --noEmit -p tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# tini reaps zombies and forwards signals, so SIGTERM from the kubelet reaches node (PID 1 ignores
# signals it has no handler for).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin sluice
ENV NODE_ENV=production
# A job module's `import ... from 'sluice'` resolves to the runtime's sources here (package.json
# exports, condition sluice-source), the same modules the `sluice` command runs from.
ENV NODE_OPTIONS=--conditions=sluice-source
WORKDIR /opt/sluice
# Everything belongs to root and is only readable by the process: nothing in the image is written at
# run time. tsx caches compiled modules in $TMPDIR; with a read-only root filesystem, mount an
# emptyDir at /tmp (the operator does so for the pods it creates).
COPY --from=build /opt/sluice/node_modules/ node_modules/
COPY package.json ./
COPY runtime/ runtime/
COPY examples/ examples/
RUN ln -s /opt/sluice/runtime/cli/bin.js /usr/local/bin/sluice
USER 10001:10001
ENTRYPOINT ["tini", "--", "node", "/opt/sluice/runtime/cli/bin.js"]
CMD ["--help"]
