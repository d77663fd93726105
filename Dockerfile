# Chaperone image: compile the one binary, then put it alone into a distroless base with glibc.
#   docker build -t chaperone .
# DENO_VERSION must equal scripts/deno-version (tests/foundation/pins_test.ts checks the default).
# docs/docker.md explains the image, a `scratch` variant, and running it under Kubernetes.
ARG DENO_VERSION=2.9.6

FROM denoland/deno:debian-${DENO_VERSION} AS build
WORKDIR /src
COPY . .
# The final root file system, laid out here because distroless has no shell to run `ln`:
# the binary, the names it also answers to (argv[0] dispatch), and the example configuration.
RUN scripts/compile --output /out/chaperone \
 && for name in telchap envcp sdnotify sdnotify-exec; do ln -s chaperone "/out/$name"; done \
 && mkdir -p /out/etc \
 && cp -r examples/image/chaperone.d /out/etc/chaperone.d

FROM gcr.io/distroless/cc-debian12
COPY --from=build /out/ /
# Your services' programs and your own configuration go here, for example:
# COPY chaperone.d/ /etc/chaperone.d/
ENTRYPOINT ["/chaperone"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s CMD ["/chaperone", "ctl", "health"]
