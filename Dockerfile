# Aerie in a container: built from source in a Rust image, run from a small Debian image as a
# non-root user that may bind ports 80 and 443. Data (the store, the server secret, the ACME
# certificate cache) lives in the /data volume; configure with AERIE_* environment variables
# (see config/aerie.toml) or mount a file at /data/config/aerie.toml.
#   docker build -t aerie .
#   docker run -d -p 80:80 -p 443:443 -v aerie-data:/data -e AERIE_USERS='["you.bsky.social"]' aerie

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin aerie \
 && strip target/release/aerie

FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin aerie \
 && mkdir -p /data \
 && chown aerie:aerie /data
COPY --from=build /src/target/release/aerie /usr/local/bin/aerie
# Binding 80/443 as a non-root user needs this one capability, and only this one.
RUN setcap cap_net_bind_service=+ep /usr/local/bin/aerie
USER 10001:10001
WORKDIR /data
ENV AERIE_DATA_DIR=/data \
    AERIE_LISTEN=0.0.0.0:80 \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 80 443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["aerie", "healthcheck"]
ENTRYPOINT ["aerie"]
CMD ["serve"]
