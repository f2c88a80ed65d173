# The s3-connector worker and CLI. Workflows are prebuilt into dist/workflow-bundle.js.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# data/: the datasets folder of the image's user, copied below with its owner (a volume mounted
# there starts from it, so the worker, running as node, can write its datasets).
RUN npm run build && npm prune --omit=dev && mkdir -p data

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build --chown=node:node /app/data ./data
COPY package.json ./
USER node
VOLUME ["/app/data"]
# bin/s3-connector.js starts node itself, with the worker's memory settings (see that file).
ENTRYPOINT ["bin/s3-connector.js"]
CMD ["worker"]
