# Chaperone image: compile the one binary, then put it alone into a distroless base with glibc.
#   docker build --build-arg DENO_VERSION=$(cat scripts/deno-version) -t chaperone .
# DENO_VERSION must equal scripts/deno-version (tests/foundation/pins_test.ts checks the default).
ARG DENO_VERSION=2.9.6

FROM denoland/deno:debian-${DENO_VERSION} AS build
WORKDIR /src
COPY . .
RUN scripts/compile --output /out/chaperone \
 && mkdir -p /out/etc && cp -r examples/image/chaperone.d /out/etc/chaperone.d

FROM gcr.io/distroless/cc-debian12
COPY --from=build /out/chaperone /chaperone
COPY --from=build /out/etc/chaperone.d /etc/chaperone.d
ENTRYPOINT ["/chaperone"]
HEALTHCHECK CMD ["/chaperone", "ctl", "health"]
