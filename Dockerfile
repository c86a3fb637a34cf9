# The image of moor's services and CLI: `docker build -t ghcr.io/moor-gitops/moor:0.1.0 .`
# Node 24 runs the TypeScript sources directly (type stripping), so there is
# no build step: the workspace is copied as it is and only production
# dependencies are installed.
FROM node:24-bookworm-slim

WORKDIR /app
# Manifests first, so a source change does not invalidate the npm layer.
# Every workspace of the root package.json must be present for `npm ci`.
COPY package.json package-lock.json ./
COPY libs libs
COPY services services
COPY test/package.json test/package.json
COPY bench/package.json bench/package.json
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force \
    && ln -s /app/services/cli/bin/moor.js /usr/local/bin/moor
# The CRDs, for `moor check` and bootstrap.
COPY deploy/crds deploy/crds

ENV NODE_ENV=production
# Unprivileged, as the Deployments in deploy/manifests require (runAsNonRoot).
USER 65534:65534
ENTRYPOINT ["moor"]
CMD ["--help"]
